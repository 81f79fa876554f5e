"""A separate process that spends credits, for the concurrency and crash tests.

    python -m tests.support.credit_spender spend URL THREADS PAIRS COST   -> JSON stats
    python -m tests.support.credit_spender hold URL COST                  -> reserves, then waits

``spend``: THREADS threads each try PAIRS reserve+settle pairs (every third released); refusals
for lack of credits are counted, any other error fails the process with its traceback.
``hold``: prints the reservation id and sleeps until killed (the crash test SIGKILLs it).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from leaddesk.services.app_services import AppServices
from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.errors import InsufficientCreditsError


def spend(credits: CreditService, threads: int, pairs: int, cost: int, tag: str) -> dict[str, int]:
    lock = threading.Lock()
    stats = {"consumed": 0, "released": 0, "refused": 0}

    def worker(n: int) -> None:
        for i in range(pairs):
            try:
                res = credits.reserve(
                    cost, "voice", "test", f"{tag}-{n}-{i}", idempotency_key=f"{tag}-{n}-{i}"
                )
            except InsufficientCreditsError:
                with lock:
                    stats["refused"] += 1
                continue
            if i % 3 == 0:
                credits.release(res.id)
                outcome = "released"
            else:
                credits.consume(res.id)
                outcome = "consumed"
            with lock:
                stats[outcome] += 1

    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(worker, n) for n in range(threads)]:
            future.result()
    return stats


def main(argv: list[str]) -> int:
    command, url = argv[0], argv[1]
    app = AppServices.open(url)
    try:
        if command == "spend":
            threads, pairs, cost = (int(x) for x in argv[2:5])
            tag = argv[5] if len(argv) > 5 else "p"
            print(json.dumps(spend(app.credits, threads, pairs, cost, tag)), flush=True)
        elif command == "hold":
            res = app.credits.reserve(int(argv[2]), "voice", "test", "crash")
            print(res.id, flush=True)
            time.sleep(120)
        else:
            raise SystemExit(f"unknown command {command}")
    finally:
        app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
