"""Build the demo site for real (MkDocs + mkdocs-material) and check what a reader gets."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import shutil
import signal
from pathlib import Path

import pytest
from support.factories import SITE_URL, BuiltSite, new_project, stored_paper, write_day
from support.htmltext import element_by_id, pager_links, parse

from generator.cli import main
from generator.core.errors import UserError
from generator.core.project import Project
from generator.publish import jobs
from generator.publish.build import build_site
from generator.publish.jobs import ForkedJob


def site_digest(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture
def demo(demo_site: BuiltSite) -> Project:
    """The demo site built once for the whole session (conftest.demo_site): read it, never change it."""
    return demo_site.project


def page(project: Project, url: str) -> str:
    return (project.site_dir / url / "index.html").read_text()


def test_day_page_lists_cards_by_upvotes_with_ids_and_links(demo: Project) -> None:
    html = page(demo, "2026/11/16")
    ids = re.findall(r'<article class="dp-card" id="([^"]+)"', html)
    assert ids == ["2611.90001", "2611.90002", "2611.90003", "2611.90004", "2611.90005"]
    card = element_by_id(html, "2611.90001")
    assert card is not None
    assert "▲ 87" in card.content
    assert "Ada Example, Bram Placeholder" in card.content
    assert "Demo Lab (fictional)" in card.content
    assert "reasoning with long chains of thought" in card.content  # abstract
    assert "A fictional summary:" in card.content  # AI summary
    assert {"https://huggingface.co/papers/2611.90001", "https://arxiv.org/abs/2611.90001",
            "https://arxiv.org/pdf/2611.90001", "https://github.com/example/demo-0",
            "../../../p/2611.90001/", "../../../topics/reasoning/"} <= set(card.links)
    assert "GitHub ★ 1" in card.content


def test_untrusted_text_is_shown_as_written_and_never_obeyed(demo: Project) -> None:
    html = page(demo, "2026/11/16")
    title = element_by_id(html, "2611.90001")
    assert "Let's <think> about LLM Reasoning: Fictional Chains of Thought" in title.content
    assert "think" not in parse(html).all_tags
    second = element_by_id(html, "2611.90002")
    assert "A $1 Million Benchmark for \\& Agents That Use `tools`" in second.content
    assert "**bold** claims and [a link](https://example.org) stay text" in second.content
    assert "https://example.org" not in second.links
    assert "<strong>bold</strong>" not in html
    assert "code" not in second.tags
    third = element_by_id(html, "2611.90003")
    assert "{{ Template }} Diffusion: {% raw %} Image Generation Without Templates" in third.content
    naughty = element_by_id(page(demo, "2026/11/20"), "2611.90020")
    assert "Naughty Strings Survive: <script>alert(1)</script> & Friends" in naughty.content
    assert "<b>bold</b>, <EOS>, `code`, \\textsc{LaTeX} and {{ jinja }}" in naughty.content
    assert "script" not in naughty.tags and "b" not in naughty.tags
    assert not any(link.startswith("javascript:") for link in naughty.links)  # only http(s) become links


def test_a_long_author_list_says_how_many_and_holds_every_name(demo: Project) -> None:
    card = element_by_id(page(demo, "2026/11/16"), "2611.90004")
    assert "40 authors: Ada Example 1, Bram Placeholder 2, " in card.content  # one line until the card opens
    assert "Hana Dummy 40" in card.content


def test_hidden_authors_are_not_shown(demo: Project) -> None:
    card = element_by_id(page(demo, "2026/11/18"), "2611.90007")
    assert "Hidden Person" not in card.content


def test_empty_failed_and_weekend_days_look_different(demo: Project) -> None:
    assert "Hugging Face published no Daily Papers list for this day." in page(demo, "2026/11/17")
    failed = page(demo, "2026/11/23")
    assert "Fetching this day failed (HTTP 503 from the API after 5 tries (demo))" in failed
    assert not (demo.site_dir / "2026/11/21").exists()
    month = page(demo, "2026/11")
    assert 'class="dp-empty"' in month and 'class="dp-failed"' in month and 'class="dp-weekend"' in month


def test_a_day_the_archive_lacks_links_to_that_day_on_hugging_face(demo: Project) -> None:
    """A failed day (and a weekday never fetched, which the same template sentence serves) sends the
    reader to the day's list on Hugging Face rather than to a dead end."""
    notice = parse(page(demo, "2026/11/23")).by_tag["p"]
    failed = next(p for p in notice if "dp-failed" in p.attrs.get("class", ""))
    assert failed.links == ["https://huggingface.co/papers/date/2026-11-23"]
    assert "see this day's list on Hugging Face" in failed.content
    listed = parse(page(demo, "2026/11/18")).by_tag["a"]
    assert not any(a.attrs.get("href", "").startswith("https://huggingface.co/papers/date/") for a in listed)


def test_year_pages_lead_to_the_years_before_and_after(tmp_path: Path) -> None:
    """Like days, weeks and months, a year has previous and next links (rel, so ← and → follow them);
    the first year has no previous, the last no next."""
    root = new_project(tmp_path / "p")
    for date, pid in (("2024-03-04", "2403.00001"), ("2025-03-04", "2503.00001"), ("2026-03-04", "2603.00001")):
        write_day(root, date, [stored_paper(pid, 3)])
    project = Project.at(root)
    build_site(project, site_url=SITE_URL)

    assert pager_links(project.site_dir, "2025") == {"prev": "2024", "next": "2026"}
    assert pager_links(project.site_dir, "2024") == {"next": "2025"}
    assert pager_links(project.site_dir, "2026") == {"prev": "2025"}


def test_paper_on_two_days_is_on_both_and_its_permalink_goes_to_the_first(demo: Project) -> None:
    assert element_by_id(page(demo, "2026/11/16"), "2611.90002") is not None
    assert element_by_id(page(demo, "2026/11/19"), "2611.90002") is not None
    permalink = page(demo, "p/2611.90002")
    assert '<meta http-equiv="refresh" content="0; url=../../2026/11/16/#2611.90002">' in permalink
    assert 'href="../../2026/11/19/#2611.90002"' in permalink
    assert "<title>A $1 Million Benchmark for \\&amp; Agents That Use `tools`</title>" in permalink
    assert "featured on 2026-11-16, 2026-11-19." in parse(permalink).by_tag["p"][0].content


def test_periods_topics_and_home(demo: Project) -> None:
    home = page(demo, "")
    assert "Latest:" in home and element_by_id(home, "2611.90017") is not None  # 2026-11-20, the last listed
    week = page(demo, "weeks/2026-W47")
    assert "Most upvoted this week" in week and "Let&#39;s &lt;think&gt;" in week
    assert "Most upvoted in November 2026" in page(demo, "2026/11")
    assert "Most upvoted in 2026" in page(demo, "2026")
    topics = page(demo, "topics")
    assert 'href="../topics/other/"' in topics
    other = page(demo, "topics/other")
    assert "Strawberry Counting Considered Fictional" in other
    assert 'href="../../2026/11/20/#2611.90019"' in other
    assert "November 2026" in page(demo, "archive")


def test_navigation_is_small_and_fixed(demo: Project) -> None:
    html = page(demo, "2026/11/16")
    tabs = re.findall(r'class="md-tabs__link"', html)
    # Home, Archive, Topics, Organizations, Stats, Saved, Feeds, Subscribe, Data, About; search is the header's box
    assert len(tabs) == 10


def test_theme_indentation_is_trimmed_but_code_blocks_keep_theirs(demo: Project) -> None:
    html = page(demo, "snapshot-format")
    head, _, rest = html.partition("<pre>")
    assert "\n " not in head and "\n\n" not in head  # the theme's part: one newline, no indentation
    code = rest.partition("</pre>")[0]
    assert "\n    title: 'Self-Forcing++: ...'" in code


def test_the_theme_search_and_source_maps_are_left_out(demo: Project) -> None:
    assets = demo.site_dir / "assets"
    assert (assets / "stylesheets").is_dir() and list((assets / "javascripts").glob("bundle.*.min.js"))
    assert not (assets / "javascripts" / "lunr").exists() and not (assets / "javascripts" / "workers").exists()
    assert not list(demo.site_dir.rglob("*.map"))


def test_no_page_is_larger_than_300_kib(demo: Project) -> None:
    sizes = [p.stat().st_size for p in demo.site_dir.rglob("*.html")]
    assert max(sizes) < 300 * 1024


def test_rebuild_is_byte_identical_and_rewrites_nothing(demo: Project, tmp_path: Path) -> None:
    copy = Project.at(tmp_path / "copy")
    shutil.copytree(demo.root, copy.root, ignore=shutil.ignore_patterns("site", ".cache"))
    first = build_site(copy, site_url=SITE_URL)
    assert first.written == 0  # the docs folder came along unchanged
    before = site_digest(copy.site_dir)
    assert before == site_digest(demo.site_dir)
    second = build_site(copy, site_url=SITE_URL)
    assert second.written == 0
    assert site_digest(copy.site_dir) == before


def test_removed_snapshots_remove_their_pages(demo: Project, tmp_path: Path) -> None:
    copy = Project.at(tmp_path / "copy")
    shutil.copytree(demo.root, copy.root, ignore=shutil.ignore_patterns("site"))
    (copy.snapshots_dir / "2026" / "2026-11-23.yaml").unlink()
    report = build_site(copy, site_url=SITE_URL)
    assert report.removed >= 1
    assert not (copy.docs_dir / "2026/11/23/index.md").exists()
    assert not (copy.site_dir / "2026/11/23").exists()


def test_build_command_needs_a_site_url(tmp_path: Path, capsys) -> None:
    root = new_project(tmp_path / "p", with_demo=True)
    config = root / "mkdocs.yml"
    config.write_text(re.sub(r"(?m)^site_url:.*$", "", config.read_text()))
    assert main(["--root", str(root), "build"]) == 1
    assert "site_url is not set" in capsys.readouterr().err


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs os.fork")
def test_the_search_index_built_alongside_mkdocs_lands_in_the_site_or_fails_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    # `dailypapers build` runs one thread; this test process may hold others (browser and server tests)
    monkeypatch.setattr(ForkedJob, "can_fork", staticmethod(lambda: True))
    project = Project.at(new_project(tmp_path / "p", with_demo=True))
    build_site(project, site_url=SITE_URL)
    assert (project.site_dir / "search" / "index.html").is_file()  # MkDocs' page and the index side by side
    assert (project.site_dir / "search" / "manifest.json").is_file()
    assert list((project.site_dir / "search" / "shards").glob("*.json"))
    assert not (project.docs_dir.parent / "search-index").exists()  # the staging folder is gone

    def broken(*_: object) -> dict[str, bytes]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs, "build_search_index", broken)  # the name the build calls
    with pytest.raises(UserError, match="^building the search index failed: RuntimeError: disk on fire$"):
        build_site(project, site_url=SITE_URL)
    assert capfd.readouterr().err == ""  # the child told its parent; it printed nothing


def test_a_search_child_with_a_huge_error_fails_the_build_in_one_short_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error far larger than a pipe's buffer: the parent reads it before it waits for the child, and
    the line is cut, so the build neither hangs nor prints 200 KB."""
    monkeypatch.setattr(ForkedJob, "can_fork", staticmethod(lambda: True))
    project = Project.at(new_project(tmp_path / "p", with_demo=True))

    def verbose(*_: object) -> dict[str, bytes]:
        raise RuntimeError("disk on fire\n" * 20_000)

    monkeypatch.setattr(jobs, "build_search_index", verbose)
    with pytest.raises(UserError) as caught:
        build_site(project, site_url=SITE_URL)
    line = str(caught.value)
    assert line.startswith("building the search index failed: RuntimeError: disk on fire disk on fire")
    assert line.endswith("…") and len(line) < 400 and "\n" not in line


@pytest.mark.parametrize(("step", "named"), [("build_search_index", "search index"),
                                              ("build_data_export", "data downloads")])
def test_a_search_child_killed_outright_fails_the_build_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], step: str,
        named: str) -> None:
    """The out-of-memory killer's way: the child ends without a word; the parent still says what happened,
    naming what the child was making (it makes the downloads first, then the index)."""
    monkeypatch.setattr(ForkedJob, "can_fork", staticmethod(lambda: True))
    project = Project.at(new_project(tmp_path / "p", with_demo=True))

    def killed(*_: object) -> dict[str, bytes]:
        os.kill(os.getpid(), signal.SIGKILL)
        return {}

    monkeypatch.setattr(jobs, step, killed)
    with pytest.raises(UserError, match=f"^building the {named} failed: its process was killed by signal 9$"):
        build_site(project, site_url=SITE_URL)
    assert not project.site_dir.exists() and capfd.readouterr().err == ""


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs os.fork")
def test_downloads_made_in_the_search_child_are_the_files_and_checksums_the_data_page_lists(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The search index's child makes the downloads first and sends only their listing back: the Data
    page still names every file with its size and SHA-256, the same as when the build makes them itself
    (no fork), and no staging folder is left."""
    project = Project.at(new_project(tmp_path / "p", with_demo=True))
    built: dict[bool, tuple[dict[str, bytes], str]] = {}
    for fork in (True, False):
        monkeypatch.setattr(ForkedJob, "can_fork", staticmethod(lambda fork=fork: fork))
        build_site(project, site_url=SITE_URL)
        data = project.site_dir / "data"
        files = {p.relative_to(data).as_posix(): p.read_bytes() for p in sorted(data.rglob("*"))
                 if p.is_file() and p.name != "index.html"}
        built[fork] = files, page(project, "data")
        assert not (project.docs_dir.parent / "search-index").exists()
    assert built[True] == built[False]
    files, data_page = built[True]
    assert "papers.parquet" in files and any(re.fullmatch(r"\d{4}/papers\.csv\.gz", name) for name in files)
    for name, content in files.items():
        if name.rsplit("/", 1)[-1].startswith("papers"):
            assert hashlib.sha256(content).hexdigest() in data_page, f"{name}'s checksum is on the Data page"
    sums = files["SHA256SUMS"].decode()
    assert all(f"{hashlib.sha256(c).hexdigest()}  {n}" in sums for n, c in files.items() if n != "SHA256SUMS")


def test_build_timings_show_each_step_of_the_build_and_of_its_forked_jobs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(ForkedJob, "can_fork", staticmethod(lambda: True))
    root = new_project(tmp_path / "p", with_demo=True)
    assert main(["--root", str(root), "build", "--timings"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("built ") and "build profile" not in out  # stdout keeps its one summary line
    table = err[err.index("build profile"):].splitlines()[2:]
    assert table[0].startswith("| process | step | started at | wall | CPU | RSS after | PSS after |")
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table[2:] if line.startswith("|")]
    steps = {(row[0], row[1]) for row in rows}
    for expected in [("build", "load snapshots"), ("build", "pages"), ("build", "feeds"),
                     ("search index", "downloads"), ("search index", "index"),
                     ("similar papers", "similar papers"), ("similar papers", "permalinks")]:
        assert expected in steps, f"{expected} is in the profile"
    assert any(row[0] == "build" and row[1].startswith("MkDocs") for row in rows)
    starts = [float(row[2].removesuffix(" s")) for row in rows]
    assert starts == sorted(starts), "in the order the steps started"
    assert all(float(row[3].removesuffix(" s")) >= 0 and row[5].endswith(" MB") for row in rows)
    assert main(["--root", str(root), "build"]) == 0
    assert "build profile" not in capsys.readouterr().err, "only when asked for"


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs os.fork")
def test_where_it_cannot_fork_the_search_index_is_built_inline_and_lands_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = Project.at(new_project(tmp_path / "p", with_demo=True))
    monkeypatch.setattr(ForkedJob, "can_fork", staticmethod(lambda: True))
    build_site(project, site_url=SITE_URL)
    forked = {p.relative_to(project.site_dir): p.read_bytes() for p in (project.site_dir / "search").rglob("*.json")}
    monkeypatch.setattr(ForkedJob, "can_fork", staticmethod(lambda: False))
    build_site(project, site_url=SITE_URL)
    inline = {p.relative_to(project.site_dir): p.read_bytes() for p in (project.site_dir / "search").rglob("*.json")}
    assert inline == forked and len(inline) > 10
