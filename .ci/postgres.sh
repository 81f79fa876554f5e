#!/usr/bin/env bash
# Make sure PostgreSQL's server binaries (initdb, pg_ctl, postgres) are on this machine, for the
# test fixture in tests/support/pgcluster.py, which starts and stops its own throwaway cluster.
#
#   bash .ci/postgres.sh     or     . .ci/postgres.sh   (then LEADDESK_PG_BINDIR is exported)
#
# Installs Debian's `postgresql` package only when the binaries are found neither on PATH nor in
# /usr/lib/postgresql/<version>/bin. Quiet and idempotent; the package's default cluster is not
# created (nothing listens on 5432 afterwards). Needs root (or passwordless sudo) to install.

_leaddesk_pg_bindir() {
    local tool dir
    if [ -n "${LEADDESK_PG_BINDIR:-}" ] && [ -x "$LEADDESK_PG_BINDIR/initdb" ] \
        && [ -x "$LEADDESK_PG_BINDIR/pg_ctl" ] && [ -x "$LEADDESK_PG_BINDIR/postgres" ]; then
        printf '%s\n' "$LEADDESK_PG_BINDIR"
        return 0
    fi
    for tool in pg_ctl initdb; do
        if command -v "$tool" >/dev/null 2>&1; then
            dir=$(dirname "$(readlink -f "$(command -v "$tool")")")
            if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
                printf '%s\n' "$dir"
                return 0
            fi
        fi
    done
    # Debian keeps the server binaries off PATH; take the newest version.
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
            printf '%s\n' "$dir"
            return 0
        fi
    done
    return 1
}

_leaddesk_pg_install() {
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo="sudo -n"
        else
            echo "postgres.sh: PostgreSQL is missing and installing it needs root" >&2
            return 1
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "postgres.sh: PostgreSQL is missing and there is no apt-get to install it" >&2
        return 1
    fi
    # No default cluster: the tests make their own, and nothing should listen on 5432.
    $sudo mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" \
        | $sudo tee /etc/postgresql-common/createcluster.d/leaddesk-ci.conf >/dev/null
    local log
    log=$(mktemp)
    if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends -o Dpkg::Options::=--force-confold postgresql; } \
        >"$log" 2>&1; then
        echo "postgres.sh: installing PostgreSQL failed:" >&2
        tail -n 30 "$log" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
}

_leaddesk_pg_main() {
    local dir
    if ! dir=$(_leaddesk_pg_bindir); then
        _leaddesk_pg_install || return 1
        if ! dir=$(_leaddesk_pg_bindir); then
            echo "postgres.sh: PostgreSQL installed, but initdb/pg_ctl/postgres not found" >&2
            return 1
        fi
    fi
    export LEADDESK_PG_BINDIR="$dir"
}

if (return 0 2>/dev/null); then
    _leaddesk_pg_main  # sourced: leave the caller's shell options alone, return the status
else
    set -u
    _leaddesk_pg_main || exit 1
fi
