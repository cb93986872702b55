"""The rerun cache's file format: entries that cannot run code when they are read.

An entry is JSON for the structure and raw little blocks of bytes for arrays and binary
content; nothing is unpickled, imported by name from the file or evaluated. Reading a file
someone else wrote can at worst give wrong values of the types below, never run their code, and
a damaged or altered file fails its checksum and is recomputed by the caller.

Layout::

    b"SEFCACHE"  8 bytes
    SHA-256      32 bytes, of everything after it
    offset, length of the JSON (two little-endian unsigned 64-bit integers)
    blocks       each starting on a 64-byte boundary
    JSON         {"value": ..., "blocks": [[offset, length], ...]}

What can be stored (anything else raises :class:`Unstorable` and is simply not cached): None,
bools, ints, floats, strings, bytes, lists, tuples, dicts, sets, paths, dates, pandas
timestamps, timedeltas and missing values, numpy scalars and arrays of numbers, booleans or
datetimes, pandas frames, series and indexes (columns of numbers, booleans, datetimes with or
without a time zone, categoricals, pandas strings, nullable integers, floats and booleans, and
objects of the types above), dataclasses defined in this package (rebuilt field by field
without calling ``__init__``) and matplotlib's ``Bbox`` (a chart's saved area). A frame is
checked when stored: if it would not come back identical (values, dtypes, categories, index,
column labels) it is not stored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib
import json
import os
import re
import struct
import sys
from pathlib import Path, PurePath
from typing import Any

MAGIC = b"SEFCACHE"
HEAD = struct.Struct("<QQ")
START = len(MAGIC) + 32 + HEAD.size  # 56: where the blocks start
ALIGN = 64
PACKAGE = "sefanalysis"
NUMERIC_KINDS = set("biufcmM")  # numpy kinds kept as raw bytes (never "O" objects or "V")
_DATACLASS_NAME = re.compile(r"sefanalysis(\.[A-Za-z_]\w*)+")


class Unstorable(TypeError):
    """The value holds something this format does not store: it is not cached."""


class Damaged(ValueError):
    """The file is not a complete, unaltered entry: the caller recomputes it."""


# ------------------------------------------------------------------------------------ writing
def dumps(value: object) -> bytes:
    """The entry for ``value`` as bytes (raises :class:`Unstorable`)."""
    writer = _Writer()
    encoded = writer.encode(value)
    blocks, layout, position = [], [], START
    for block in writer.blocks:
        position += -position % ALIGN
        layout.append([position, len(block)])
        blocks.append((position, block))
        position += len(block)
    document = {"value": encoded, "blocks": layout, "shared": writer.shared}
    text = json.dumps(document, separators=(",", ":")).encode()
    body = bytearray(position + len(text) - len(MAGIC) - 32)
    offset = len(MAGIC) + 32
    body[0 : HEAD.size] = HEAD.pack(position, len(text))
    for start, block in blocks:
        body[start - offset : start - offset + len(block)] = block
    body[position - offset :] = text
    return MAGIC + hashlib.sha256(body).digest() + bytes(body)


def write(path: Path, value: object) -> None:
    """Write the entry atomically (a reader sees the old file or the new one, never half),
    readable by its owner only (the cache holds child-level data)."""
    content = dumps(value)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class _Writer:
    def __init__(self) -> None:
        self.blocks: list[bytes] = []
        self.shared: list[Any] = []  # values stored once and referred to by number
        self._shared_ids: dict[int, int] = {}

    def share(self, value: object, encode: Any) -> int:
        """Store ``value`` (encoded by ``encode``) once however often it recurs: the categories
        every table of a dataset shares (its children's identifiers) are written once, and
        read back as one object, as they were."""
        number = self._shared_ids.get(id(value))
        if number is None:
            self.shared.append(encode(value))
            number = self._shared_ids[id(value)] = len(self.shared) - 1
        return number

    def block(self, content: bytes | memoryview) -> int:
        self.blocks.append(bytes(content))
        return len(self.blocks) - 1

    def encode(self, value: object) -> Any:  # noqa: C901 - one branch per stored type
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, int) and type(value) is int:
            return value
        if isinstance(value, float) and type(value) is float:
            return value
        if isinstance(value, list):
            return [self.encode(v) for v in value]
        if isinstance(value, tuple) and type(value) is tuple:
            return {"$": "tuple", "v": [self.encode(v) for v in value]}
        if isinstance(value, dict) and type(value) is dict:
            if all(isinstance(k, str) for k in value) and "$" not in value:
                return {k: self.encode(v) for k, v in value.items()}
            return {"$": "dict", "v": [[self.encode(k), self.encode(v)] for k, v in value.items()]}
        if isinstance(value, set | frozenset):
            items = sorted((self.encode(v) for v in value), key=lambda e: json.dumps(e))
            return {"$": type(value).__name__, "v": items}
        if isinstance(value, bytes | bytearray):
            return {"$": "bytes", "b": self.block(value)}
        if isinstance(value, PurePath):
            return {"$": "path", "v": str(value)}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self.dataclass(value)
        pandas = sys.modules.get("pandas")
        numpy = sys.modules.get("numpy")
        frames = () if pandas is None else (pandas.DataFrame, pandas.Series, pandas.Index)
        if frames and isinstance(value, frames):
            from . import cacheframes

            return cacheframes.encode(self, value)
        if pandas is not None and (value is pandas.NaT or value is pandas.NA):
            return {"$": "NaT" if value is pandas.NaT else "NA"}
        if pandas is not None and isinstance(value, pandas.Timestamp):
            return {"$": "timestamp", "v": int(value.value), "unit": value.unit,
                    "tz": _zone(value.tz)}  # fmt: skip
        if pandas is not None and isinstance(value, pandas.Timedelta):
            return {"$": "timedelta", "v": int(value.value), "unit": value.unit}
        if numpy is not None and isinstance(value, numpy.ndarray):
            from . import cacheframes

            return {"$": "ndarray", "v": cacheframes.encode_array(self, value)}
        if numpy is not None and isinstance(value, numpy.generic):
            return self.scalar(value, numpy)
        if isinstance(value, dt.datetime):
            return {"$": "datetime", "v": value.isoformat()}
        if isinstance(value, dt.date):
            return {"$": "date", "v": value.isoformat()}
        if isinstance(value, dt.timedelta):
            return {"$": "pytimedelta", "v": [value.days, value.seconds, value.microseconds]}
        if type(value).__name__ == "Bbox" and type(value).__module__ == "matplotlib.transforms":
            return {"$": "bbox", "v": [[float(x) for x in row] for row in value.get_points()]}
        raise Unstorable(f"values of type {type(value).__module__}.{type(value).__qualname__}")

    def dataclass(self, value: object) -> dict:
        cls = type(value)
        name = f"{cls.__module__}.{cls.__qualname__}"
        if not cls.__module__.startswith(PACKAGE + ".") or not _DATACLASS_NAME.fullmatch(name):
            raise Unstorable(f"dataclass {name} is not one of this package's")
        fields = {f.name: self.encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$": "dataclass", "type": name, "fields": fields}

    def scalar(self, value: Any, numpy: Any) -> dict:
        if value.dtype.kind not in NUMERIC_KINDS:
            raise Unstorable(f"numpy scalar of dtype {value.dtype}")
        return {"$": "npscalar", "dtype": value.dtype.str,
                "b": self.block(numpy.asarray(value).tobytes())}  # fmt: skip


def _zone(tz: object) -> str | None:
    if tz is None:
        return None
    key = getattr(tz, "key", None) or getattr(tz, "zone", None)  # zoneinfo, pytz
    if key is None and str(tz) == "UTC":
        key = "UTC"
    if key is None:
        raise Unstorable(f"time zone {tz!r}")
    return str(key)


# ------------------------------------------------------------------------------------ reading
def loads(content: bytes | bytearray) -> object:
    """The value of an entry (raises :class:`Damaged` for anything but a good entry)."""
    buffer = memoryview(content if isinstance(content, bytearray) else bytearray(content))
    if len(buffer) < START or bytes(buffer[: len(MAGIC)]) != MAGIC:
        raise Damaged("not a cache entry")
    if hashlib.sha256(buffer[len(MAGIC) + 32 :]).digest() != bytes(buffer[len(MAGIC) : 40]):
        raise Damaged("checksum does not match (damaged or altered)")
    start, length = HEAD.unpack(buffer[40:START])
    try:
        document = json.loads(bytes(buffer[start : start + length]))
        blocks = [buffer[a : a + n] for a, n in document["blocks"]]
        return _Reader(blocks, document["shared"]).decode(document["value"])
    except Damaged:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, LookupError,
            OverflowError, ImportError) as exc:  # fmt: skip
        raise Damaged(f"cannot be decoded: {type(exc).__name__}: {exc}") from None


def read(path: Path) -> object:
    with path.open("rb") as fh:
        content = bytearray(os.fstat(fh.fileno()).st_size)
        if fh.readinto(content) != len(content):
            raise Damaged("file changed while being read")
    return loads(content)


class _Reader:
    def __init__(self, blocks: list[memoryview], shared: list[Any]) -> None:
        self.blocks = blocks
        self.shared = shared
        self._decoded: dict[int, object] = {}

    def shared_value(self, number: int, decode: Any) -> Any:
        if number not in self._decoded:
            self._decoded[number] = decode(self.shared[number])
        return self._decoded[number]

    def decode(self, value: Any) -> Any:  # noqa: C901 - one branch per stored type
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if not isinstance(value, dict):
            return value
        tag = value.get("$")
        if tag is None:
            return {k: self.decode(v) for k, v in value.items()}
        if tag == "tuple":
            return tuple(self.decode(v) for v in value["v"])
        if tag == "dict":
            return {self.decode(k): self.decode(v) for k, v in value["v"]}
        if tag == "set":
            return {self.decode(v) for v in value["v"]}
        if tag == "frozenset":
            return frozenset(self.decode(v) for v in value["v"])
        if tag == "bytes":
            return bytes(self.blocks[value["b"]])
        if tag == "path":
            return Path(value["v"])
        if tag == "dataclass":
            return self.dataclass(value)
        if tag in {"frame", "series", "index"}:
            from . import cacheframes

            return cacheframes.decode(self, value)
        if tag == "ndarray":
            from . import cacheframes

            return cacheframes.decode_array(self, value["v"])
        if tag in {"NaT", "NA", "timestamp", "timedelta"}:
            import pandas as pd

            if tag in {"NaT", "NA"}:
                return pd.NaT if tag == "NaT" else pd.NA
            if tag == "timedelta":
                return pd.Timedelta(value["v"], unit="ns").as_unit(value["unit"])
            stamp = pd.Timestamp(value["v"], unit="ns", tz="UTC" if value["tz"] else None)
            return (stamp.tz_convert(value["tz"]) if value["tz"] else stamp).as_unit(value["unit"])
        if tag == "npscalar":
            import numpy as np

            return np.frombuffer(self.blocks[value["b"]], dtype=numeric_dtype(value["dtype"]))[0]
        if tag == "datetime":
            return dt.datetime.fromisoformat(value["v"])
        if tag == "date":
            return dt.date.fromisoformat(value["v"])
        if tag == "pytimedelta":
            return dt.timedelta(*value["v"])
        if tag == "bbox":
            from matplotlib.transforms import Bbox

            return Bbox(value["v"])
        raise Damaged(f"unknown tag {tag!r}")

    def dataclass(self, value: dict) -> object:
        """One of this package's dataclasses, rebuilt field by field (``__init__`` and
        ``__post_init__`` are not called, as unpickling would not): only a class defined in a
        ``sefanalysis`` module, found in that module, is ever built."""
        name = value["type"]
        if not _DATACLASS_NAME.fullmatch(name):
            raise Damaged(f"{name!r} is not one of this package's types")
        module_name, _, class_name = name.rpartition(".")
        cls = getattr(importlib.import_module(module_name), class_name, None)
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)
                and cls.__module__ == module_name):  # fmt: skip
            raise Damaged(f"{name!r} is not a dataclass of this package")
        stored = value["fields"]
        fields = {f.name: f for f in dataclasses.fields(cls)}
        if set(stored) - set(fields):
            raise Damaged(f"{name} has no field(s) {sorted(set(stored) - set(fields))}")
        obj = object.__new__(cls)
        for field_name, field in fields.items():
            if field_name in stored:
                item = self.decode(stored[field_name])
            elif field.default is not dataclasses.MISSING:
                item = field.default
            elif field.default_factory is not dataclasses.MISSING:
                item = field.default_factory()
            else:
                raise Damaged(f"{name} entry lacks field {field_name!r}")
            object.__setattr__(obj, field_name, item)
        return obj


def numeric_dtype(text: str) -> Any:
    """A numpy dtype of numbers, booleans or datetimes, never objects or records."""
    import numpy as np

    dtype = np.dtype(text)
    if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None or dtype.subdtype:
        raise Damaged(f"dtype {text!r} is not stored")
    return dtype
