"""pandas frames, series and indexes in rerun-cache entries (see ``cachefile``), column by column:
numbers, booleans and datetimes as their raw bytes, categoricals as codes plus categories, text
and other objects as JSON values. Imported only when an entry holds one.

A frame is decoded again as soon as it is encoded and compared with the original (values,
dtypes, categories, index and labels); one that would not come back identical is not stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .cachefile import Damaged, Unstorable, _zone, numeric_dtype

if TYPE_CHECKING:
    from .cachefile import _Reader, _Writer

MASKED = {"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
          "Float32", "Float64", "boolean"}  # fmt: skip


def encode(writer: _Writer, value: pd.DataFrame | pd.Series | pd.Index) -> dict:
    if isinstance(value, pd.Index):
        encoded = {"$": "index", "v": encode_index(writer, value)}
    elif isinstance(value, pd.Series):
        encoded = {"$": "series", "values": encode_array(writer, value.array),
                   "index": encode_index(writer, value.index), "name": writer.encode(value.name),
                   "attrs": writer.encode(dict(value.attrs))}  # fmt: skip
    else:
        encoded = {"$": "frame",
                   "columns": [encode_array(writer, value.iloc[:, i].array)
                               for i in range(value.shape[1])],
                   "labels": encode_index(writer, value.columns),
                   "index": encode_index(writer, value.index),
                   "attrs": writer.encode(dict(value.attrs)),
                   "duplicates": value.flags.allows_duplicate_labels}  # fmt: skip
    _check_round_trip(writer, value, encoded)
    return encoded


def _check_round_trip(writer: _Writer, value: Any, encoded: dict) -> None:
    from .cachefile import _Reader

    blocks = [memoryview(b) for b in writer.blocks]
    try:
        back = decode(_Reader(blocks, writer.shared), encoded)
        if isinstance(value, pd.Index):
            pd.testing.assert_index_equal(back, value, exact=True, check_exact=True,
                                          check_categorical=True)  # fmt: skip
        elif isinstance(value, pd.Series):
            pd.testing.assert_series_equal(back, value, check_exact=True, check_index_type=True,
                                           check_series_type=True, check_flags=True)  # fmt: skip
        else:
            pd.testing.assert_frame_equal(back, value, check_exact=True, check_index_type=True,
                                          check_column_type=True, check_frame_type=True,
                                          check_flags=True)  # fmt: skip
    except (AssertionError, Damaged, TypeError, ValueError) as exc:
        raise Unstorable(f"a {type(value).__name__} that would not come back identical: "
                         f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                         ) from None  # fmt: skip


def encode_index(writer: _Writer, index: pd.Index) -> dict:
    if isinstance(index, pd.RangeIndex):
        return {"range": [index.start, index.stop, index.step], "name": writer.encode(index.name)}
    if isinstance(index, pd.MultiIndex):
        return {"levels": [encode_array(writer, index.get_level_values(i).array)
                           for i in range(index.nlevels)],
                "names": [writer.encode(n) for n in index.names]}  # fmt: skip
    freq = getattr(index, "freqstr", None)
    return {"values": encode_array(writer, index.array), "name": writer.encode(index.name),
            "freq": freq}  # fmt: skip


def encode_array(writer: _Writer, values: Any) -> dict:
    """One column: a numpy array or a pandas extension array."""
    if type(values) is pd.arrays.NumpyExtensionArray:  # not its subclass StringArray
        values = values.to_numpy()
    dtype = values.dtype
    if isinstance(dtype, np.dtype):
        array = np.asarray(values)
        if dtype.kind in "biufcmM" and dtype.fields is None and array.ndim == 1:
            return {"numpy": dtype.str, "b": writer.block(array.tobytes())}
        if dtype.kind == "O" and array.ndim == 1:
            return {"objects": [writer.encode(v) for v in array.tolist()]}
        raise Unstorable(f"numpy arrays of dtype {dtype} and shape {array.shape}")
    if isinstance(dtype, pd.CategoricalDtype):
        shared = writer.share(dtype, lambda d: {"categories": encode_index(writer, d.categories),
                                                "ordered": d.ordered})  # fmt: skip
        return {"categorical": encode_array(writer, np.asarray(values.codes)), "dtype": shared}
    if isinstance(dtype, pd.DatetimeTZDtype):
        utc = np.asarray(values.tz_convert("UTC").tz_localize(None))
        return {"zone": _zone(dtype.tz), "utc": encode_array(writer, utc)}
    if isinstance(dtype, pd.StringDtype):
        text = values.to_numpy(dtype=object, na_value=None).tolist()
        na = "nan" if dtype.na_value is not pd.NA else "NA"
        return {"string": dtype.storage, "na": na, "v": text}
    if dtype.name in MASKED:
        mask = np.asarray(pd.isna(values))
        data = values.to_numpy(dtype=dtype.numpy_dtype, na_value=0 if dtype.kind != "b" else False)
        return {"masked": dtype.name, "data": encode_array(writer, data),
                "mask": encode_array(writer, mask)}  # fmt: skip
    raise Unstorable(f"columns of dtype {dtype}")


def decode(reader: _Reader, value: dict) -> Any:
    tag = value["$"]
    if tag == "index":
        return decode_index(reader, value["v"])
    index = decode_index(reader, value["index"])
    if tag == "series":
        series = _series(decode_array(reader, value["values"]), index)
        series.name = reader.decode(value["name"])
        series.attrs.update(reader.decode(value["attrs"]))
        return series
    columns = [decode_array(reader, c) for c in value["columns"]]
    labels = decode_index(reader, value["labels"])
    if len(columns) != len(labels):
        raise Damaged("a frame's columns and labels differ in number")
    if columns:
        frame = pd.DataFrame({i: _series(c, None) for i, c in enumerate(columns)}, copy=False)
        frame.index = index
    else:
        frame = pd.DataFrame(index=index)
    frame.columns = labels
    frame.attrs.update(reader.decode(value["attrs"]))
    return frame.set_flags(allows_duplicate_labels=bool(value["duplicates"]))


def _series(values: Any, index: pd.Index | None) -> pd.Series:
    """A column as stored: its dtype given explicitly (pandas would read text held as objects
    as its string dtype)."""
    series = pd.Series(values, dtype=values.dtype, copy=False)
    if index is not None:
        series.index = index
    return series


def decode_index(reader: _Reader, value: dict) -> pd.Index:
    if "range" in value:
        return pd.RangeIndex(*value["range"], name=reader.decode(value["name"]))
    if "levels" in value:
        return pd.MultiIndex.from_arrays(
            [decode_array(reader, v) for v in value["levels"]],
            names=[reader.decode(n) for n in value["names"]],
        )
    values = decode_array(reader, value["values"])
    index = pd.Index(values, name=reader.decode(value["name"]), dtype=values.dtype, copy=False)
    if value.get("freq"):
        index = pd.DatetimeIndex(index, freq=value["freq"])
    return index


def decode_array(reader: _Reader, value: dict) -> Any:
    if "numpy" in value:
        return np.frombuffer(reader.blocks[value["b"]], dtype=numeric_dtype(value["numpy"]))
    if "objects" in value:
        items = [reader.decode(v) for v in value["objects"]]
        array = np.empty(len(items), dtype=object)
        if any(isinstance(v, list | tuple | np.ndarray) for v in items):
            for i, item in enumerate(items):  # sequences as cells: numpy would make them rows
                array[i] = item
        else:
            array[:] = items
        return array
    if "categorical" in value:
        dtype = reader.shared_value(value["dtype"], lambda d: pd.CategoricalDtype(
            decode_index(reader, d["categories"]), ordered=bool(d["ordered"])))  # fmt: skip
        return pd.Categorical.from_codes(decode_array(reader, value["categorical"]), dtype=dtype)
    if "zone" in value:
        utc = decode_array(reader, value["utc"])
        return pd.array(utc).tz_localize("UTC").tz_convert(value["zone"])
    if "string" in value:
        na = np.nan if value["na"] == "nan" else pd.NA
        return pd.array(value["v"], dtype=pd.StringDtype(value["string"], na_value=na))
    if "masked" in value:
        if value["masked"] not in MASKED:
            raise Damaged(f"dtype {value['masked']!r} is not stored")
        kind = pd.api.types.pandas_dtype(value["masked"]).kind
        build = {"i": pd.arrays.IntegerArray, "u": pd.arrays.IntegerArray,
                 "f": pd.arrays.FloatingArray, "b": pd.arrays.BooleanArray}[kind]  # fmt: skip
        data = decode_array(reader, value["data"])
        return build(data, decode_array(reader, value["mask"]).astype(bool))
    raise Damaged("unknown column encoding")
