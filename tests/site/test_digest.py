"""`dailypapers digest` and the /subscribe/ page: the message a reader's mail client gets, from demo and
hostile snapshots written in tmp_path, read back with the stdlib's email parser.

Sending over SMTP is tests/site/test_email.py's; the HTML part in Chromium, tests/browser/test_digest_browser.py's.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.factories import DIGEST_SITE_URL as SITE_URL
from support.factories import HOSTILE_AUTHOR, hostile_project, new_project, stored_paper, write_day
from support.htmltext import parse
from support.mail import digest_bytes, parse_message, parts

from generator.cli import main
from generator.core.errors import UserError
from generator.core.project import Project
from generator.publish.build import build_site


@pytest.fixture(autouse=True)
def no_mail_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SMTP_URL", "MAIL_FROM", "MAIL_TO", "SITE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_day_digest_is_a_two_part_email_with_stable_headers(demo_project: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_FROM", "Daily Papers <papers@example.org>")
    monkeypatch.setenv("MAIL_TO", "reader@example.net")
    data = digest_bytes(demo_project, "--date", "2026-11-20")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")  # SMTP line ends throughout
    message = parse_message(data)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in message.iter_parts())
    assert message["From"] == "Daily Papers <papers@example.org>"
    assert message["To"] == "reader@example.net"
    assert message["Subject"] == "Daily Papers, Friday, 20 November 2026: 4 papers"
    # The day's newest featured time, not the clock.
    assert message["Date"] == "Fri, 20 Nov 2026 03:15:00 +0000"
    assert message["Message-ID"] == "<digest-2026-11-20.daily-papers-archive@example.github.io>"
    assert message["List-Unsubscribe"] == (
        "<mailto:papers@example.org?subject=unsubscribe>, "
        f"<{SITE_URL}subscribe/#unsubscribe>")
    text, html = parts(message)
    titles = ["Mamba Meets Attention in a Hypothetical Hybrid", "Multilingual Translation for Invented Languages",
              "Naughty Strings Survive: <script>alert(1)</script> & Friends",
              "Strawberry Counting Considered Fictional"]
    positions = [text.index(title) for title in titles]
    assert positions == sorted(positions), "most upvoted first"
    assert "8 upvotes, 1 comment" in text
    assert "Ada Example, Bram Placeholder" in text
    assert "AI summary: A fictional summary: a state space model architecture" in text
    assert 'To unsubscribe, reply with "unsubscribe" (to papers@example.org), or see:' in " ".join(text.split())
    doc = parse(html)
    headings = [" ".join(e.content.split()) for e in doc.by_tag["h2"]]
    assert headings == titles
    assert "▲ 8 upvotes · 1 comment" in doc.by_tag["td"][2].content
    assert "style" not in doc.all_tags and "script" not in doc.all_tags, "mail clients drop <style>"
    assert max(len(line) for line in text.splitlines() if "://" not in line) <= 72


def test_same_data_gives_the_same_bytes_in_any_process(demo_project: Path) -> None:
    """Hash seed, locale and time of day never reach the message (the boundary is not random either)."""
    outputs = []
    for seed, lang in (("1", "C.UTF-8"), ("2", "de_DE.UTF-8")):
        env = {**os.environ, "PYTHONHASHSEED": seed, "LC_ALL": lang, "TZ": "Asia/Tokyo"}
        for name in ("SMTP_URL", "MAIL_FROM", "MAIL_TO", "SITE_URL"):
            env.pop(name, None)
        result = subprocess.run(
            [sys.executable, "-m", "generator", "--root", str(demo_project), "digest", "--date", "2026-11-16",
             "--site-url", SITE_URL], capture_output=True, check=True, env=env, timeout=600)
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    boundary = parse_message(outputs[0]).get_boundary()
    assert boundary and boundary.startswith("=_digest_")
    assert outputs[0] == digest_bytes(demo_project, "--date", "2026-11-16")


def test_every_link_is_absolute_and_each_paper_links_to_its_card(demo_project: Path) -> None:
    text, html = parts(parse_message(digest_bytes(demo_project, "--date", "2026-11-16")))
    links = [href for element in parse(html).by_tag["html"] for href in element.links]
    assert links and all(link.startswith((SITE_URL, "https://arxiv.org/abs/", "https://huggingface.co/papers/"))
                         for link in links)
    ids = ["2611.90001", "2611.90002", "2611.90003", "2611.90004", "2611.90005"]
    for pid in ids:
        assert f"{SITE_URL}2026/11/16/#{pid}" in links
        assert f"   {SITE_URL}2026/11/16/#{pid}\n" in text
    assert f"{SITE_URL}2026/11/16/" in links  # the day page
    text_urls = re.findall(r"\S+://\S+", text)
    assert all(url.startswith("https://") for url in text_urls)


def test_hostile_text_stays_text_in_both_parts_and_out_of_the_headers(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = hostile_project(tmp_path / "project")
    monkeypatch.setenv("MAIL_FROM", "papers@example.org")
    monkeypatch.setenv("MAIL_TO", "a@example.net, b@example.net")
    data = digest_bytes(root, "--date", "2026-11-20")
    message = parse_message(data)
    assert not message.defects and all(not p.defects for p in message.iter_parts())
    header_block = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert "Evil" not in header_block and "Bcc" not in header_block and "Hacked" not in header_block
    assert "victim" not in header_block
    assert set(message.keys()) == {"From", "To", "Subject", "Date", "Message-ID", "List-Id", "List-Unsubscribe",
                                   "MIME-Version", "Content-Type"}
    assert message["To"] == "undisclosed-recipients:;", "recipients never see each other"
    text, html = parts(message)
    one_line_title = 'Evil <script>alert("x")</script> & =?utf-8?b?SGFja2Vk?= {{ 7*7 }} Bcc: victim@example.org'
    # Plain text: as written, on one line (a CR/LF in the data cannot start a line of its own).
    assert f"1. {one_line_title[:60]}" in text
    assert not any(line.startswith(("Bcc:", "Unsubscribe:")) for line in text.splitlines())
    assert "&lt;" not in text and "&amp;" not in text
    assert HOSTILE_AUTHOR in text
    assert "{{ 7*7 }}" in text and "49" not in text
    # HTML: escaped, so a reader sees the characters and the client runs nothing.
    doc = parse(html)
    assert "script" not in doc.all_tags and "img" not in doc.all_tags
    assert " ".join(doc.by_tag["h2"][0].content.split()) == one_line_title
    body = " ".join(doc.by_tag["body"][0].content.split())
    assert HOSTILE_AUTHOR in body and "Zoë Ünicode" in body
    assert "Summary <img src=x onerror=alert(1)> **bold** [link](javascript:alert(1)) Unsubscribe:" in body
    links = [href for element in doc.by_tag["html"] for href in element.links]
    assert not any("javascript" in link or "evil" in link for link in links)


def test_week_digest_lists_the_weeks_most_upvoted_papers_once_each(demo_project: Path) -> None:
    message = parse_message(digest_bytes(demo_project, "--week", "2026-W47"))
    assert message["Subject"] == "Daily Papers, week 2026-W47: top 10 of 20 papers"
    assert message["Message-ID"] == "<digest-2026-W47.daily-papers-archive@example.github.io>"
    text, html = parts(message)
    ranks = re.findall(r"^(\d+)\. ", text, flags=re.MULTILINE)
    assert ranks == [str(n) for n in range(1, 11)]
    upvotes = [int(n.replace(",", "")) for n in re.findall(r"^   ([\d,]+) upvotes?", text, flags=re.MULTILINE)]
    assert upvotes == sorted(upvotes, reverse=True)
    assert f"{SITE_URL}weeks/2026-W47/" in [h for e in parse(html).by_tag["html"] for h in e.links]
    assert "The 10 most upvoted of 20 papers. All of them:" in text  # 21 entries, one paper on two days
    assert "Daily Papers Archive: week 2026-W47 (16 Nov to 20 Nov 2026)" in text


def test_a_long_day_shows_its_top_ten_and_links_to_the_rest(tmp_path: Path) -> None:
    root = new_project(tmp_path / "project")
    write_day(root, "2026-11-20", [stored_paper(f"2611.{n:05d}", n) for n in range(1, 13)])
    text, _ = parts(parse_message(digest_bytes(root, "--date", "2026-11-20")))
    assert "Paper 2611.00012" in text and "Paper 2611.00003" in text
    assert "Paper 2611.00002" not in text and "Paper 2611.00001" not in text
    assert "The 10 most upvoted of 12 papers. All of them:" in text


def test_without_mail_settings_the_preview_has_no_from_or_to(demo_project: Path) -> None:
    message = parse_message(digest_bytes(demo_project, "--date", "2026-11-20"))
    assert message["From"] is None and message["To"] is None
    assert message["List-Unsubscribe"].strip() == f"<{SITE_URL}subscribe/#unsubscribe>"  # folded: one space


@pytest.mark.parametrize(("args", "line"), [
    (["--date", "2026-11-21"], "dailypapers: 2026-11-21: no snapshot for this day (fetch it first: "
                               "dailypapers fetch --date 2026-11-21)"),
    (["--date", "2026-11-22"], "dailypapers: 2026-11-22: the day has no papers (Hugging Face published no list "
                               "that day)"),
    (["--week", "2025-W53"], "dailypapers: '2025-W53' is not an ISO week; use YYYY-Www, e.g. 2025-W37"),
    (["--week", "2025-W7"], "dailypapers: '2025-W7' is not an ISO week; use YYYY-Www, e.g. 2025-W37"),
    (["--week", "2026-W40"], "dailypapers: week 2026-W40: no papers in the archive for this week"),
])
def test_a_day_or_week_without_papers_is_one_line_and_exit_1(demo_project: Path, capsys: pytest.CaptureFixture[str],
                                                              args: list[str], line: str) -> None:
    write_day(demo_project, "2026-11-22", [], status="empty")
    assert main(["--root", str(demo_project), "digest", *args, "--site-url", SITE_URL]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == line + "\n"


def test_a_bad_mail_setting_is_named_even_for_a_preview(demo_project: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_FROM", "papers@example.org\r\nBcc: victim@example.org")
    monkeypatch.setenv("MAIL_TO", "not an address")
    assert main(["--root", str(demo_project), "digest", "--date", "2026-11-20", "--site-url", SITE_URL]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "dailypapers: MAIL_FROM: contains a line break or a control character",
        "dailypapers: MAIL_TO: not a list of addresses like Name <user@example.org>, user2@example.org",
    ]


def set_extra(root: Path, **extra: str) -> None:
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"\nextra:\n(  .*\n)*", "\n", config)
    config += "extra:\n" + "".join(f"  {key}: {yaml.safe_dump(value).splitlines()[0]}\n"
                                   for key, value in extra.items())
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")


def test_subscribe_page_explains_rss_to_email_with_the_absolute_feed_url(demo_project: Path) -> None:
    project = Project.at(demo_project)
    build_site(project, site_url=SITE_URL)
    html = (project.site_dir / "subscribe" / "index.html").read_text(encoding="utf-8")
    doc = parse(html)
    assert "form" not in doc.by_tag["article"][0].tags, "no sign-up form until the maintainer names one"
    assert doc.by_id["rss-to-email"].content == "With any RSS-to-email service"
    text = doc.by_tag["article"][0].content
    assert f"{SITE_URL}daily.xml" in text and f"{SITE_URL}weekly.xml" in text
    assert "reply to a digest with the word “unsubscribe”" in text
    assert "unsubscribe" in doc.by_id
    links = [h for e in doc.by_tag["article"] for h in e.links]
    for relative in ("../daily.xml", "../weekly.xml", "../feeds/"):
        assert relative in links
        assert (project.site_dir / "subscribe" / relative).resolve().exists(), relative


def test_subscribe_page_shows_a_sign_up_form_when_the_maintainer_sets_one(demo_project: Path) -> None:
    set_extra(demo_project, newsletter_form_url="https://news.example.org/subscribe?list=papers&x=1",
              newsletter_form_field="EMAIL")
    project = Project.at(demo_project)
    build_site(project, site_url=SITE_URL)
    html = (project.site_dir / "subscribe" / "index.html").read_text(encoding="utf-8")
    form = [f for f in parse(html).by_tag["form"] if f.attrs.get("class") == "dp-subscribe-form"]
    assert [f.attrs["action"] for f in form] == ["https://news.example.org/subscribe?list=papers&x=1"]
    assert form[0].attrs["method"] == "post"
    assert '<input id="dp-subscribe-email" type="email" name="EMAIL" required autocomplete="email"' in html
    assert "(news.example.org)" in html


@pytest.mark.parametrize(("extra", "message"), [
    ({"newsletter_form_url": "javascript:alert(1)"},
     "mkdocs.yml: extra.newsletter_form_url must be an http(s) URL (a newsletter provider's sign-up form "
     "address), got 'javascript:alert(1)'"),
    ({"newsletter_form_url": "https://x.example/", "newsletter_form_field": 'email" onfocus="x'},
     "mkdocs.yml: extra.newsletter_form_field must be a form field name such as email (letters, digits, "
     "_ . - [ ]), got 'email\" onfocus=\"x'"),
])
def test_a_bad_newsletter_setting_stops_the_build_with_one_line(project: Path, extra: dict[str, str],
                                                                message: str) -> None:
    set_extra(project, **extra)
    with pytest.raises(UserError) as raised:
        build_site(Project.at(project), site_url=SITE_URL, run_mkdocs=False)
    assert str(raised.value) == message


def test_an_unwritable_out_file_or_a_hostless_site_url_is_one_line(demo_project: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    blocker = demo_project / "not-a-folder"
    blocker.write_text("a file\n")
    args = ["--root", str(demo_project), "digest", "--date", "2026-11-20"]
    assert main([*args, "--site-url", SITE_URL, "--out", str(blocker / "digest.eml")]) == 1
    assert capsys.readouterr().err == f"dailypapers: {blocker / 'digest.eml'}: cannot write: File exists\n"
    assert main([*args, "--site-url", "https://bücher.example/"]) == 1
    assert capsys.readouterr().err == ("dailypapers: site_url 'https://bücher.example/': the digest needs an ASCII "
                                       "host name (for an international domain, write its xn-- form)\n")


def test_every_real_day_makes_a_well_formed_digest(tmp_path: Path) -> None:
    """The real API responses, imported: each day's digest parses without defects and links its top papers."""
    from support.paths import require_fixtures

    files = sorted((require_fixtures() / "days").glob("*.json"))
    root = new_project(tmp_path / "project")
    assert main(["--root", str(root), "import", *map(str, files)]) == 0
    days = [f.name[:10] for f in files]
    made = 0
    for day in days:
        out = root / f"{day}.eml"
        code = main(["--root", str(root), "digest", "--date", day, "--site-url", SITE_URL, "--out", str(out)])
        if code == 1:  # a day the API listed no papers for
            continue
        made += 1
        message = parse_message(out.read_bytes())
        assert not message.defects and all(not p.defects for p in message.iter_parts()), day
        text, html = parts(message)
        cards = [h for e in parse(html).by_tag["html"] for h in e.links if h.startswith(f"{SITE_URL}{day[:4]}/")]
        assert cards and all(h.startswith(f"{SITE_URL}{day[:4]}/{day[5:7]}/{day[8:]}/") for h in cards), day
        ranks = re.findall(r"^(\d+)\. ", text, flags=re.MULTILINE)
        assert ranks == [str(n) for n in range(1, len(parse(html).by_tag["h2"]) + 1)], day
        assert 1 <= len(ranks) <= 10, day
    assert made >= len(days) - 3, "nearly every real day has papers"
