"""Shared test set-up: figures are drawn off-screen (matplotlib's Agg backend),
as the command line draws them; the library itself never picks a backend."""

import matplotlib

matplotlib.use("Agg")
