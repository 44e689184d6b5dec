"""The garbage collector's settings for a long-running server process."""

from __future__ import annotations

import gc

# At Python's default of 700 the young generation was collected ~3 times per `_entities`
# query of 100 models in the gateway (~0.3 ms) and every ~10 requests in the emulator,
# each time finding nothing to free: their requests leave no reference cycles (the tests
# check it), so what is young at a collection is just what requests in flight hold.
YOUNG_COLLECTION_THRESHOLD = 10_000


def settle() -> None:
    """Freeze what the process built at start-up and make young collections rare.

    What exists once the app is built (modules, the schema, routes, seed data) lives as
    long as the process: frozen, full collections no longer walk it. Unfrozen, they took
    ~18 ms in the emulator and took the gateway's Q1 p99 at concurrency 1 from ~20 ms to
    40-60 ms (docs/performance.md).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])
