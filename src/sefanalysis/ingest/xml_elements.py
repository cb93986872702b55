"""An XML document's elements as columns (one row per element, in document order), so that a
reader can select, join and check them as arrays instead of walking the tree in Python.

For each element: its tag, the row of its parent, its line (lxml's ``sourceline``), its text and
tail as lxml gives them (stripped of surrounding whitespace, ``""`` when absent) and its number of
child nodes (``len(element)``: elements, comments and processing instructions).

Plain files (UTF-8, no comments, CDATA, entities, processing instructions after the declaration,
attributes or carriage returns: what census software writes) are cut into tags with numpy on the
file's bytes, and checked to be well-formed there (:func:`scan`), so that lxml need not build
their tree; any other file is parsed by lxml and taken from its tree element by element.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

LT, GT, SLASH, NEWLINE, TAB = b"<>/\n\t"
BOM = b"\xef\xbb\xbf"
# the XML declarations the scanner reads (any other is left to lxml)
DECLARATION = re.compile(rb"<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(['\"])1\.0\1"
                         rb"(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(['\"])(?i:utf-8)\2)?"
                         rb"(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(['\"])(?:yes|no)\3)?"
                         rb"[ \t\n]*\?>")  # fmt: skip
# the tag names the scanner reads: XML names in ASCII without a namespace prefix (others, and
# a tag with attributes or spaces, are left to lxml)
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*")
MAX_DEPTH = 255  # deeper documents are left to lxml (whose limits they may meet)


def _byte_class(chars: bytes) -> np.ndarray:
    """A lookup table: whether each byte value is one of ``chars``."""
    table = np.zeros(256, bool)
    table[np.frombuffer(chars, np.uint8)] = True
    return table


WHITESPACE = _byte_class(b" \t\n")  # in a plain document (no other control characters)
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
    stop: np.ndarray | None = None  # scanned files: the byte after each element's end

    def is_(self, *names: str) -> np.ndarray:
        """Whether each element's tag is one of ``names``."""
        return np.isin(np.asarray(self.names, dtype=object), names)[self.tag]


def scan(data: bytes) -> Elements | None:
    """The elements of a plain document read from its bytes alone, or None when the document is
    not plain or not well-formed XML (lxml is then to read it, and say what is wrong). The checks
    are those of XML for such a document: characters XML allows, in UTF-8; one root; every
    element closed by an end tag of its name; nothing but whitespace around the root."""
    return _from_bytes(data) if _plain(data, None) else None


def head(data: bytes, el: Elements, tag: str) -> bytes:
    """The beginning of a scanned document up to its root's last child named ``tag`` and the
    text after it (all of it if none), closed by the root's end tag: a small well-formed
    document on the same lines, for code written for lxml's tree (a return's header)."""
    name = el.names[el.tag[0]].encode()
    top = np.flatnonzero((el.parent == 0) & el.is_(tag))
    if len(top):
        cut = data.find(b"<", el.stop[top[-1]])
    else:  # the root's start tag and its text
        cut = data.find(b"<", data.find(b">", data.find(b"<" + name)) + 1)
    if cut < 0:  # an empty root (<Message/>) is all there is
        return data
    return data[:cut] + b"</" + name + b">"


def elements(data: bytes, tree) -> Elements:
    """The elements of ``tree``, the lxml parse of ``data``. The byte scan is taken only when
    it finds as many elements as lxml did (a second line of defence: the scan's own checks
    decline any file it cannot read, and its output equals the tree's on every golden case)."""
    fast = _from_bytes(data) if _plain(data, tree) else None
    if fast is not None and int(tree.xpath("count(//*)")) != len(fast.tag):
        fast = None
    return fast if fast is not None else _from_tree(tree.getroot())


def _plain(data: bytes, tree) -> bool:
    """Whether the document is in UTF-8 (what the byte scanner reads): as lxml read it (``tree``)
    or, before any parse (``tree`` None), by its bytes: UTF-8 holding no character XML forbids
    outside ASCII (the scan checks ASCII's)."""
    if tree is not None:
        return (tree.docinfo.encoding or "").lower() in ("utf-8", "us-ascii", "ascii")
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\xef\xbf\xbe" not in data and b"\xef\xbf\xbf" not in data  # U+FFFE, U+FFFF


def _from_bytes(data: bytes) -> Elements | None:
    """Tags found by their ``<`` and ``>``; None if the document holds anything else than
    elements with bare names and their texts, or is not well-formed."""
    start = len(BOM) if data.startswith(BOM) else 0
    if data.startswith(b"<?", start):  # <?xml version=...?>
        declared = DECLARATION.match(data, start)
        if declared is None:
            return None
        start = declared.end()
    if b"&" in data or (b"]" in data and b"]]>" in data):
        return None  # entities to resolve; "]]>" may not stand in text
    a = np.frombuffer(data, np.uint8)
    marks = np.empty(len(a), bool)  # one buffer for every test of the bytes (fewer page faults)
    newlines = np.flatnonzero(np.equal(a, NEWLINE, out=marks))
    tabs = np.count_nonzero(np.equal(a, TAB, out=marks))
    if np.count_nonzero(np.less(a, 0x20, out=marks)) != len(newlines) + tabs:
        return None  # carriage returns (line ends to normalise), control characters
    lt = np.flatnonzero(np.equal(a, LT, out=marks))
    lt = lt[np.searchsorted(lt, start) :]
    gt = np.flatnonzero(np.equal(a, GT, out=marks))
    gt = gt[np.searchsorted(gt, start) :]
    del marks
    if len(lt) == 0 or len(gt) == 0 or gt[-1] < lt[-1]:
        return None
    alternate = len(gt) == len(lt) and (gt > lt).all()
    close = gt if alternate else gt[np.searchsorted(gt, lt)]  # ">" may also stand in text
    after_lt = a[1:][lt]  # the byte after each "<" (a ">" follows it)
    if (close[:-1] > lt[1:]).any() or OTHER_NODES[after_lt].any():
        return None  # a "<" in a tag, or a comment, CDATA, DOCTYPE or processing instruction
    if not (WHITESPACE[a[start : lt[0]]].all() and WHITESPACE[a[close[-1] + 1 :]].all()):
        return None  # text before or after the root
    is_end = after_lt == SLASH
    is_empty = ~is_end & (a[close - 1] == SLASH)
    # names of every tag, start and end: codes into the distinct names
    code, names = _names(data, lt + 1 + is_end, close - is_empty)
    if code is None:
        return None
    # open elements after each tag: one root, closed by the last tag, no deeper than MAX_DEPTH
    opens = (~is_end).astype(np.int8) - is_end - is_empty  # 1, 0 (<Tag/>) or -1 (</Tag>)
    level = np.cumsum(opens, dtype=np.int32)
    if level[-1] != 0 or (level[:-1] <= 0).any() or level.max() > MAX_DEPTH:
        return None
    depth = (level - opens - is_end).astype(np.int16)  # an end tag sits at its element's depth
    # at each depth, start tags of elements holding others and end tags alternate: the k-th
    # end tag at a depth closes the k-th such element at it, and must carry its name
    opened = np.flatnonzero(~is_end & ~is_empty)
    ends = np.flatnonzero(is_end)
    opened = opened[np.argsort(depth[opened], kind="stable")]
    ends = ends[np.argsort(depth[ends], kind="stable")]
    if (code[opened] != code[ends]).any():
        return None
    last_tag = np.arange(len(lt))  # the tag ending each element (its own if empty)
    last_tag[opened] = ends
    tags = np.flatnonzero(~is_end)  # the elements, as positions among the tags
    element_depth = depth[tags]
    by_depth = _rows_by_depth(element_depth, is_empty[tags])
    # an element's parent: the last element holding others opened at the depth above it
    parent = np.full(len(tags), -1, np.int64)
    for d in range(1, len(by_depth)):
        here = np.flatnonzero(element_depth == d)
        above = by_depth[d - 1]
        parent[here] = above[np.searchsorted(above, here) - 1]
    line = np.searchsorted(newlines, lt[tags]) + 1
    # the text after each tag, to the next "<": an element's text follows its start tag (none
    # for an empty one), its tail follows the tag that ends it
    after = _texts(data, close + 1, np.append(lt[1:], len(a)))
    text = pc.fill_null(after.take(pa.array(tags, mask=is_empty[tags])), _large(""))
    ending = last_tag[tags[1:]]  # not the root's
    tails = after.take(pa.array(ending))
    inked = np.flatnonzero(pc.not_equal(tails, _large("")).to_numpy(zero_copy_only=False))
    tail = np.full(len(tags), "", dtype=object)
    tail[inked + 1] = tails.take(pa.array(inked)).to_numpy(zero_copy_only=False)
    nodes = np.bincount(parent[1:], minlength=len(tags)).astype(np.int64, copy=False)
    return Elements(code[tags], names, parent, line.astype(np.int64, copy=False), text, tail,
                    nodes, close[last_tag[tags]] + 1)  # fmt: skip


def _rows_by_depth(depth: np.ndarray, empty: np.ndarray) -> list[np.ndarray]:
    """For each depth, the elements at it that can hold others (not written ``<Tag/>``)."""
    return [np.flatnonzero((depth == level) & ~empty) for level in range(int(depth.max()) + 1)]


def _ranges(data: bytes, starts: np.ndarray, ends: np.ndarray, valid: bool) -> pa.Array:
    """The byte ranges ``starts[i]:ends[i]`` of ``data`` (in order, not overlapping) with the
    bytes between them as one Arrow array over the file's own buffer: ranges at even positions,
    the gaps at odd ones (null unless ``valid``)."""
    offsets = np.empty(2 * len(starts), np.int64)
    offsets[0::2], offsets[1::2] = starts, ends
    mask = None if valid else pa.py_buffer(np.full(len(starts) // 4 + 1, 0x55, np.uint8))
    return pa.LargeStringArray.from_buffers(2 * len(starts) - 1, pa.py_buffer(offsets),
                                            pa.py_buffer(data), mask)  # fmt: skip


def _names(data: bytes, starts: np.ndarray, ends: np.ndarray) -> tuple:
    """Each tag's name as a code into the distinct names (hashed by Arrow); (None, None) if a
    tag holds more than a bare name."""
    encoded = pc.dictionary_encode(_ranges(data, starts, ends, valid=False))
    codes = np.frombuffer(encoded.indices.buffers()[1], np.int32)[: 2 * len(starts) - 1 : 2]
    names = np.array(encoded.dictionary.to_pylist(), dtype=object)
    if not all(NAME.fullmatch(name) for name in names):
        return None, None
    return codes.astype(np.int64), names


def _texts(data: bytes, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
    """The text of each byte range, stripped of whitespace as Python strips it (outside ASCII,
    Unicode's spaces too: no-break space ...)."""
    texts = _ranges(data, starts, ends, valid=True).take(pa.array(np.arange(0, 2 * len(starts),
                                                                             2)))  # fmt: skip
    trim = pc.ascii_trim_whitespace if data.isascii() else pc.utf8_trim_whitespace
    return trim(texts)


def _large(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


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
