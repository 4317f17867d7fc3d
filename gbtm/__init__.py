"""Group-based trajectory models (Nagin style) of count histories by age.

Zero-inflated Poisson and Poisson trajectory groups with a polynomial in age per group, fitted by
maximum likelihood (EM, then quasi-Newton polishing with analytic gradients) from many random
starts. Model selection reports Nagin's BIC, ``log L - 0.5 k ln N`` (higher is better).
"""

import os

# The fits make many small BLAS calls; threaded BLAS only spins on them (5x slower on 2 cores).
# Takes effect for BLAS libraries loaded after this import (scipy's, when imported first).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from gbtm.basis import PolyBasis  # noqa: E402
from gbtm.data import InputError, TrajectoryData  # noqa: E402
from gbtm.fit import FitResult, fit_model  # noqa: E402
from gbtm.model import ModelSpec, TrajectoryModel  # noqa: E402
from gbtm.selection import select_models  # noqa: E402

__all__ = [
    "FitResult",
    "InputError",
    "ModelSpec",
    "PolyBasis",
    "TrajectoryData",
    "TrajectoryModel",
    "fit_model",
    "select_models",
]
