"""content/topics.yaml, the curated taxonomy, read and checked: as open to pull requests as the snapshots,
so it is read the same bounded way (generator/store/safe_yaml.py), and every problem is a
`path:line:col: message` line, as for snapshots. The rules themselves are generator/domain/topics.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.core.errors import FileError, SnapshotError
from generator.domain.topics import DEFAULT_MIN_SCORE, OTHER_SLUG, SLUG, Taxonomy, Topic, tokens
from generator.store import safe_yaml


class TaxonomyError(SnapshotError):
    """topics.yaml cannot be used; `problems` holds one `path:line:col: message` line each.

    A SnapshotError, so everything that refuses bad snapshots refuses a bad taxonomy the same way; its
    own class lets the command line say which file to fix.
    """


def _problem(path: Path, node: Any, message: str) -> str:
    mark = getattr(node, "start_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return FileError(path, message, line, col).line()


def load_taxonomy(path: Path) -> Taxonomy:
    """Read and check topics.yaml; every problem is reported with its line, as for snapshots."""
    return read_taxonomy(path)[0]


def read_taxonomy(path: Path) -> tuple[Taxonomy, bytes]:
    """The taxonomy and the exact bytes it came from (what a cache of classified papers depends on).

    topics.yaml is as open to pull requests as the snapshots, so it is read the same bounded way:
    never through a symlink, at most safe_yaml.MAX_BYTES, no anchors, tags or duplicate keys.
    """
    try:
        raw = safe_yaml.read_regular_file(path)
        root, data = safe_yaml.compose(raw)
    except safe_yaml.InputProblem as problem:
        where = FileError(path, f"topic taxonomy: {problem.message}", problem.line, problem.col)
        raise TaxonomyError([where.line()]) from None
    return _taxonomy(path, root, data), raw


def _taxonomy(path: Path, root: Any, data: Any) -> Taxonomy:
    problems: list[str] = []
    entries = data.get("topics") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise TaxonomyError([_problem(path, root, "expected a mapping with a non-empty `topics` list")])
    nodes = next(v for k, v in root.value if k.value == "topics").value
    topics: list[Topic] = []
    seen: dict[str, int] = {OTHER_SLUG: 0}
    for index, (entry, node) in enumerate(zip(entries, nodes, strict=True)):
        where = f"topics[{index}]"
        if not isinstance(entry, dict):
            problems.append(_problem(path, node, f"{where}: expected a mapping"))
            continue
        slug, title = entry.get("slug"), entry.get("title")
        terms = entry.get("match", [])
        if not isinstance(slug, str) or not SLUG.match(slug):
            problems.append(_problem(path, node, f"{where}.slug: {safe_yaml.excerpt(slug)} is not a URL slug "
                                     "(a-z, 0-9, -)"))
            continue
        if slug in seen:
            problems.append(_problem(path, node, f"{where}.slug: {safe_yaml.excerpt(slug)} is already used; two topics "
                                     "would write the same pages"))
            continue
        seen[slug] = index
        if not isinstance(title, str) or not title.strip():
            problems.append(_problem(path, node, f"{where}.title: a topic needs a title"))
        if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip("* ") for t in terms):
            problems.append(_problem(path, node, f"{where}.match: expected a list of terms"))
            terms = []
        for term in terms:
            if not tokens(term):  # nothing the rules could ever find: '++', '—', '中文'
                problems.append(_problem(path, node, f"{where}.match: {safe_yaml.excerpt(term)} has no letter or "
                                         "digit a-z, 0-9 to match; papers are matched on those"))
        min_score = entry.get("min_score", DEFAULT_MIN_SCORE)
        if not isinstance(min_score, int) or min_score < 1:
            problems.append(_problem(path, node, f"{where}.min_score: expected a whole number >= 1"))
            min_score = DEFAULT_MIN_SCORE
        topics.append(Topic(slug, str(title), str(entry.get("description", "")), tuple(terms), min_score))
    if problems:
        raise TaxonomyError(problems)
    return Taxonomy(tuple(topics))
