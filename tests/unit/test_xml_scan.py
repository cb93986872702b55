"""A plain census return is read from its bytes without lxml's parse (``xml_elements.scan``):
the scan must accept only documents lxml accepts, and read them as lxml does. Checked here on
thousands of documents made by damaging well-formed ones at random (a byte or a tag added,
removed or changed), against lxml's own parse with the reader's settings."""

from __future__ import annotations

import random

import numpy as np
import pytest
from lxml import etree

from sefanalysis.ingest import xml_elements as X

PARSER = dict(resolve_entities=False, no_network=True, huge_tree=True)
CHILD = ("<Child><ChildIdentifiers><LAchildID>{id}</LAchildID><Sex>M</Sex>"
         "<PersonBirthDate>2015-01-01</PersonBirthDate></ChildIdentifiers>"
         "<ChildCharacteristics><Disabilities><Disability>HAND</Disability><Disability/>"
         "</Disabilities></ChildCharacteristics><CINdetails><CINreferralDate>2023-05-01"
         "</CINreferralDate><ReferralSource> 1A </ReferralSource></CINdetails>"
         "</Child>")  # fmt: skip
BODY = ("<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2024</Year>"
        "<ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails></Header><Children>"
        + CHILD.format(id="A1") + CHILD.format(id="Zoë b") + "</Children></Message>")  # fmt: skip


def _indented(body: str) -> bytes:
    """``body`` pretty-printed as census software writes it (8 spaces a level)."""
    root = etree.fromstring(body.encode())
    etree.indent(root, space="        ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


BASES = [
    BODY.encode(),
    ('<?xml version="1.0" encoding="UTF-8"?>\n' + BODY.replace("><", ">\n  <")).encode(),
    b"\xef\xbb\xbf" + BODY.replace("<Child>", "\n<Child>").encode(),
    _indented(BODY),
]
# pieces a damaged document is made of: XML's delimiters, whitespace, control characters,
# name characters, quotes, UTF-8 and broken UTF-8, and what XML forbids in text
PIECES = [b"<", b">", b"/", b"?", b"!", b"&", b"]]>", b"]", b"-", b".", b"_", b":", b" ", b"\t",
          b"\n", b"\r", b"\x00", b"\x0b", b"\x7f", b"A", b"z", b"9", b"=", b'"', b"'",
          b"\xc3\xa9", b"\xc3", b"\xa0", b"\xef\xbf\xbe", b"\xed\xa0\x80", b"<x>", b"</x>",
          b"<x/>", b"<!-- c -->", b"<?pi?>", b"<![CDATA[a]]>", b"&amp;", b'<?xml version="1.0"?>',
          b"\xef\xbb\xbf"]  # fmt: skip


def _damaged(rng: random.Random) -> bytes:
    doc = bytearray(rng.choice(BASES))
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        at = rng.randrange(len(doc) + 1)
        how = rng.random()
        if how < 0.35:  # insert a piece
            doc[at:at] = rng.choice(PIECES)
        elif how < 0.6:  # delete a few bytes
            del doc[at : at + rng.choice([1, 1, 2, 5])]
        elif how < 0.8:  # replace a byte
            doc[at : at + 1] = rng.choice(PIECES)
        else:  # remove, repeat or rename a whole tag
            tags = [i for i, b in enumerate(doc) if b == ord("<")]
            start = rng.choice(tags)
            end = doc.find(b">", start) + 1
            tag = bytes(doc[start:end])
            if how < 0.87:
                del doc[start:end]
            elif how < 0.94:
                doc[end:end] = tag
            else:
                doc[start:end] = tag.replace(b"e", b"E", 1)
    return bytes(doc)


def _lxml(doc: bytes):
    try:
        return etree.fromstring(doc, etree.XMLParser(**PARSER))
    except etree.XMLSyntaxError:
        return None


def _same(scanned: X.Elements, walked: X.Elements) -> None:
    assert list(scanned.names[scanned.tag]) == list(walked.names[walked.tag])
    assert np.array_equal(scanned.parent, walked.parent)
    assert np.array_equal(scanned.line, walked.line)
    assert scanned.text.to_pylist() == walked.text.to_pylist()
    assert list(scanned.tail) == list(walked.tail)
    assert np.array_equal(scanned.nodes, walked.nodes)


def test_the_undamaged_documents_are_scanned_as_lxml_reads_them():
    for doc in BASES:
        scanned = X.scan(doc)
        assert scanned is not None
        _same(scanned, X._from_tree(_lxml(doc)))


@pytest.mark.parametrize("seed", range(4))
def test_a_damaged_document_is_scanned_only_if_lxml_reads_it_and_as_lxml_reads_it(seed):
    rng = random.Random(seed)
    accepted = 0
    for _ in range(2500):
        doc = _damaged(rng)
        scanned = X.scan(doc)
        if scanned is None:
            continue
        root = _lxml(doc)
        assert root is not None, doc
        _same(scanned, X._from_tree(root))
        accepted += 1
    assert accepted > 120  # the damage leaves many documents well-formed (a changed text ...)


def test_the_head_of_a_scanned_document_is_its_beginning_closed_on_the_same_lines():
    doc = BASES[1].replace(b"</Header>", b"</Header> tail\n")
    head = X.head(doc, X.scan(doc), "Header")
    root = etree.fromstring(head)
    assert head.startswith(doc[: doc.index(b"</Header>")]) and head.endswith(b"</Message>")
    assert root.find("Header").tail.strip() == "tail"
    full = etree.fromstring(doc)
    assert [e.sourceline for e in root.iter()] == [e.sourceline for e in full.iter()][:len(
        list(root.iter()))]  # fmt: skip
    assert X.head(b"<Message/>", X.scan(b"<Message/>"), "Header") == b"<Message/>"
    assert X.head(b"<M>x<C/></M>", X.scan(b"<M>x<C/></M>"), "Header") == b"<M>x</M>"
