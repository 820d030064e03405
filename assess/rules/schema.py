"""The rule format (rules/README.md) as Python objects, and its validation.

`read_yaml` parses a file into plain dicts/lists that remember the line of every key and item
(`YDict.lines`, `YList.lines`), so every validation error can name ``file:line``. The `Node`,
`Rule` and friends below are what the engine runs; `Validator` turns checked YAML into them and
collects every problem instead of stopping at the first one, so a rule writer sees all mistakes
of a pack in one run.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import yaml

from ..findings import CATEGORIES, SEVERITIES, LegalBasis

try:  # Python 3.11+
    import re._parser as sre_parse  # type: ignore[import-not-found]
    from re import _constants as sre_c  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as sre_c  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

# Error codes of rule packs (E2xx, see assess/errors.py).
E_YAML = "E201"  # YAML syntax
E_SCHEMA = "E202"  # unknown / missing key, wrong type or value
E_REGEX = "E203"  # regex does not compile, uses \b / \W, or can backtrack catastrophically
E_TERMSET = "E204"  # unknown or duplicate termset or regex fragment
E_CITATION = "E205"  # legal_basis does not resolve in rules/laws/*.yaml
E_DUPLICATE = "E206"  # duplicate rule code
E_CODE = "E207"  # code malformed or prefix does not match the category

PREFIXES = {
    "collective_rights": "CR",
    "political_participation": "PP",
    "employment": "EM",
    "reproductive_control": "RC",
    "family": "FA",
    "stereotype": "ST",
    "education": "ED",
    "unlawful_non_gender": "UN",
}
PREFIX_TO_CATEGORY = {v: k for k, v in PREFIXES.items()}
assert set(PREFIXES) == set(CATEGORIES)

NODE_KINDS = ("terms", "termset", "regex", "all", "any", "not", "inside")
LEAF_KINDS = ("terms", "termset", "regex")
STATUSES = ("stable", "preview", "deprecated")
SCOPES = ("clause", "document")
DEFAULT_SCORE = 0.8
DEFAULT_WINDOW = 30
THRESHOLD = 0.5

RULE_KEYS = {
    "code", "name", "category", "severity", "score", "status", "scope", "match", "exclude",
    "context", "document", "message", "suggestion", "legal_basis", "examples",
}
RULE_REQUIRED = ("code", "name", "category", "severity", "match", "message", "suggestion", "legal_basis", "examples")
EXAMPLE_KEYS = {"match", "no_match", "todo_match", "todo_no_match"}
CONTEXT_KEYS = {"window", "boost", "damp"}
ADJUST_KEYS = {"terms", "termset", "by"}
DOCUMENT_KEYS = {"has", "lacks"}
PACK_KEYS = {"id", "description", "version"}
LAW_KEYS = {"name", "version", "articles"}


# ---------------------------------------------------------------- YAML with line numbers


class YDict(dict):
    line: int = 0

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.lines: dict = {}

    def line_of(self, key) -> int:
        return self.lines.get(key, self.line)


class YList(list):
    line: int = 0

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.lines: list[int] = []

    def line_of(self, i: int) -> int:
        return self.lines[i] if 0 <= i < len(self.lines) else self.line


# libyaml's C parser when available (10× faster on big packs); marks and nodes are the same.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlProblem(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def read_yaml(text: str):
    """Parse YAML into YDict/YList/scalars that remember 1-based line numbers.

    Raises `YamlProblem` for syntax errors and duplicate keys (PyYAML silently keeps the last).
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _convert(node, loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 0
        raise YamlProblem(line, f"YAML 语法错误：{e.problem or e}") from None
    finally:
        loader.dispose()


def _convert(node, loader):
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out = YDict()
        out.line = node.start_mark.line + 1
        for knode, vnode in node.value:
            key = _convert(knode, loader)
            if isinstance(key, (dict, list)):
                raise YamlProblem(knode.start_mark.line + 1, "键不能是映射或列表")
            if key in out:
                raise YamlProblem(knode.start_mark.line + 1, f"键“{key}”重复（第 {out.lines[key]} 行已出现）")
            out[key] = _convert(vnode, loader)
            out.lines[key] = knode.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        out = YList()
        out.line = node.start_mark.line + 1
        for item in node.value:
            out.append(_convert(item, loader))
            out.lines.append(item.start_mark.line + 1)
        return out
    return loader.construct_object(node, deep=True)


# ---------------------------------------------------------------- rule objects


@dataclass(eq=False)
class Node:
    """One node of a match tree. Leaves: terms/termset/regex; inner: all/any/not/inside."""

    kind: str
    line: int = 0
    path: str = ""  # e.g. match.all[0].any[1]
    focus: bool = False
    terms: tuple[str, ...] = ()  # terms / termset (resolved)
    name: str = ""  # termset name
    pattern: str = ""  # with regex fragments expanded: what runs
    written: str = ""  # as written in the pack ({{fragment}} references kept): what is shown
    regex: re.Pattern | None = None
    children: list["Node"] = field(default_factory=list)  # all / any; not / inside have one child
    within: int | None = None
    literal_set: frozenset = frozenset()  # set by the engine: ids of `terms` in its automaton
    order: list[int] = field(default_factory=list)  # set by the engine: evaluation order of `all` children
    indexed: bool = False  # set by the engine: terms found by the automaton (else by str.find)

    @property
    def child(self) -> "Node":
        return self.children[0]

    def __getstate__(self):
        # Compiled regexes pickle as their source and recompile on load; leave them out and
        # let the engine compile each on first use (most rules never run on a given document).
        state = self.__dict__.copy()
        state["regex"] = None
        return state

    def compiled(self) -> re.Pattern:
        if self.regex is None:
            self.regex = re.compile(self.pattern)
        return self.regex

    def label(self) -> str:
        if self.kind == "termset":
            return f"termset:{self.name}"
        if self.kind == "terms":
            shown = "、".join(self.terms[:4]) + ("…" if len(self.terms) > 4 else "")
            return f"terms:{shown}"
        if self.kind == "regex":
            return f"regex:{self.written or self.pattern}"
        return self.kind

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()

    def leaves(self, *, positive_only: bool = False, clause_only: bool = False):
        """Leaves in tree order; optionally skipping those under `not` / `inside`."""
        if self.kind in LEAF_KINDS:
            yield self
            return
        if positive_only and self.kind == "not":
            return
        if clause_only and self.kind == "inside":
            return
        for c in self.children:
            yield from c.leaves(positive_only=positive_only, clause_only=clause_only)

    def describe(self, indent: int = 0) -> str:
        pad = "  " * indent
        mark = "  [focus]" if self.focus else ""
        if self.kind in LEAF_KINDS:
            if self.kind == "termset":
                shown = "、".join(self.terms[:8]) + ("…" if len(self.terms) > 8 else "")
                return f"{pad}termset {self.name}（{shown}）{mark}"
            if self.kind == "terms":
                return f"{pad}terms {'、'.join(self.terms)}{mark}"
            return f"{pad}regex {self.written or self.pattern}{mark}"
        head = f"{pad}{self.kind}" + (f" (within {self.within})" if self.within is not None else "") + mark
        return "\n".join([head] + [c.describe(indent + 1) for c in self.children])


@dataclass
class Adjust:
    terms: tuple[str, ...]
    by: float


@dataclass
class Context:
    window: int = DEFAULT_WINDOW
    boost: Adjust | None = None
    damp: Adjust | None = None


@dataclass
class DocumentCondition:
    has: Node | None = None
    lacks: Node | None = None


@dataclass
class Examples:
    match: list[str] = field(default_factory=list)
    no_match: list[str] = field(default_factory=list)
    todo_match: list[str] = field(default_factory=list)
    todo_no_match: list[str] = field(default_factory=list)
    lines: dict = field(default_factory=dict)  # (kind, index) -> line


@dataclass(eq=False)
class Rule:
    code: str
    name: str
    category: str
    severity: str
    score: float
    status: str
    scope: str
    match: Node
    exclude: list[Node]
    context: Context | None
    document: DocumentCondition | None
    message: str
    suggestion: str
    citations: list[str]
    legal_basis: list[LegalBasis]
    examples: Examples
    file: str = ""
    line: int = 0
    pack: str = ""
    dnf: list | None = None  # the prefilter's literal condition (set by the loader)

    @property
    def prefix(self) -> str:
        return self.code[:2]

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"

    def nodes(self):
        """Every node of the rule: match tree, exclusions, document condition."""
        yield from self.match.walk()
        for n in self.exclude:
            yield from n.walk()
        if self.document:
            for n in (self.document.has, self.document.lacks):
                if n is not None:
                    yield from n.walk()


# ---------------------------------------------------------------- helpers


_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """56 -> 五十六, 12 -> 十二, 1010 -> 一千零一十 (as in article labels)."""
    if n == 0:
        return "零"
    if n >= 10000:
        return str(n)
    out, zero, started = "", False, False
    for val, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // val % 10
        if d:
            if zero:
                out += "零"
                zero = False
            out += _CN_DIGITS[d] + unit
            started = True
        elif started:
            zero = True
    if 10 <= n < 20:
        out = out[1:]
    return out


def article_label(key: str) -> str:
    """'56' -> 第五十六条; '56-2' / '56.2' -> 第五十六条第二款; '0' -> 全文."""
    key = str(key).strip()
    if key == "0":
        return "全文"
    m = re.fullmatch(r"(\d+)(?:[-.](\d+))?", key)
    if not m:
        return key
    label = f"第{cn_number(int(m.group(1)))}条"
    if m.group(2):
        label += f"第{cn_number(int(m.group(2)))}款"
    return label


# ---------------------------------------------------------------- regex safety


@functools.lru_cache(maxsize=4096)
def parse_regex(pattern: str, flags: int = 0):
    """The `re` parse tree of a pattern (cached: the loader, the safety checks and the
    prefilter all walk it; callers must not modify it)."""
    return sre_parse.parse(pattern, flags)


def regex_problems(pattern: str) -> list[str]:
    """Problems that make a regex unfit for Chinese clause matching (empty list = fine)."""
    try:
        tree = parse_regex(pattern)
    except Exception as e:  # re.error
        return [f"正则无法编译：{e}"]
    problems: list[str] = []

    def walk(items, in_unbounded: bool):
        for op, av in items:
            if op is sre_c.AT and av in (sre_c.AT_BOUNDARY, sre_c.AT_NON_BOUNDARY):
                problems.append("正则不能使用 \\b 或 \\B（汉字都是“单词字符”，词边界在中文里不成立）")
            elif op is sre_c.IN:
                for iop, iav in av:
                    if iop is sre_c.CATEGORY and iav in (sre_c.CATEGORY_NOT_WORD, sre_c.CATEGORY_WORD):
                        if iav is sre_c.CATEGORY_NOT_WORD:
                            problems.append("正则不能使用 \\W（汉字属于 \\w，\\W 不能表示“非汉字”）")
            elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
                lo, hi, sub = av
                # A repeat that can run more than twice (or without bound) around a variable
                # repeat splits the text in combinatorially many ways when the rest fails:
                # (a+)+b, ([^。]{0,40}){0,40}x, (x{0,9}){5}. An optional group (…)? is fine.
                risky = hi is sre_c.MAXREPEAT or hi > 2
                if in_unbounded and lo != hi:
                    problems.append("正则含嵌套的可变重复（如 (a+)+、([^。]{0,9}){0,9}），可能导致灾难性回溯；请改写为不嵌套的有上限重复")
                    return
                walk(sub, in_unbounded or risky)
            elif op is sre_c.SUBPATTERN:
                walk(av[-1], in_unbounded)
            elif op is sre_c.BRANCH:
                for b in av[1]:
                    walk(b, in_unbounded)
            elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
                walk(av[1], in_unbounded)
            elif op is getattr(sre_c, "ATOMIC_GROUP", None):
                walk(av, in_unbounded)

    walk(tree, False)
    # de-duplicate, keep order
    return list(dict.fromkeys(problems))


def has_unbounded_repeat(pattern: str) -> bool:
    """True when the pattern has `*`, `+` or `{n,}` (README: always bound repetition)."""
    try:
        tree = parse_regex(pattern)
    except Exception:
        return False
    found = False

    def walk(items):
        nonlocal found
        for op, av in items:
            if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
                if av[1] is sre_c.MAXREPEAT:
                    found = True
                walk(av[2])
            elif op is sre_c.SUBPATTERN:
                walk(av[-1])
            elif op is sre_c.BRANCH:
                for b in av[1]:
                    walk(b)
            elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
                walk(av[1])

    walk(tree)
    return found


# ---------------------------------------------------------------- validation


# ---------------------------------------------------------------- regex fragments
# A long alternation used by many rules (出嫁女|外嫁女|…, 不得…享受…) is written once, in
# rules/terms/*.yaml under `fragments:`, and referenced as {{name}}; a reference expands to the
# non-capturing group (?:body), or to the body itself when it is the whole pattern (a shared
# exclusion such as 不得以…为由). Fragments may reference other fragments.

FRAGMENT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FRAGMENT_REF = re.compile(r"\{\{(" + FRAGMENT_NAME.pattern + r")\}\}")


def expand_fragments(pattern: str, fragments: dict[str, str]) -> tuple[str, list[str]]:
    """(`pattern` with every {{name}} replaced by (?:body), names not in `fragments`). A pattern
    that is nothing but one reference is the fragment itself (no group around it)."""
    unknown: list[str] = []
    whole = FRAGMENT_REF.fullmatch(pattern)
    if whole is not None:
        body = fragments.get(whole.group(1))
        return (pattern, [whole.group(1)]) if body is None else (body, [])

    def sub(m: re.Match) -> str:
        body = fragments.get(m.group(1))
        if body is None:
            unknown.append(m.group(1))
            return m.group(0)
        return f"(?:{body})"

    return FRAGMENT_REF.sub(sub, pattern), unknown


def resolve_fragments(raw: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Expand fragments that reference fragments: (name -> body without references,
    name -> problem) for undefined references and cycles."""
    done: dict[str, str] = {}
    problems: dict[str, str] = {}

    def visit(name: str, stack: tuple[str, ...]) -> str | None:
        if name in done:
            return done[name]
        if name in stack:
            problems.setdefault(stack[0], "正则片段循环引用：" + " → ".join(stack + (name,)))
            return None
        body = raw[name]
        for ref in dict.fromkeys(FRAGMENT_REF.findall(body)):
            if ref not in raw:
                problems.setdefault(name, f"引用了未定义的正则片段 {{{{{ref}}}}}")
                return None
            if visit(ref, stack + (name,)) is None:
                problems.setdefault(name, f"引用的正则片段 {{{{{ref}}}}} 有错误")
                return None
        body, _unknown = expand_fragments(body, done)
        done[name] = body
        return body

    for name in raw:
        visit(name, ())
    return {k: v for k, v in done.items() if k not in problems}, problems


class Validator:
    """Turns YAML of one pack into `Rule`s, recording every problem as (code, file, line, message)."""

    def __init__(self, termsets: dict[str, tuple[str, ...]], laws: dict, errors: list, fragments: dict[str, str] | None = None):
        self.termsets = termsets
        self.laws = laws
        self.errors = errors
        self.fragments = fragments or {}  # name -> expanded body (rules/terms/*.yaml `fragments:`)

    def err(self, code: str, file: str, line: int, message: str) -> None:
        self.errors.append((code, file, line, message))

    # -- generic checks

    def _keys(self, d: YDict, allowed: set, file: str, what: str) -> None:
        for k in d:
            if k not in allowed:
                hint = "、".join(sorted(map(str, allowed)))
                self.err(E_SCHEMA, file, d.line_of(k), f"{what}中有未知的键“{k}”（允许：{hint}）")

    def _str(self, d: YDict, key: str, file: str, what: str, required: bool = True) -> str | None:
        if key not in d:
            if required:
                self.err(E_SCHEMA, file, d.line, f"{what}缺少必填项“{key}”")
            return None
        v = d[key]
        if not isinstance(v, str) or not v.strip():
            self.err(E_SCHEMA, file, d.line_of(key), f"{what}的“{key}”必须是非空文字")
            return None
        return v.strip()

    def _terms(self, value, file: str, line: int, what: str) -> tuple[str, ...] | None:
        if not isinstance(value, list) or not value:
            self.err(E_SCHEMA, file, line, f"{what}必须是非空的词语列表")
            return None
        out = []
        for i, t in enumerate(value):
            ln = value.line_of(i) if isinstance(value, YList) else line
            if isinstance(t, (int, float)) and not isinstance(t, bool):
                t = str(t)
            if not isinstance(t, str) or not t.strip():
                self.err(E_SCHEMA, file, ln, f"{what}的第 {i + 1} 项必须是非空文字")
                continue
            if t != t.strip():
                self.err(E_SCHEMA, file, ln, f"{what}的词语“{t}”首尾有空格")
                continue
            out.append(t)
        return tuple(dict.fromkeys(out)) if out else None

    # -- nodes

    def node(self, value, file: str, line: int, path: str, *, no_focus: bool = False) -> Node | None:
        if not isinstance(value, dict):
            self.err(E_SCHEMA, file, line, f"{path} 必须是一个节点（含 terms/termset/regex/all/any/not/inside 之一的映射）")
            return None
        line = getattr(value, "line", line)
        kinds = [k for k in value if k in NODE_KINDS]
        for k in value:
            if k not in NODE_KINDS and k not in ("focus", "within"):
                self.err(E_SCHEMA, file, value.line_of(k), f"{path} 中有未知的键“{k}”（节点只能含 {'/'.join(NODE_KINDS)} 之一，以及 focus、within）")
        if len(kinds) != 1:
            if not kinds:
                self.err(E_SCHEMA, file, line, f"{path} 缺少节点类型（terms/termset/regex/all/any/not/inside 之一）")
            else:
                self.err(E_SCHEMA, file, line, f"{path} 同时含有 {'、'.join(kinds)}；一个节点只能有一种类型，请用 all/any 组合")
            return None
        kind = kinds[0]
        kline = value.line_of(kind)
        focus = value.get("focus", False)
        if "focus" in value and not isinstance(focus, bool):
            self.err(E_SCHEMA, file, value.line_of("focus"), f"{path} 的 focus 只能是 true 或 false")
            focus = False
        if focus and no_focus:
            self.err(E_SCHEMA, file, value.line_of("focus"), f"{path} 位于 not/inside/exclude/document 之下，不能标 focus")
            focus = False
        within = None
        if "within" in value:
            if kind != "all":
                self.err(E_SCHEMA, file, value.line_of("within"), f"{path} 的 within 只能和 all 一起用")
            elif not isinstance(value["within"], int) or isinstance(value["within"], bool) or value["within"] <= 0:
                self.err(E_SCHEMA, file, value.line_of("within"), f"{path} 的 within 必须是正整数（字符数）")
            else:
                within = value["within"]
        node = Node(kind=kind, line=kline, path=f"{path}.{kind}" if path else kind, focus=bool(focus), within=within)
        raw = value[kind]
        if kind == "terms":
            terms = self._terms(raw, file, kline, f"{node.path}")
            if terms is None:
                return None
            node.terms = terms
        elif kind == "termset":
            if not isinstance(raw, str) or not raw.strip():
                self.err(E_SCHEMA, file, kline, f"{node.path} 必须是术语表的名称")
                return None
            if raw not in self.termsets:
                near = [n for n in self.termsets if raw in n or n in raw]
                hint = f"（是否是 {'、'.join(near)}？）" if near else ""
                self.err(E_TERMSET, file, kline, f"未定义的术语表“{raw}”：rules/terms/*.yaml 中没有这个名称{hint}")
                return None
            node.name = raw
            node.terms = self.termsets[raw]
        elif kind == "regex":
            if not isinstance(raw, str) or not raw:
                self.err(E_SCHEMA, file, kline, f"{node.path} 必须是正则表达式文字")
                return None
            written = raw
            raw, unknown = expand_fragments(raw, self.fragments)
            for name in unknown:
                self.err(E_TERMSET, file, kline, f"未定义的正则片段 {{{{{name}}}}}：rules/terms/*.yaml 的 fragments 中没有这个名称")
            if unknown:
                return None
            problems = regex_problems(raw)
            for p in problems:
                self.err(E_REGEX, file, kline, f"{p}：{written}")
            if problems:
                return None
            try:
                compiled = re.compile(raw)
            except re.error as e:  # pragma: no cover - regex_problems parses first
                self.err(E_REGEX, file, kline, f"正则无法编译：{e}：{written}")
                return None
            if compiled.fullmatch(""):
                self.err(E_REGEX, file, kline, f"正则可以匹配空字符串，会命中每一条：{written}")
                return None
            node.pattern = raw
            node.written = written if written != raw else ""
            node.regex = compiled
        elif kind in ("all", "any"):
            if not isinstance(raw, list) or not raw:
                self.err(E_SCHEMA, file, kline, f"{node.path} 必须是非空的节点列表")
                return None
            ok = True
            for i, item in enumerate(raw):
                ln = raw.line_of(i) if isinstance(raw, YList) else kline
                child = self.node(item, file, ln, f"{node.path}[{i}]", no_focus=no_focus)
                if child is None:
                    ok = False
                else:
                    node.children.append(child)
            if not ok:
                return None
            if kind == "all" and all(c.kind == "not" for c in node.children):
                self.err(E_SCHEMA, file, kline, f"{node.path} 的子节点全是 not，规则会命中几乎所有条款")
                return None
        else:  # not / inside
            child = self.node(raw, file, kline, node.path, no_focus=True)
            if child is None:
                return None
            node.children = [child]
        return node

    # -- rules

    def rule(self, d, file: str, line: int, pack_id: str, index: int) -> Rule | None:
        where = f"第 {index + 1} 条规则"
        if not isinstance(d, dict):
            self.err(E_SCHEMA, file, line, f"{where}必须是映射（code、name、match……）")
            return None
        n_before = len(self.errors)
        code = d.get("code")
        if isinstance(code, str):
            where = f"规则 {code} "
        self._keys(d, RULE_KEYS, file, where)
        for k in RULE_REQUIRED:
            if k not in d:
                self.err(E_SCHEMA, file, d.line, f"{where}缺少必填项“{k}”")
        category = d.get("category")
        if "category" in d and category not in CATEGORIES:
            self.err(E_SCHEMA, file, d.line_of("category"), f"{where}的 category “{category}” 不存在（可选：{'、'.join(CATEGORIES)}）")
        if "code" in d:
            if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2}[0-9]{3}", code):
                self.err(E_CODE, file, d.line_of("code"), f"规则代码“{code}”格式不对：应为两个大写字母加三位数字，如 CR001")
            elif code[:2] not in PREFIX_TO_CATEGORY:
                self.err(E_CODE, file, d.line_of("code"), f"规则代码“{code}”的前缀 {code[:2]} 不是已定义的类别前缀（{'、'.join(PREFIX_TO_CATEGORY)}）")
            elif category in CATEGORIES and PREFIXES[category] != code[:2]:
                self.err(E_CODE, file, d.line_of("code"), f"规则代码“{code}”的前缀与类别 {category} 不符（应以 {PREFIXES[category]} 开头）")
        name = self._str(d, "name", file, where, required=False) if "name" in d else None
        severity = d.get("severity")
        if "severity" in d and severity not in SEVERITIES:
            self.err(E_SCHEMA, file, d.line_of("severity"), f"{where}的 severity 只能是 high、medium 或 low，而不是“{severity}”")
        score = d.get("score", DEFAULT_SCORE)
        if not isinstance(score, (int, float)) or isinstance(score, bool) or not 0 <= score <= 1:
            self.err(E_SCHEMA, file, d.line_of("score"), f"{where}的 score 必须是 0 到 1 之间的数")
            score = DEFAULT_SCORE
        status = d.get("status", "stable")
        if status not in STATUSES:
            self.err(E_SCHEMA, file, d.line_of("status"), f"{where}的 status 只能是 stable、preview 或 deprecated")
        scope = d.get("scope", "clause")
        if scope not in SCOPES:
            self.err(E_SCHEMA, file, d.line_of("scope"), f"{where}的 scope 只能是 clause 或 document")
        message = self._str(d, "message", file, where, required=False) if "message" in d else None
        suggestion = self._str(d, "suggestion", file, where, required=False) if "suggestion" in d else None

        match = None
        if "match" in d:
            match = self.node(d["match"], file, d.line_of("match"), "match")
        exclude: list[Node] = []
        if "exclude" in d:
            raw = d["exclude"]
            if not isinstance(raw, list):
                self.err(E_SCHEMA, file, d.line_of("exclude"), f"{where}的 exclude 必须是节点列表")
            else:
                for i, item in enumerate(raw):
                    ln = raw.line_of(i) if isinstance(raw, YList) else d.line_of("exclude")
                    n = self.node(item, file, ln, f"exclude[{i}]", no_focus=True)
                    if n is not None:
                        exclude.append(n)
        context = self.context(d["context"], file, d.line_of("context"), where) if "context" in d else None
        document = None
        if "document" in d:
            if scope != "document":
                self.err(E_SCHEMA, file, d.line_of("document"), f"{where}有 document 条件，但 scope 不是 document")
            document = self.document(d["document"], file, d.line_of("document"), where)
        elif scope == "document":
            self.err(E_SCHEMA, file, d.line, f"{where}的 scope 是 document，但缺少 document 条件（has 或 lacks）")
        citations, bases = self.citations(d.get("legal_basis"), file, d.line_of("legal_basis"), where) if "legal_basis" in d else ([], [])
        examples = self.examples(d["examples"], file, d.line_of("examples"), where) if "examples" in d else Examples()

        if len(self.errors) > n_before or match is None:
            return None
        return Rule(
            code=code, name=name or "", category=category, severity=severity, score=float(score),
            status=status, scope=scope, match=match, exclude=exclude, context=context,
            document=document, message=message or "", suggestion=suggestion or "",
            citations=citations, legal_basis=bases, examples=examples, file=file, line=d.line,
            pack=pack_id,
        )

    def context(self, raw, file: str, line: int, where: str) -> Context | None:
        if not isinstance(raw, dict):
            self.err(E_SCHEMA, file, line, f"{where}的 context 必须是映射（window、boost、damp）")
            return None
        self._keys(raw, CONTEXT_KEYS, file, f"{where}的 context ")
        ctx = Context()
        if "window" in raw:
            w = raw["window"]
            if not isinstance(w, int) or isinstance(w, bool) or w <= 0:
                self.err(E_SCHEMA, file, raw.line_of("window"), f"{where}的 context.window 必须是正整数（字符数）")
            else:
                ctx.window = w
        for key in ("boost", "damp"):
            if key not in raw:
                continue
            a = raw[key]
            ln = raw.line_of(key)
            if not isinstance(a, dict):
                self.err(E_SCHEMA, file, ln, f"{where}的 context.{key} 必须是映射（terms、by）")
                continue
            self._keys(a, ADJUST_KEYS, file, f"{where}的 context.{key} ")
            terms: list[str] = []
            if "terms" in a:
                t = self._terms(a["terms"], file, a.line_of("terms"), f"context.{key}.terms")
                terms.extend(t or ())
            if "termset" in a:
                ts = a["termset"]
                if ts not in self.termsets:
                    self.err(E_TERMSET, file, a.line_of("termset"), f"未定义的术语表“{ts}”")
                else:
                    terms.extend(self.termsets[ts])
            if not terms:
                self.err(E_SCHEMA, file, ln, f"{where}的 context.{key} 需要 terms（或 termset）")
                continue
            by = a.get("by")
            if not isinstance(by, (int, float)) or isinstance(by, bool) or not 0 <= by <= 1:
                self.err(E_SCHEMA, file, a.line_of("by"), f"{where}的 context.{key}.by 必须是 0 到 1 之间的数")
                continue
            setattr(ctx, key, Adjust(tuple(dict.fromkeys(terms)), float(by)))
        return ctx

    def document(self, raw, file: str, line: int, where: str) -> DocumentCondition | None:
        if not isinstance(raw, dict) or not raw:
            self.err(E_SCHEMA, file, line, f"{where}的 document 必须是含 has 或 lacks 的映射")
            return None
        self._keys(raw, DOCUMENT_KEYS, file, f"{where}的 document ")
        cond = DocumentCondition()
        for key in ("has", "lacks"):
            if key in raw:
                setattr(cond, key, self.node(raw[key], file, raw.line_of(key), f"document.{key}", no_focus=True))
        if cond.has is None and cond.lacks is None:
            if not any(k in raw for k in DOCUMENT_KEYS):
                self.err(E_SCHEMA, file, line, f"{where}的 document 需要 has 或 lacks")
            return None
        return cond

    def citations(self, raw, file: str, line: int, where: str) -> tuple[list[str], list[LegalBasis]]:
        if not isinstance(raw, list) or not raw:
            self.err(E_SCHEMA, file, line, f"{where}的 legal_basis 必须是非空列表，如 [妇女权益保障法#56]")
            return [], []
        keys, bases = [], []
        for i, c in enumerate(raw):
            ln = raw.line_of(i) if isinstance(raw, YList) else line
            if not isinstance(c, str) or "#" not in c:
                self.err(E_CITATION, file, ln, f"法律依据“{c}”格式不对：应为“法律简称#条号”，如 妇女权益保障法#56")
                continue
            law_key, art = (s.strip() for s in c.split("#", 1))
            law = self.laws.get(law_key)
            if law is None:
                self.err(E_CITATION, file, ln, f"法律依据“{c}”无法解析：rules/laws/*.yaml 中没有法律“{law_key}”")
                continue
            summary = law["articles"].get(art)
            if summary is None:
                self.err(E_CITATION, file, ln, f"法律依据“{c}”无法解析：{law_key} 在 rules/laws 中没有第 {art} 条")
                continue
            keys.append(c)
            bases.append(LegalBasis(law=law["name"], article=article_label(art), summary=summary, key=f"{law_key}#{art}"))
        return keys, bases

    def examples(self, raw, file: str, line: int, where: str) -> Examples:
        ex = Examples()
        if not isinstance(raw, dict):
            self.err(E_SCHEMA, file, line, f"{where}的 examples 必须是映射（match、no_match、todo_match）")
            return ex
        self._keys(raw, EXAMPLE_KEYS, file, f"{where}的 examples ")
        for key in EXAMPLE_KEYS:
            if key not in raw:
                continue
            items = raw[key]
            if items is None:
                continue
            if not isinstance(items, list):
                self.err(E_SCHEMA, file, raw.line_of(key), f"{where}的 examples.{key} 必须是文字列表")
                continue
            out = getattr(ex, key)
            for i, t in enumerate(items):
                ln = items.line_of(i) if isinstance(items, YList) else raw.line_of(key)
                if not isinstance(t, str) or not t.strip():
                    self.err(E_SCHEMA, file, ln, f"{where}的 examples.{key} 第 {i + 1} 项必须是非空文字")
                    continue
                ex.lines[(key, len(out))] = ln
                out.append(t)
        return ex
