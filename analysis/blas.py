"""Small matrix products on one BLAS thread.

OpenBLAS splits a product of more than ~260,000 multiply-adds over every core and its threads
then spin while waiting for the next product. For the products of a survey of a few thousand
respondents (the bootstrap's resampling counts times the answers: 2,000 x n x items) the split
costs more than it saves: on the two-core machine the indices' bootstrap took 2-3x the CPU time
of one thread (and the spinning threads slow down the report processes that run beside the
analysis). Products of whole numbers (Likert answers, resampling counts) are exact integer
sums, the same on any number of threads; products of decimals may be added in another order by
the threaded kernels (a unit in the last place, ~1e-16 relative: the former results varied as
much with the machine's number of cores). ``tests/test_indices.py`` compares both ways.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

__all__ = ["one_blas_thread"]

#: the limit is process-wide: two threads of the app must not interleave setting and restoring it
#: (re-entrant: a limited block may call another)
_LOCK = threading.RLock()


@lru_cache(maxsize=1)
def _controller():
    """The BLAS libraries loaded now (numpy's OpenBLAS; made once: finding them takes ~0.5 ms)."""
    from threadpoolctl import ThreadpoolController
    return ThreadpoolController()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block with the BLAS libraries on one thread, then restore their thread counts.
    Nothing to do where the process started with ``OPENBLAS_NUM_THREADS=1`` (the command line
    sets it): finding the libraries would cost ~30 ms."""
    if os.environ.get("OPENBLAS_NUM_THREADS") == "1":
        yield
        return
    with _LOCK, _controller().limit(limits=1, user_api="blas"):
        yield
