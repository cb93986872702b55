"""The byte scan of plain XML (``ingest.xml_elements``) is used only where it agrees with
lxml's own parse of the same file."""

from __future__ import annotations

import dataclasses

import numpy as np
from lxml import etree

from sefanalysis.ingest import xml_elements as X

DOCUMENT = b"<Message><Header><Year>2024</Year></Header><Children><Child><Id>A</Id></Child>" \
    b"<Child><Id>B</Id></Child></Children></Message>"  # fmt: skip


def test_a_plain_document_is_scanned_from_its_bytes_as_lxml_reads_it():
    tree = etree.ElementTree(etree.fromstring(DOCUMENT))
    scanned, walked = X._from_bytes(DOCUMENT), X._from_tree(tree.getroot())
    assert scanned is not None
    assert list(scanned.names[scanned.tag]) == list(walked.names[walked.tag])
    assert np.array_equal(scanned.parent, walked.parent)
    assert scanned.text.to_pylist() == walked.text.to_pylist()


def test_a_scan_that_counts_other_elements_than_lxml_is_not_used(monkeypatch):
    tree = etree.ElementTree(etree.fromstring(DOCUMENT))
    honest = X._from_bytes(DOCUMENT)
    short = dataclasses.replace(honest, tag=honest.tag[:-1], parent=honest.parent[:-1])
    monkeypatch.setattr(X, "_from_bytes", lambda data: short)
    found = X.elements(DOCUMENT, tree)
    assert len(found.tag) == 8 and found is not short
