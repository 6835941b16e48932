"""Numerical work on one BLAS thread.

OpenBLAS starts a thread per core, and between the many small matrix products of the solvers
`reader train` runs they spin: on two cores a training took 59 s with them and 19 s without
(the same model), and in the background they took the core the reader's own process needs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def one_blas_thread(function: Callable[P, R]) -> Callable[P, R]:
    """`function` run with every loaded BLAS held to one thread (threadpoolctl), as it was after."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        import scipy.optimize  # noqa: F401 - loaded first: a limit reaches only the BLAS already loaded
        import sklearn.linear_model  # noqa: F401
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return run
