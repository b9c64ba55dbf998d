"""The site reader (tests/support/site_reader.py) catches what it is for: a page that shows front matter
and is titled Index, a broken link and a missing anchor. It reads whole sites in
tests/site/test_site_reader_sites.py."""

from __future__ import annotations

from support.site_reader import SiteReader, read_page


def test_the_reader_itself_catches_what_it_is_for(tmp_path) -> None:
    """The checks fail on the defects they exist for: a page showing front matter and titled Index, a
    broken link and a missing anchor."""
    site = tmp_path / "site"
    (site / "2025" / "09").mkdir(parents=True)
    (site / "index.html").write_text('<title>Home</title><h1>Home</h1><a href="2025/09/#nowhere">x</a>'
                                     '<a href="missing/">y</a><a href="https://elsewhere.example/">z</a>')
    (site / "2025" / "09" / "index.html").write_text(
        "<title>Index - S</title><hr><h2>title: September 2025 description: x: 1 papers. hide: [toc]</h2>"
        "<p>{{ view.name }}</p>")
    reader = SiteReader(site, "https://user.github.io/archive/", "S")
    problems = "\n".join(reader.problems())
    assert "2025/09/index.html: titled 'Index - S'" in problems
    assert "front matter shows as text" in problems and "template syntax shows as text" in problems
    assert "has no element with id 'nowhere'" in problems
    assert "leads to missing/, which is not in the site" in problems
    assert "elsewhere" not in problems
    assert read_page("<title> A <b>x</b></title><h1>A</h1>").title == "A x"
