"""Chapter 2's tables link every source address on its own (issue 17: two addresses in one
cell shared one href)."""
from __future__ import annotations

import re

import pytest

from riskoff import ch2


@pytest.mark.parametrize("table", [ch2.events_table, ch2.odds_table, ch2.decisions_table])
def test_every_address_is_its_own_link(table):
    html = table().data
    hrefs = re.findall(r'<a href="([^"]*)"', html)
    assert hrefs and all(re.fullmatch(r"https?://\S+", h) for h in hrefs), hrefs
    # Each address in the text is a link, the link's text is its own address.
    for href, text in re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', html):
        assert href == text
    cells = re.sub(r"<a [^>]*>[^<]*</a>", "", html)
    assert not re.search(r"https?://", cells), "an address outside a link"


def test_the_two_fomc_sources_of_29_oct_are_two_links():
    e = ch2.events().set_index("label")
    urls = e.loc["FOMC · Powell", "source"].split()
    assert len(urls) == 2
    html = ch2.events_table().data
    for u in urls:
        assert f'<a href="{u}" target="_blank">{u}</a>' in html
