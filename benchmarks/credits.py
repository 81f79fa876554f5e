"""Credit ledger figures: reserve+consume pairs per second from 8 threads on one SQLite file
(target: over 2,000/s), and the time to check every balance against a ledger of 1,000,000
transactions (generated with Core executemany, not the ORM).

Pair rates are the best of three runs (8 x 2,500 pairs each; --quick: 8 x 150).

Prints: credits_pairs_per_s (with _baseline and _ratio against the 2,000/s target),
credits_pairs_per_s_1_thread, credits_ledger_rows, credits_ledger_check_s,
credits_ledger_sum_one_account_s.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import emit, parser

from leaddesk.services.app_services import AppServices
from leaddesk.services.credits.ledger import CreditService
from leaddesk.store.enums import TransactionKind
from leaddesk.store.ids import new_id
from leaddesk.store.models import CreditAccount, CreditTransaction

TARGET_PAIRS_PER_S = 2000
THREADS = 8
RUNS = 3


def pairs_per_second(credits: CreditService, threads: int, pairs: int) -> float:
    def worker(_: int) -> None:
        for _i in range(pairs):
            credits.consume(credits.reserve(1, "email", "bench").id)

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(worker, n) for n in range(threads)]:
            future.result()
    return threads * pairs / (time.perf_counter() - start)


def fill_ledger(app: AppServices, rows: int, accounts: int = 100) -> None:
    """``rows`` ledger lines over ``accounts`` accounts (purchases, reservations, consumptions,
    releases) with balances that match, inserted by Core executemany in batches."""
    rng = random.Random(7)
    tx, acc = CreditTransaction.__table__, CreditAccount.__table__
    ids = [new_id() for _ in range(accounts)]
    balance = dict.fromkeys(ids, 0)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    batch: list[dict] = []
    with app.store.engine.begin() as conn:
        conn.execute(
            acc.insert(), [{"id": i, "created_at": start, "updated_at": start} for i in ids]
        )
        n = 0
        while n < rows:
            account = ids[n % accounts]
            when = start + dt.timedelta(seconds=n)
            if balance[account] < 10:
                lines = [(TransactionKind.PURCHASE, 500, None)]
            else:
                cost = rng.choice((1, 2, 3, 5))
                res = new_id()
                settle = (
                    (TransactionKind.CONSUMPTION, 0)
                    if rng.random() < 0.9
                    else (TransactionKind.RELEASE, cost)
                )
                lines = [(TransactionKind.RESERVATION, -cost, res), (settle[0], settle[1], res)]
            for kind, amount, res_id in lines:
                balance[account] += amount
                row_id = res_id if kind is TransactionKind.RESERVATION else new_id()
                batch.append(
                    {
                        "id": row_id,
                        "account_id": account,
                        "kind": kind,
                        "amount": amount,
                        "balance_after": balance[account],
                        "action": "email",
                        "reference_type": "",
                        "reference_id": "",
                        "reservation_id": None if kind is TransactionKind.RESERVATION else res_id,
                        "idempotency_key": None,
                        "price_version": 1,
                        "metadata": {},
                        "actor_id": None,
                        "created_at": when,
                    }
                )
                n += 1
            if len(batch) >= 50_000:
                conn.execute(tx.insert(), batch)
                batch.clear()
        if batch:
            conn.execute(tx.insert(), batch)
        for account, total in balance.items():
            conn.execute(acc.update().where(acc.c.id == account).values(balance=total))


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    pairs = 150 if args.quick else 2_500
    rows = 50_000 if args.quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="leaddesk-bench-") as tmp:
        app = AppServices.open(f"sqlite:///{Path(tmp) / 'pairs.db'}")
        try:
            app.credits.adjust(100_000_000, "benchmark funds")
            pairs_per_second(app.credits, THREADS, 20)  # warm up: pool, statement caches
            # Best of three: on a shared machine other processes' bursts only ever slow it.
            rate = max(pairs_per_second(app.credits, THREADS, pairs) for _ in range(RUNS))
            emit("credits_pairs_per_s", rate, "pairs/s")
            emit("credits_pairs_per_s_baseline", TARGET_PAIRS_PER_S, "pairs/s")
            emit("credits_pairs_per_s_ratio", rate / TARGET_PAIRS_PER_S, "x")
            single = max(pairs_per_second(app.credits, 1, pairs // 4) for _ in range(RUNS))
            emit("credits_pairs_per_s_1_thread", single, "pairs/s")
            assert app.credits.audit().ok
        finally:
            app.close()

        app = AppServices.open(f"sqlite:///{Path(tmp) / 'ledger.db'}")
        try:
            fill_ledger(app, rows)
            started = time.perf_counter()
            audit = app.credits.audit()
            elapsed = time.perf_counter() - started
            if not audit.ok:
                raise SystemExit(f"ledger check failed: {audit.mismatches[:3]}")
            emit("credits_ledger_rows", audit.transactions, "rows")
            emit("credits_ledger_check_s", elapsed, "s")
            started = time.perf_counter()
            app.credits.ledger_sum()
            emit("credits_ledger_sum_one_account_s", time.perf_counter() - started, "s")
        finally:
            app.close()


if __name__ == "__main__":
    main()
