"""Topic assignment: deterministic, 1-3 topics, Other only when nothing matches, and a taxonomy whose
mistakes are named on their line.

The real fixtures' spread and the `topics` command: tests/site/test_topics_site.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core.errors import SnapshotError
from generator.core.project import Project
from generator.domain.topics import distribution
from generator.store.load import load_archive
from generator.store.taxonomy import TaxonomyError, load_taxonomy


def test_taxonomy_has_about_twenty_topics_and_other_last(taxonomy) -> None:
    assert 15 <= len(taxonomy.topics) <= 25
    assert taxonomy.all_topics[-1].slug == "other"
    assert len({t.slug for t in taxonomy.all_topics}) == len(taxonomy.all_topics)


def test_title_terms_weigh_most_and_order_is_stable(taxonomy) -> None:
    topics = taxonomy.assign("Speculative Decoding for Video Generation", [], "We study video frames.")
    assert topics[0] == "video"
    assert "efficiency" in topics
    assert taxonomy.assign("Speculative Decoding for Video Generation", [], "We study video frames.") == topics


def test_hyphens_and_spaces_match_alike_and_prefix_terms_match_word_starts(taxonomy) -> None:
    assert taxonomy.assign("Chain of Thought Prompting", [], "")[0] == "reasoning"
    assert "efficiency" in taxonomy.assign("Quantized Transformers", [], "")
    # "rl" is a whole-word term: it must not match inside "world"
    assert "reinforcement-learning" not in taxonomy.assign("A World of Curls", [], "")


def test_at_most_three_topics_and_other_only_alone(taxonomy) -> None:
    many = taxonomy.assign("Video Agents Reason About 3D Speech Robots With Code", [], "")
    assert len(many) == 3
    assert taxonomy.assign("Strawberry Counting", [], "We count letters.") == ("other",)


def test_a_passing_mention_does_not_add_a_second_topic(taxonomy) -> None:
    # "quantiz*" scores 3 for efficiency (keywords + abstract), enough on its own, but video scores far more
    video_paper = ("Text-to-Video Generation with Video Diffusion", ["video generation", "quantization"],
                   "We generate videos with a quantized model.")
    assert taxonomy.assign(*video_paper) == ("video",)
    # as strong a match in the title keeps both
    assert taxonomy.assign("Quantized Video Generation", [], "We generate video.") == ("video", "efficiency")


def test_slug_clashes_and_bad_slugs_fail_loudly(tmp_path: Path) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text("topics:\n  - slug: video\n    title: A\n  - slug: video\n    title: B\n"
                    "  - slug: Not A Slug\n    title: C\n")
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(path)
    assert isinstance(caught.value, SnapshotError), "whatever refuses bad snapshots refuses a bad taxonomy"
    problems = caught.value.problems
    assert f"{path}:4:5: topics[1].slug: 'video' is already used; two topics would write the same pages" in problems
    assert any("topics[2].slug: 'Not A Slug' is not a URL slug" in p for p in problems)


def test_a_term_with_nothing_to_match_is_a_problem_on_its_line(tmp_path: Path) -> None:
    """Papers are matched on words of a-z and 0-9: a term of none ('++', a dash, Chinese) could never
    match, and once crashed the build; it is one problem line, as validate reports it."""
    path = tmp_path / "topics.yaml"
    path.write_text("topics:\n  - slug: code\n    title: Code\n    match: [c++, '++', '\u2014', \u4e2d\u6587]\n")
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(path)
    assert caught.value.problems == [
        f"{path}:2:5: topics[0].match: '++' has no letter or digit a-z, 0-9 to match; papers are matched on those",
        f"{path}:2:5: topics[0].match: '\u2014' has no letter or digit a-z, 0-9 to match; papers are matched on those",
        f"{path}:2:5: topics[0].match: '\u4e2d\u6587' has no letter or digit a-z, 0-9 to match; papers are matched "
        "on those",
    ]


def test_distribution_counts_papers_per_topic_and_prints_nothing(demo_project: Path, capsys) -> None:
    archive, taxonomy = load_archive(Project.at(demo_project))
    spread = distribution(archive, taxonomy, examples=2)
    assert (spread.papers, spread.topics, spread.with_topic_percent) == (20, 20, 90.0)
    assert [share.topic.slug for share in spread.shares] == [t.slug for t in taxonomy.all_topics]
    assert sum(share.count for share in spread.shares) == sum(len(p.topics) for p in archive.papers)
    other = spread.shares[-1]
    assert (other.topic.slug, other.count, other.percent) == ("other", 2, 10.0)
    assert all(len(share.examples) == min(share.count, 2) for share in spread.shares)
    assert capsys.readouterr() == ("", "")
