"""sefanalysis: Ofsted ILACS self-evaluation analysis for children's services.

Public API::

    ds = sefanalysis.load_dataset("data/demo")
    frame = sefanalysis.compute_indicators(ds, ["2024-09-30", "2024-12-31"], window="12m")
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .dataset import Dataset, load_dataset
from .indicators.engine import compute_indicators
from .indicators.registry import REGISTRY, data_dictionary

try:
    __version__ = version("sefanalysis")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "Dataset",
    "load_dataset",
    "compute_indicators",
    "data_dictionary",
    "REGISTRY",
    "__version__",
]
