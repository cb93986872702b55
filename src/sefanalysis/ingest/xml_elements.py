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

LT, GT, SLASH, NEWLINE, AMPERSAND, CARRIAGE_RETURN = b"<>/\n&\r"


def _byte_class(chars: bytes) -> np.ndarray:
    """A lookup table: whether each byte value is one of ``chars``."""
    table = np.zeros(256, bool)
    table[np.frombuffer(chars, np.uint8)] = True
    return table


# bytes that cannot be in a bare tag name: whitespace (attributes follow), "=", quotes, ":"
# (a namespace prefix, which lxml resolves to "{uri}name")
NOT_IN_NAMES = _byte_class(b" \t\n=\"':")
WHITESPACE = _byte_class(b" \t\n")
OTHER_NODES = _byte_class(b"!?")  # after "<": not an element


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
    """The elements of ``tree``, the lxml parse of ``data``. The byte scan is taken only when
    it finds as many elements as lxml did (a second line of defence: the scan's own checks
    decline any file it cannot read, and its output equals the tree's on every golden case)."""
    fast = _from_bytes(data) if _plain(data, tree) else None
    if fast is not None and int(tree.xpath("count(//*)")) != len(fast.tag):
        fast = None
    return fast if fast is not None else _from_tree(tree.getroot())


def _plain(data: bytes, tree) -> bool:
    """Whether the document is in UTF-8 (what the byte scanner reads)."""
    return (tree.docinfo.encoding or "").lower() in ("utf-8", "us-ascii", "ascii")


def _from_bytes(data: bytes) -> Elements | None:
    """Tags found by their ``<`` and ``>``; None if a tag has more than its name."""
    a = np.frombuffer(data, np.uint8)
    declared = data.startswith((b"<?", b"\xef\xbb\xbf<?"))  # <?xml version=...?>
    start = data.find(b"?>") + 2 if declared else 0
    lt = np.flatnonzero(a == LT)
    lt = lt[lt >= start]
    gt = np.flatnonzero(a == GT)
    gt = gt[gt >= start]
    alternate = len(gt) == len(lt) and (gt > lt).all()
    close = gt if alternate else gt[np.searchsorted(gt, lt)]  # ">" may also stand in text
    if len(lt) == 0 or (close[:-1] > lt[1:]).any() or OTHER_NODES[a[lt + 1]].any():
        return None  # a "<" in a tag, or a comment, CDATA, DOCTYPE or processing instruction
    if (a == AMPERSAND).any() or (a == CARRIAGE_RETURN).any():
        return None  # entities to resolve, line ends to normalise
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
    element_depth = depth[tags]
    by_depth = _rows_by_depth(element_depth, is_empty[tags])
    # an element's parent: the last element holding others opened at the depth above it
    parent = np.full(len(tags), -1, np.int64)
    for level in range(1, len(by_depth)):
        here = np.flatnonzero(element_depth == level)
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
    words = window.view("<u8")  # a name as integers of 8 bytes (and the bytes after it)
    for k in range(words.shape[1]):  # keep the name's bytes only
        left = np.clip(lengths - 8 * k, 0, 8).astype(np.uint64) * np.uint64(8)
        words[:, k] &= np.where(left == 64, ~np.uint64(0), (np.uint64(1) << left) - np.uint64(1))
    hashed = words[:, 0].copy()
    for k in range(1, words.shape[1]):
        hashed = hashed * np.uint64(1_000_003) ^ words[:, k]
    tag, _ = pd.factorize(hashed)
    first_row = np.zeros(tag.max() + 1, np.int64)
    first_row[tag[::-1]] = np.arange(len(tag))[::-1]
    if (words != words[first_row[tag]]).any():  # two names with one hash: compare them all
        return None, None
    names = [bytes(a[starts[i] : ends[i]]) for i in first_row]
    if any(NOT_IN_NAMES[np.frombuffer(name, np.uint8)].any() for name in names):
        return None, None
    return tag.astype(np.int64), np.array([name.decode() for name in names], dtype=object)


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
