"""An XML document's elements as columns (one row per element, in document order), so that a
reader can select, join and check them as arrays instead of walking the tree in Python.

For each element: its tag, the row of its parent, its line (lxml's ``sourceline``), its text and
tail as lxml gives them (stripped of surrounding whitespace, ``""`` when absent) and its number of
child nodes (``len(element)``: elements, comments and processing instructions).

Plain files (UTF-8, no comments, CDATA, entities, processing instructions after the declaration,
attributes or carriage returns: what census software writes) are cut into tags with numpy on the
file's bytes; any other file that lxml parsed is taken from lxml's tree element by element.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

LT, GT, SLASH, NEWLINE = b"<>/\n"


def _byte_class(chars: bytes) -> np.ndarray:
    """A lookup table: whether each byte value is one of ``chars``."""
    table = np.zeros(256, bool)
    table[np.frombuffer(chars, np.uint8)] = True
    return table


# bytes that cannot be in a bare tag name: whitespace (attributes follow), "=", quotes, ":"
# (a namespace prefix, which lxml resolves to "{uri}name")
NOT_IN_NAMES = _byte_class(b" \t\n=\"':")
WHITESPACE = _byte_class(b" \t\n")


@dataclass(frozen=True)
class Elements:
    """Every element of one document, in document order (row 0 is the root)."""

    tag: np.ndarray  # int: position of the element's tag in ``names``
    names: np.ndarray  # the distinct tags (str)
    parent: np.ndarray  # row of the parent element; -1 for the root
    line: np.ndarray  # int64
    text: pa.Array  # str, stripped
    tail: np.ndarray  # str (object), stripped
    nodes: np.ndarray  # int64: child nodes

    def is_(self, *names: str) -> np.ndarray:
        """Whether each element's tag is one of ``names``."""
        codes = [i for i, name in enumerate(self.names) if name in names]
        return np.isin(self.tag, codes)


def elements(data: bytes, tree) -> Elements:
    """The elements of ``tree``, the lxml parse of ``data``."""
    fast = _from_bytes(data) if _plain(data, tree) else None
    return fast if fast is not None else _from_tree(tree.getroot())


def _plain(data: bytes, tree) -> bool:
    encoding = (tree.docinfo.encoding or "").lower()
    body = data[data.find(b"?>") + 2 :] if data.lstrip(b"\xef\xbb\xbf").startswith(b"<?") else data
    return encoding in ("utf-8", "us-ascii", "ascii") and not any(
        mark in body for mark in (b"&", b"<!", b"<?", b"\r")
    )


def _from_bytes(data: bytes) -> Elements | None:
    """Tags found by their ``<`` and ``>``; None if a tag has more than its name."""
    a = np.frombuffer(data, np.uint8)
    start = data.find(b"?>") + 2 if data.lstrip(b"\xef\xbb\xbf").startswith(b"<?") else 0
    lt = np.flatnonzero(a == LT)
    lt = lt[lt >= start]
    gt = np.flatnonzero(a == GT)
    alternate = len(gt) == len(lt) and (gt > lt).all()
    close = gt if alternate else gt[np.searchsorted(gt, lt)]  # ">" may also stand in text
    if len(lt) == 0 or (close[:-1] > lt[1:]).any():
        return None
    is_end = a[lt + 1] == SLASH
    is_empty = ~is_end & (a[close - 1] == SLASH)
    tags = np.flatnonzero(~is_end)  # the elements, as positions among the tags
    name_start, name_end = lt[tags] + 1, close[tags] - is_empty[tags]
    tag, names = _names(a, name_start, name_end)
    if tag is None:
        return None
    # depth: elements open before each tag (an end tag sits at its element's depth)
    opens = np.where(is_end, -1, np.where(is_empty, 0, 1))
    depth = np.cumsum(opens) - opens - is_end
    row_of_tag = np.cumsum(~is_end) - 1  # the element a tag starts (or the last one started)
    by_depth = _rows_by_depth(depth[tags], is_empty[tags])
    # an element's parent: the last element holding others opened at the depth above it
    parent = np.full(len(tags), -1, np.int64)
    for level in range(1, len(by_depth)):
        here = np.flatnonzero(depth[tags] == level)
        above = by_depth[level - 1]
        parent[here] = above[np.searchsorted(above, here) - 1]
    line = np.searchsorted(np.flatnonzero(a == NEWLINE), lt[tags]) + 1
    following = np.append(lt[1:], len(a))  # where the text after each tag ends
    text_end = np.where(is_empty[tags], close[tags] + 1, following[tags])
    text = _stripped(a, close[tags] + 1, text_end)
    # a tail follows the tag that ends its element: an end tag, or an empty element's tag
    ending = np.flatnonzero(is_end | is_empty)[:-1]  # not the root's
    tails = _inked(a, close[ending] + 1, following[ending])
    inked = np.flatnonzero(tails != "")
    ended = row_of_tag[ending[inked]]
    for k in np.flatnonzero(is_end[ending[inked]]):  # the few stray texts after an end tag
        same = by_depth[depth[ending[inked[k]]]]
        ended[k] = same[np.searchsorted(same, ended[k], side="right") - 1]
    tail = np.full(len(tags), "", dtype=object)
    tail[ended] = tails[inked]
    nodes = np.bincount(parent[1:], minlength=len(tags)).astype(np.int64)
    return Elements(tag, names, parent, line.astype(np.int64), text, tail, nodes)


def _rows_by_depth(depth: np.ndarray, empty: np.ndarray) -> list[np.ndarray]:
    """For each depth, the elements at it that can hold others (not written ``<Tag/>``)."""
    return [np.flatnonzero((depth == level) & ~empty) for level in range(int(depth.max()) + 1)]


def _stripped(a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
    """The text of each byte range, stripped of whitespace (an Arrow array)."""
    lengths = ends - starts
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    gather = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1])
    strings = pa.LargeStringArray.from_buffers(
        len(starts), pa.py_buffer(offsets.astype(np.int64)), pa.py_buffer(a[gather])
    )
    return pc.utf8_trim_whitespace(strings)


def _inked(a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """As ``_stripped`` as str objects, decoding only the ranges with more than whitespace
    (between elements there is mostly nothing, or indentation)."""
    out = np.full(len(starts), "", dtype=object)
    some = np.flatnonzero(ends > starts)
    lengths = ends[some] - starts[some]
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    gather = np.repeat(starts[some] - offsets[:-1], lengths) + np.arange(offsets[-1])
    ink = ~WHITESPACE[a[gather]]
    inked = some[np.add.reduceat(ink, offsets[:-1]) > 0] if len(some) else some
    if len(inked):
        out[inked] = _stripped(a, starts[inked], ends[inked]).to_numpy(zero_copy_only=False)
    return out


def _names(a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple:
    """Tag names as codes into the distinct names (each decoded once); (None, None) if a tag
    holds more than a bare name."""
    lengths = ends - starts
    width = -(-int(lengths.max()) // 8) * 8
    padded = np.concatenate([a, np.zeros(width, np.uint8)])
    window = np.lib.stride_tricks.sliding_window_view(padded, width)[starts]
    window = window * (np.arange(width) < lengths[:, None]).view(np.uint8)
    words = window.view(np.uint64)  # a name as width / 8 integers, hashed into one
    hashed = words[:, 0].copy()
    for k in range(1, words.shape[1]):
        hashed = hashed * np.uint64(1_000_003) ^ words[:, k]
    tag, first = pd.factorize(hashed)
    first_row = np.zeros(len(first), np.int64)
    first_row[tag[::-1]] = np.arange(len(tag))[::-1]
    if (words != words[first_row[tag]]).any():  # two names with one hash: compare them all
        return None, None
    if NOT_IN_NAMES[window[first_row]].any():
        return None, None
    names = [bytes(window[i]).rstrip(b"\0").decode() for i in first_row]
    return tag.astype(np.int64), np.array(names, dtype=object)


def _from_tree(root) -> Elements:
    """Any document lxml parsed (comments, entities, other encodings, attributes ...)."""
    found = [el for el in root.iter() if isinstance(el.tag, str)]
    row = {el: i for i, el in enumerate(found)}
    tag, names = pd.factorize(np.array([el.tag for el in found], dtype=object))
    return Elements(
        tag=tag.astype(np.int64),
        names=np.asarray(names, dtype=object),
        parent=np.array([row.get(el.getparent(), -1) for el in found], dtype=np.int64),
        line=np.array([el.sourceline for el in found], dtype=np.int64),
        text=pa.array([(el.text or "").strip() for el in found], type=pa.large_string()),
        tail=np.array([""] + [(el.tail or "").strip() for el in found[1:]], dtype=object),
        nodes=np.array([len(el) for el in found], dtype=np.int64),
    )
