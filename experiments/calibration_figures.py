"""The figures of a calibration: the posterior, and its predictive check."""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.posterior import Posterior


def posterior_figure(posterior: Posterior, summary: pd.DataFrame):
    """One panel per calibrated parameter: the posterior's weighted
    histogram over the prior's range (the x axis), its mean and its 95%
    credible interval (shaded). A posterior as wide as its panel means the
    survey says little about that parameter."""
    import matplotlib.pyplot as plt

    n = len(posterior.names)
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n, 3.0), squeeze=False)
    for k, (ax, row) in enumerate(zip(axes[0], summary.itertuples())):
        low, high = row.prior_low, row.prior_high
        ax.hist(posterior.values[:, k], bins=np.linspace(low, high, 21), weights=posterior.weights, color="tab:blue",
                alpha=0.75)
        ax.axvspan(row.low, row.high, color="tab:blue", alpha=0.12, label="95% credible interval")
        ax.axvline(row.mean, color="k", lw=1, label="mean")
        ax.set_xlim(low, high)
        ax.set_xlabel(row.parameter)
        ax.set_yticks([])
    axes[0][0].set_ylabel("posterior weight")
    axes[0][0].legend(fontsize=7, loc="upper left")
    fig.suptitle("Posterior of each calibrated parameter (x axis: its prior's range)", fontsize=10)
    fig.tight_layout()
    return fig


def predictive_figure(table: pd.DataFrame):
    """The posterior predictive check: for each survey target, the 95%
    interval of the surveys the calibrated model gives (line), their median
    (tick) and the real survey's share (dot: black inside the interval, red
    outside)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(table) + 1.4))
    y = np.arange(len(table))[::-1]
    ax.hlines(y, table["low"], table["high"], color="tab:blue", lw=4, alpha=0.5, label="model, 95% interval")
    ax.plot(table["median"], y, "|", color="tab:blue", ms=14, label="model, median")
    colours = np.where(table["inside"], "black", "tab:red")
    ax.scatter(table["observed"], y, c=colours, zorder=3, label="survey")
    ax.set_yticks(y, table["target"])
    ax.set_xlim(0, 1)
    ax.set_xlabel("share")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Posterior predictive check: the calibrated model's survey against the real one", fontsize=10)
    fig.tight_layout()
    return fig
