"""sefanalysis: Ofsted ILACS self-evaluation analysis for children's services.

Public API::

    ds = sefanalysis.load_dataset("data/demo")
    frame = sefanalysis.compute_indicators(ds, ["2024-09-30", "2024-12-31"], window="12m")
    rows = sefanalysis.units(ds, "re_referral_pct", "2024-12-31")  # ANALYST ONLY: child-level
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .dataset import Dataset, load_dataset, load_dataset_rerun
    from .indicators.engine import compute_indicators, units
    from .indicators.registry import REGISTRY, data_dictionary
    from .ingest.published import read_published
    from .periods import quarter_ends

try:
    __version__ = version("sefanalysis")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

# the public names are imported on first use (PEP 562): a notebook kernel that only replays
# cached report sections never imports pandas
_EXPORTS = {"Dataset": ".dataset", "load_dataset": ".dataset",
            "compute_indicators": ".indicators.engine", "units": ".indicators.engine",
            "REGISTRY": ".indicators.registry", "data_dictionary": ".indicators.registry",
            "quarter_ends": ".periods", "load_dataset_rerun": ".dataset",
            "read_published": ".ingest.published"}  # fmt: skip


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Dataset",
    "load_dataset",
    "compute_indicators",
    "units",
    "quarter_ends",
    "load_dataset_rerun",
    "data_dictionary",
    "REGISTRY",
    "read_published",
    "__version__",
]
