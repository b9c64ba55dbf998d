"""Reading YAML files that strangers can change in a pull request (snapshots, topics.yaml), within bounds.

Both kinds of file are plain data: text, whole numbers, lists and mappings a few levels deep. Everything
else YAML can do is refused before it can cost anything: symlinks and devices, files over MAX_BYTES,
anchors and aliases (the "billion laughs" bomb), explicit tags (`!!python/object`, `!!binary`), merge keys,
duplicate keys, non-scalar keys, nesting deeper than MAX_DEPTH, more than MAX_NODES nodes, numbers with a
fraction, and integers longer than MAX_INT_CHARS characters (before `int()` ever sees them).

Speed: PyYAML's C parser still does the parsing. Anchors and tags can only start where a YAML token can
start, so a search of the bytes decides whether the (slower) event scan is needed at all; a count of
structural bytes bounds the number of nodes the same way. Real snapshots almost never need the scan, and
the constructor refuses a node reached twice (an alias) whatever the search decided.

Such a file, plain text, numbers, lists and mappings, is then built straight from the C parser's events
(`_build`): PyYAML's composer and constructor spend about 6 ms a day of Python on nodes, resolvers and
constructor lookups that plain data never needs (9 of a cold full-size build's 16 s of loading). The
builder resolves a plain scalar as YAML 1.1 does only for what it recognizes for certain (null, booleans,
decimal integers, text no implicit resolver claims); on anything else (a date, a float, a merge key, a
duplicate key, a key that is not a scalar, a property, a second document, a syntax error, a deep or big
file) it gives up and the full loader decides, with its checks and its messages. tests/unit/test_safe_yaml.py
checks that both give the same data or the same problem.

Every problem is an InputProblem with a 1-based line and column and one line of text that quotes at
most a short, escaped excerpt of the file.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.resolver import Resolver

MAX_BYTES = 4 * 1024 * 1024
"""The largest file read: ten times the largest real day (under 400 KB)."""
MAX_DEPTH = 32
"""Snapshots nest 5 levels (day, papers, paper, authors, author); topics.yaml 4."""
MAX_NODES = 250_000
"""A real day has a few thousand nodes; this bounds a hostile file's memory to about 100 MB."""
MAX_INT_CHARS = 20
"""Counts are at most 13 digits; longer integers are refused before conversion (Python's int() of a
5,000-digit string raises, and of shorter ones still costs quadratic time)."""
EXCERPT_CHARS = 80

try:
    from yaml._yaml import CParser as _Parser

    _C_PARSER = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built; the event scan then always runs
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: Any) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)

    _C_PARSER = False

# Where an anchor (&name), alias (*name) or tag (!) token can begin: at the start of the file, after white
# space, a flow or block indicator, or a closing quote; libyaml's anchor names are [0-9A-Za-z_-]+, so
# `R & D` is no anchor. (A byte that ends a BOM or a Unicode line break may too: a few false alarms,
# which only cost a scan.) Anywhere else (`Q&A`, `a*b`, `Wow!`) the character is part of a scalar. This
# only decides whether to run the event scan, which is the authority.
_BEFORE_PROPERTY = frozenset(b" \t\r\n[]{},:?-'\"\xbf\x85\xa8\xa9")  # last bytes of a BOM, NEL, LS, PS
_ANCHOR_NAME = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-")


def _may_have_properties(raw: bytes) -> bool:
    """Whether an anchor, alias or tag token could start anywhere in `raw`. bytes.find runs at memchr
    speed and real days hold few of these characters; a regular expression took 20% of the load."""
    for char in b"&*!":
        at = raw.find(char)
        while at != -1:
            token_start = at == 0 or raw[at - 1] in _BEFORE_PROPERTY
            if token_start and (char == ord("!") or raw[at + 1: at + 2] and raw[at + 1] in _ANCHOR_NAME):
                return True
            at = raw.find(char, at + 1)
    return False


_MERGE_TAG = "tag:yaml.org,2002:merge"


# --- the fast path: plain data built from the C parser's events ----------------------------------------


class _Unusual(Exception):
    """Something the event builder leaves to the full loader (which may build it, or refuse it)."""


_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_PLAIN_WORDS: dict[str, Any] = {word: value for words, value in (
    (("~", "null", "Null", "NULL", ""), None),
    (("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"), True),
    (("false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"), False),
) for word in words}  # YAML 1.1's null and bool, as PyYAML's resolver and SafeConstructor read them
_NO_KEY = object()


class _Mapping:
    __slots__ = ("mapping", "key")

    def __init__(self) -> None:
        self.mapping: dict[Any, Any] = {}
        self.key: Any = _NO_KEY


def _plain_scalar(value: str) -> Any:
    """A plain (unquoted) scalar as PyYAML's Resolver and SafeConstructor make it, or _Unusual."""
    if value in _PLAIN_WORDS:
        return _PLAIN_WORDS[value]
    if _DECIMAL.match(value):
        if len(value) > MAX_INT_CHARS:
            raise _Unusual
        return int(value)
    resolvers = Resolver.yaml_implicit_resolvers
    for candidates in (resolvers.get(value[0], ()), resolvers.get(None, ())):  # by first character; any
        for _tag, regexp in candidates:
            if regexp.match(value):  # an int in another notation, a float, a date, a merge key, `=`
                raise _Unusual
    return value


def _build(raw: bytes) -> Any:
    """The document's plain data straight from the C parser's events; _Unusual or a YAMLError where the
    full loader must decide."""
    parser = _Parser(raw)
    try:
        stack: list[Any] = []
        root: Any = None
        documents = nodes = 0
        while True:
            event: Any = parser.get_event()  # (the stubs type events as the base class)
            kind = event.__class__
            if kind is ScalarEvent:
                if event.anchor is not None or event.tag is not None:
                    raise _Unusual
                value = _plain_scalar(event.value) if event.implicit[0] else event.value
                nodes += 1
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.anchor is not None or event.tag is not None:
                    raise _Unusual
                nodes += 1
                if len(stack) >= MAX_DEPTH or nodes > MAX_NODES:
                    raise _Unusual
                stack.append(_Mapping() if kind is MappingStartEvent else [])
                continue
            elif kind is MappingEndEvent:
                value = stack.pop().mapping
            elif kind is SequenceEndEvent:
                value = stack.pop()
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1 or event.tags:
                    raise _Unusual
                continue
            elif kind is StreamEndEvent:
                return root
            elif kind is DocumentEndEvent or kind is StreamStartEvent:
                continue
            else:  # an alias
                raise _Unusual
            if not stack:
                root = value
                continue
            top = stack[-1]
            if top.__class__ is list:
                top.append(value)
            elif top.key is _NO_KEY:
                if kind is not ScalarEvent or value in top.mapping or (event.implicit[0] and event.value == "<<"):
                    raise _Unusual  # a list or mapping as a key, a duplicate key, a merge key
                top.key = value
            else:
                top.mapping[top.key] = value
                top.key = _NO_KEY
    finally:
        parser.dispose()


class InputProblem(Exception):
    """Why a file cannot be used, with where (1-based line and column)."""

    def __init__(self, message: str, line: int = 1, col: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


def excerpt(value: Any) -> str:
    """A short, escaped quotation of a value for an error line: never more than EXCERPT_CHARS characters,
    never a raw newline or control character, whatever the file holds."""
    if isinstance(value, str | bytes):
        value = value[: EXCERPT_CHARS + 1]
    if isinstance(value, dict | list):
        return "a mapping" if isinstance(value, dict) else "a list"
    text = repr(value)
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 3] + "..."


# --- reading files -------------------------------------------------------------------------------


def describe_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB" if size >= 1024 * 1024 else f"{size} bytes"


def read_regular_file(name: str | os.PathLike[str], dir_fd: int | None = None, limit: int = MAX_BYTES,
                      follow_symlinks: bool = False) -> bytes:
    """The bytes of a regular file, never following a symlink and never reading more than `limit` + 1
    bytes, so a link to /dev/zero or to a secret outside the repository, a FIFO, or a 50 MB file cannot
    stall, exhaust or leak anything. `dir_fd` opens `name` relative to an already opened folder.
    `follow_symlinks` is for a file someone named on the command line: a link is theirs to follow, and
    what it leads to must still be a regular file within `limit`."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow_symlinks else os.O_NOFOLLOW)
    try:
        fd = os.open(name, flags, dir_fd=dir_fd)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise InputProblem("is a symbolic link; only plain files are read") from None
        raise InputProblem(f"cannot read: {error.strerror or error}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputProblem("is not a plain file; only plain files are read")
        if info.st_size > limit:
            raise InputProblem(f"is {describe_size(info.st_size)}; the limit is {describe_size(limit)}")
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as error:
        raise InputProblem(f"cannot read: {error.strerror or error}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise InputProblem(f"is larger than {describe_size(limit)}, the limit")
    return data


def decode_utf8(raw: bytes) -> str:
    """The text of a file that must be UTF-8; the problem names the first bad byte's line and column."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputProblem(f"not UTF-8 text: byte 0x{raw[error.start]:02x} cannot start or continue a character",
                           *_line_col(raw, error.start)) from None


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset."""
    before = raw[:offset]
    return before.count(b"\n") + 1, len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1


# --- parsing -------------------------------------------------------------------------------------


class _Constructor(SafeConstructor):
    """PyYAML's safe constructor, minus everything plain data does not need."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:  # a node reached twice is an alias, however it got past the scan
            raise ConstructorError(None, None, "aliases (*name) are not allowed", node.start_mark)
        return super().construct_object(node, deep)

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, MappingNode):
            raise ConstructorError(None, None, f"expected a mapping, found {type(node).__name__}", node.start_mark)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                raise ConstructorError(None, None, "merge keys (<<) are not allowed", key_node.start_mark)
            if not isinstance(key_node, ScalarNode):
                raise ConstructorError(None, None, "a key must be plain text, not a list or mapping",
                                       key_node.start_mark)
            key = self.construct_object(key_node)
            if key in mapping:
                raise ConstructorError(None, None, f"duplicate key {excerpt(key)}", key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_bounded_int(self, node: ScalarNode) -> int:
        if len(node.value) > MAX_INT_CHARS:
            raise ConstructorError(None, None, f"a number of {len(node.value)} characters; at most "
                                   f"{MAX_INT_CHARS} are allowed (quote it if it is text)", node.start_mark)
        return super().construct_yaml_int(node)

    def refuse_float(self, node: ScalarNode) -> Any:
        raise ConstructorError(None, None, f"{excerpt(node.value)} is a fractional number; only whole numbers "
                               "are stored (quote it if it is text)", node.start_mark)

    def refuse_tag(self, node: Node) -> Any:
        raise ConstructorError(None, None, f"the tag {excerpt(node.tag)} is not allowed", node.start_mark)


# (The stubs type add_constructor for PyYAML's own loader classes; this constructor is mixed into one.)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_bounded_int)  # type: ignore[type-var]
_Constructor.add_constructor("tag:yaml.org,2002:float", _Constructor.refuse_float)  # type: ignore[type-var]
for _tag in ("binary", "omap", "pairs", "set"):
    _Constructor.add_constructor(f"tag:yaml.org,2002:{_tag}", _Constructor.refuse_tag)  # type: ignore[type-var]


class _Loader(_Parser, _Constructor, Resolver):
    def __init__(self, stream: Any) -> None:
        _Parser.__init__(self, stream)
        _Constructor.__init__(self)
        Resolver.__init__(self)


def _node_bound(raw: bytes) -> int:
    """An upper bound on the nodes a document can have. Every node but the root is opened by a `,` `-`
    `[` `{` `:` or `?`, and no such byte opens more than three (`[a: b]`: a mapping, its key and value;
    `{a, b}`: a key and its empty value). Counting bytes runs at memory speed."""
    separators = sum(raw.count(char) for char in (b",", b"-", b"[", b"{", b":", b"?"))
    return 1 + 3 * separators


def _place(mark: Any) -> tuple[int, int]:
    """Line and column (1-based) of a parser mark; 1, 1 when the parser gave none."""
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _scan(raw: bytes) -> None:
    """Walk the parser's events (no nodes are kept) and refuse anchors, aliases, tags, deep nesting and
    too many nodes before anything is built."""
    depth = nodes = 0
    for event in yaml.parse(raw, Loader=_Loader):  # type: ignore[arg-type]  # the stubs list PyYAML's loaders only
        line, column = _place(event.start_mark)
        if isinstance(event, yaml.AliasEvent):
            raise InputProblem("aliases (*name) are not allowed", line, column)
        if isinstance(event, yaml.DocumentStartEvent) and event.tags:
            raise InputProblem("%TAG directives are not allowed", line, column)
        if not isinstance(event, yaml.NodeEvent):
            if isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            continue
        if event.anchor is not None:
            raise InputProblem(f"anchors (&{excerpt(event.anchor)[1:-1]}) are not allowed",
                               line, column)
        tag = getattr(event, "tag", None)  # scalar and collection starts have one; the stubs give NodeEvent none
        if tag is not None:
            raise InputProblem(f"explicit tags ({excerpt(tag)}) are not allowed",
                               line, column)
        nodes += 1
        if nodes > MAX_NODES:
            raise InputProblem(f"more than {MAX_NODES:,} values", line, column)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputProblem(f"nested more than {MAX_DEPTH} levels deep", line, column)


def _problem_from(error: yaml.YAMLError, raw: bytes) -> InputProblem:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        line, col = _place(mark)
        kind = "" if isinstance(error, ConstructorError) else "YAML syntax error: "
        problem = error.problem or error.context or "invalid YAML"
        if "maximum nesting depth" in problem:
            problem = f"nested more than {MAX_DEPTH} levels deep"
            kind = ""
        return InputProblem(kind + problem[:200], line, col)
    if isinstance(error, yaml.reader.ReaderError):
        where = _line_col(raw, error.position) if isinstance(error.position, int) else (1, 1)
        return InputProblem(f"character #x{error.character:04x} is not allowed in YAML"
                            if isinstance(error.character, int) else "not UTF-8 text", *where)
    return InputProblem(f"YAML error: {str(error).splitlines()[0][:200]}")


def _checked_loader(raw: bytes) -> _Loader:
    """A loader over `raw` once the cheap checks, and the event scan when they call for it, passed."""
    decode_utf8(raw)
    if not _C_PARSER or _may_have_properties(raw) or _node_bound(raw) > MAX_NODES:
        _scan(raw)
    return _Loader(raw)


def depth_of(data: Any) -> int:
    """How deeply lists and mappings nest (iteratively, so no depth can overflow the stack)."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            stack.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
    return deepest


def load(raw: bytes) -> Any:
    """The plain data in one YAML document; raises InputProblem for anything beyond plain data.

    Nesting is bounded by libyaml (1,000 levels) and by the event scan when it runs, not checked here
    again: walking every value costs a third of the load. A caller whose schema bounds the depth needs
    `depth_of` only when the schema fails (see snapshots.check_snapshot)."""
    decode_utf8(raw)
    if _C_PARSER and not _may_have_properties(raw) and _node_bound(raw) <= MAX_NODES:
        try:
            return _build(raw)
        except (_Unusual, yaml.YAMLError):
            pass  # the full loader builds what is unusual but allowed (a date), or says what is wrong
    return _load_with_loader(raw)


def _load_with_loader(raw: bytes) -> Any:
    """`load` by PyYAML's composer and constructor, with every check: the authority `_build` defers to."""
    try:
        loader = _checked_loader(raw)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        raise _problem_from(error, raw) from None
    except RecursionError:  # only reachable without libyaml's nesting limit; the scan refuses first
        raise InputProblem(f"nested more than {MAX_DEPTH} levels deep") from None
    return data


def compose(raw: bytes) -> tuple[Node | None, Any]:
    """The document's node tree (for line numbers) and its plain data, with the same checks as `load`."""
    try:
        loader = _checked_loader(raw)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        raise _problem_from(error, raw) from None
    if depth_of(data) > MAX_DEPTH:
        raise InputProblem(f"nested more than {MAX_DEPTH} levels deep")
    return node, data
