"""The curated topic taxonomy (`content/topics.yaml`) and the deterministic rules that give every paper
1 to 3 topics.

Each field of a paper is split into words once and looked up in an index of every topic's terms (set
intersections, prefix and phrase tables), so the cost does not grow with the number of topics: at
35,000 papers that is the difference between seconds and minutes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain, islice

from generator.domain.model import Archive

OTHER_SLUG = "other"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FIELD_WEIGHTS = {"title": 3, "keywords": 2, "abstract": 1}
MAX_TOPICS = 3
DEFAULT_MIN_SCORE = 3
# A second or third topic must score at least this share of the best one. Without it 3 in 4 papers got
# three topics, the third often from one passing word ("memory-efficient training" filed under retrieval
# and memory); with it papers average two, and every topic page lists fewer, more relevant papers.
SECONDARY_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Topic:
    slug: str
    title: str
    description: str
    terms: tuple[str, ...] = ()
    min_score: int = DEFAULT_MIN_SCORE


OTHER = Topic(OTHER_SLUG, "Other", "Papers that no topic's rules matched.")


WORD = re.compile(r"[a-z0-9@]+")


@dataclass(frozen=True, slots=True)
class _Term:
    """A term as word tokens; `prefix` means its last word may continue ("quantiz*")."""

    topic: int
    words: tuple[str, ...]
    prefix: bool
    needle: str = field(init=False, compare=False)
    """The term inside " "-joined tokens: whole words, or a word start for a prefix term. Computed once:
    it is tested against every paper."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "needle", " " + " ".join(self.words) + ("" if self.prefix else " "))


def tokens(text: str) -> list[str]:
    """Lower-case words; hyphens and spaces alike separate them, so "chain-of-thought" = "chain of thought"."""
    return WORD.findall(text.lower())


@dataclass
class _TermIndex:
    """Terms by kind: single words, word prefixes (by length), and phrases (by first word)."""

    words: dict[str, list[_Term]] = field(default_factory=dict)
    prefixes: dict[int, dict[str, list[_Term]]] = field(default_factory=dict)
    phrases: dict[str, list[_Term]] = field(default_factory=dict)
    memo: dict[str, tuple[_Term, ...]] = field(default_factory=dict)

    def word_hits(self, word: str) -> tuple[_Term, ...]:
        """The single-word and prefix terms a word matches."""
        return (*self.words.get(word, ()),
                *(t for n, terms in self.prefixes.items() if len(word) >= n for t in terms.get(word[:n], ())))

    def hits_of(self, unique: set[str]) -> Iterator[_Term]:
        """The single-word and prefix terms of a set of words: each word's are memoized (vocabularies
        repeat across papers), and the words met before are looked up by `map`, not a Python loop
        (5 million lookups in a full-size archive)."""
        memo = self.memo
        for word in unique.difference(memo):
            memo[word] = self.word_hits(word)
        return chain.from_iterable(map(memo.__getitem__, unique))


@dataclass(frozen=True)
class Taxonomy:
    """The topics in their curated order, plus "Other" last."""

    topics: tuple[Topic, ...]

    @cached_property
    def by_slug(self) -> dict[str, Topic]:
        return {topic.slug: topic for topic in self.all_topics}

    @property
    def all_topics(self) -> tuple[Topic, ...]:
        return (*self.topics, OTHER)

    @cached_property
    def _index(self) -> _TermIndex:
        index = _TermIndex()
        for topic_index, topic in enumerate(self.topics):
            for raw in topic.terms:
                term = _Term(topic_index, tuple(tokens(raw)), raw.endswith("*"))
                if len(term.words) > 1:
                    index.phrases.setdefault(term.words[0], []).append(term)
                elif term.prefix:
                    index.prefixes.setdefault(len(term.words[0]), {}).setdefault(term.words[0], []).append(term)
                else:
                    index.words.setdefault(term.words[0], []).append(term)
        return index

    def _hits(self, text: str) -> set[_Term]:
        """Terms found in the text. Set operations and substring tests run in C; a Python loop over
        every word of 35,000 abstracts took 14 s."""
        index = self._index
        words = tokens(text)
        unique = set(words)
        hits = set(index.hits_of(unique))
        starts = unique.intersection(index.phrases)
        if starts:
            joined = " " + " ".join(words) + " "
            hits.update(t for word in starts for t in index.phrases[word] if t.needle in joined)
        return hits

    def assign(self, title: str, keywords: Sequence[str], abstract: str) -> tuple[str, ...]:
        """The paper's topics: best first, 1 to 3, "other" only when none qualifies. A topic qualifies with
        at least its `min_score` and, after the first, at least SECONDARY_SHARE of the best score."""
        scores = [0] * len(self.topics)
        fields = (("title", title), ("keywords", " | ".join(keywords)), ("abstract", abstract))
        for field_name, text in fields:
            weight = FIELD_WEIGHTS[field_name]
            for term in self._hits(text):
                scores[term.topic] += weight
        ranked = sorted(
            (i for i, topic in enumerate(self.topics) if scores[i] >= topic.min_score),
            key=lambda i: (-scores[i], i),
        )
        if ranked:
            floor = scores[ranked[0]] * SECONDARY_SHARE
            ranked = [i for i in ranked[:MAX_TOPICS] if scores[i] >= floor]
        return tuple(self.topics[i].slug for i in ranked[:MAX_TOPICS]) or (OTHER_SLUG,)


@dataclass(frozen=True)
class TopicSpread:
    """One topic's papers: how many, their share of all papers, and the newest titles as examples."""

    topic: Topic
    count: int
    percent: float
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Distribution:
    """How the papers spread over the topics, for a maintainer tuning the rules (`dailypapers topics`)."""

    papers: int
    topics: int
    with_topic_percent: float
    """The share of papers with a topic other than Other."""
    shares: tuple[TopicSpread, ...]


def distribution(archive: Archive, taxonomy: Taxonomy, examples: int = 3) -> Distribution:
    """Papers per topic (Other last) with up to `examples` of the newest titles each."""
    papers = archive.papers
    counts = Counter(slug for paper in papers for slug in paper.topics)
    total = len(papers) or 1
    other = counts.get(OTHER_SLUG, 0)
    shares = tuple(
        TopicSpread(
            topic,
            counts.get(topic.slug, 0),
            100 * counts.get(topic.slug, 0) / total,
            tuple(islice((p.title for p in reversed(papers) if topic.slug in p.topics), max(examples, 0))),
        )
        for topic in taxonomy.all_topics
    )
    return Distribution(len(papers), len(taxonomy.topics), 100 * (total - other) / total, shares)
