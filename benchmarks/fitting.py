"""Fitting the small logistic models storytrace ships (reuse, stories).

A standardised logistic regression, stored as plain numbers (storytrace's LogisticModel) so
that running storytrace never needs scikit-learn.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from storytrace.ml.logistic import LogisticModel


def fit_logistic(
    x: np.ndarray, y: np.ndarray, names: tuple[str, ...], c: float = 0.3
) -> LogisticModel:
    scaler = StandardScaler().fit(x)
    # Constant features (MiniLM has a few dead dimensions) would divide by ~0.
    scale = np.where(scaler.scale_ > 1e-6, scaler.scale_, 1.0)
    model = LogisticRegression(C=c, max_iter=5000).fit((x - scaler.mean_) / scale, y)
    return LogisticModel(names, scaler.mean_, scale, model.coef_[0], float(model.intercept_[0]))
