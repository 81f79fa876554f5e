#!/usr/bin/env bash
# Make sure Stoplight Prism (the OpenAPI request validator of tests/support/prism.py) is here:
# the Twilio channel tests run `prism proxy` in front of the fake Twilio server.
#
#   bash .ci/prism.sh     or     . .ci/prism.sh   (then LEADDESK_PRISM is exported)
#
# Installs Debian's `nodejs` and `npm` packages only when node or npm is missing (needs root or
# passwordless sudo), and @stoplight/prism-cli@5 with npm into .cache/prism in this clone
# (git-ignored) only when it is not there yet. Quiet and idempotent; a failure shows the log.

_leaddesk_prism_root() {
    cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd
}

_leaddesk_prism_node() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && return 0
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo="sudo -n"
        else
            echo "prism.sh: node/npm are missing and installing them needs root" >&2
            return 1
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "prism.sh: node/npm are missing and there is no apt-get to install them" >&2
        return 1
    fi
    local log
    log=$(mktemp)
    if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends nodejs npm; } >"$log" 2>&1; then
        echo "prism.sh: installing nodejs and npm failed:" >&2
        tail -n 30 "$log" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
}

_leaddesk_prism_main() {
    local root prefix bin log
    root=$(_leaddesk_prism_root) || return 1
    prefix="$root/.cache/prism"
    bin="$prefix/node_modules/.bin/prism"
    if [ ! -x "$bin" ]; then
        _leaddesk_prism_node || return 1
        mkdir -p "$prefix"
        log=$(mktemp)
        if ! npm install --prefix "$prefix" --no-audit --no-fund --no-progress \
            --loglevel=error @stoplight/prism-cli@5 >"$log" 2>&1 || [ ! -x "$bin" ]; then
            echo "prism.sh: npm install @stoplight/prism-cli@5 failed:" >&2
            tail -n 30 "$log" >&2
            rm -f "$log"
            return 1
        fi
        rm -f "$log"
    fi
    export LEADDESK_PRISM="$bin"
}

if (return 0 2>/dev/null); then
    _leaddesk_prism_main  # sourced: leave the caller's shell options alone, return the status
else
    set -u
    _leaddesk_prism_main || exit 1
fi
