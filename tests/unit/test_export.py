"""The reviewer HTML's table of contents."""

from __future__ import annotations

from bs4 import BeautifulSoup

from sefanalysis.report.export import add_toc

PAGE = """<html><body><h1>Help and protection</h1>
<nav class="sef-toc" aria-label="Contents" id="sef-toc"></nav>
<h2 id="at-a-glance">At a glance</h2>
<h3 id="ind-referrals">Referrals <em>received</em></h3>
<h3>Re-referrals &amp; repeats</h3>
<h2 id="timeliness">Timeliness</h2>
<h2 id="about-this-report">About this report</h2>
</body></html>"""


def test_contents_nest_h3_under_h2_and_link_every_heading():
    soup = BeautifulSoup(add_toc(PAGE), "html.parser")
    nav = soup.find(id="sef-toc")
    top = nav.find("ul", recursive=False)
    first, second = top.find_all("li", recursive=False)
    assert first.a["href"] == "#at-a-glance" and first.a.string == "At a glance"
    nested = [(a["href"], a.string) for a in first.ul.find_all("a")]
    assert nested == [("#ind-referrals", "Referrals received"),
                      ("#re-referrals-repeats", "Re-referrals & repeats")]  # fmt: skip
    assert second.a["href"] == "#timeliness" and second.ul is None  # no empty list
    # the heading without an id gets the one its link points to; "About" is not listed
    assert soup.find("h3", id="re-referrals-repeats") is not None
    assert "#about-this-report" not in str(nav)


def test_a_page_without_the_contents_placeholder_is_unchanged():
    assert add_toc("<h2>Only</h2>") == "<h2>Only</h2>"


def test_indicator_and_breakdown_headings_are_not_listed():
    page = PAGE.replace(
        '<h2 id="timeliness">Timeliness</h2>',
        '<h2 id="timeliness">Timeliness</h2><h3 id="ind-x" class="sef-ind">X</h3>'
        '<h3 id="dist-y" class="sef-breakdown">Referrals by gender</h3>',
    )
    nav = BeautifulSoup(add_toc(page), "html.parser").find(id="sef-toc")
    assert "#ind-x" not in str(nav) and "#dist-y" not in str(nav)
    assert nav.find("a", href="#timeliness") is not None
