"""Literal anchors and the one Aho–Corasick automaton that decides which rules to evaluate.

For every rule we derive a set of literal strings at least one of which must occur in a clause
for the rule to match (`required_literals`). Terms give them directly; for a regex we walk its
`re` parse tree (`regex_required`). A rule for which no set can be derived always runs.

Per clause, one automaton pass finds every literal (terms of all rules and the regex anchors);
the rules whose anchor set was hit are the only ones evaluated, and the term hits of the same
pass are reused by the `terms` nodes, so a term is never searched twice.
"""

from __future__ import annotations

import itertools

import ahocorasick

from .schema import Node, sre_c, sre_parse

MAX_SET = 64  # cap of the literal sets built by cross products (e.g. [男女][工职])
MAX_CLASS = 10  # a character class of at most this many literal chars is treated as alternatives


# ---------------------------------------------------------------- regex analysis

# Each item of a parse tree is summarised as (exact, required):
#   exact:    the finite set of strings the item can match, or None when unknown / too many;
#   required: a set of strings one of which occurs in every match of the item, or None.


def _best(cands: list[set[str]]) -> set[str] | None:
    """The most selective literal set: longest shortest string, then fewest strings."""
    good = [c for c in cands if c and all(c_ for c_ in c)]
    if not good:
        return None
    return max(good, key=lambda c: (min(len(s) for s in c), -len(c)))


def _product(a: set[str], b: set[str]) -> set[str] | None:
    if len(a) * len(b) > MAX_SET:
        return None
    return {x + y for x, y in itertools.product(a, b)}


def _seq(items) -> tuple[set[str] | None, set[str] | None]:
    exact_all: set[str] | None = {""}
    cands: list[set[str]] = []
    run: set[str] | None = {""}
    for item in items:
        ex, req = _item(item)
        if req:
            cands.append(req)
        if ex is not None:
            if exact_all is not None:
                exact_all = _product(exact_all, ex)
            nxt = _product(run, ex) if run is not None else None
            if nxt is None:
                if run and run != {""}:
                    cands.append(run)
                run = ex
            else:
                run = nxt
        else:
            exact_all = None
            if run and run != {""}:
                cands.append(run)
            run = {""}
    if run and run != {""}:
        cands.append(run)
    if exact_all is not None:
        cands.append(exact_all)
    return exact_all, _best(cands)


def _item(item) -> tuple[set[str] | None, set[str] | None]:
    op, av = item
    if op is sre_c.LITERAL:
        s = {chr(av)}
        return s, s
    if op is sre_c.IN:
        chars: set[str] = set()
        for iop, iav in av:
            if iop is sre_c.LITERAL:
                chars.add(chr(iav))
            elif iop is sre_c.RANGE and iav[1] - iav[0] < MAX_CLASS:
                chars.update(chr(c) for c in range(iav[0], iav[1] + 1))
            else:  # NEGATE, CATEGORY, big RANGE
                return None, None
        if 0 < len(chars) <= MAX_CLASS:
            return chars, chars
        return None, None
    if op is sre_c.SUBPATTERN:
        add_flags, del_flags = av[1], av[2]
        if add_flags & sre_c.SRE_FLAG_IGNORECASE:
            return None, None
        return _seq(av[-1])
    if op is getattr(sre_c, "ATOMIC_GROUP", None):
        return _seq(av)
    if op is sre_c.BRANCH:
        exacts, reqs = [], []
        for b in av[1]:
            ex, req = _seq(b)
            exacts.append(ex)
            reqs.append(req)
        exact = None
        if all(e is not None for e in exacts):
            exact = set().union(*exacts)
            if len(exact) > MAX_SET:
                exact = None
        req = None
        if all(r for r in reqs):
            req = set().union(*reqs)
        elif exact is not None and "" not in exact:
            req = exact
        return exact, req
    if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
        lo, hi, sub = av
        ex, req = _seq(sub)
        if lo == 0:
            if hi == 0:
                return {""}, None
            return None, None
        exact = None
        if ex is not None and lo == hi and lo <= 4:
            exact = {""}
            for _ in range(lo):
                exact = _product(exact, ex) if exact is not None else None
        return exact, req
    if op is sre_c.AT:
        return {""}, None  # zero-width anchors do not break literal runs
    # ANY, NOT_LITERAL, GROUPREF, ASSERT, ASSERT_NOT, CATEGORY …: unknown
    return None, None


def regex_required(pattern: str, flags: int = 0) -> set[str] | None:
    """Literals one of which occurs in every match of `pattern`, or None if none can be derived."""
    try:
        tree = sre_parse.parse(pattern, flags)
    except Exception:
        return None
    gflags = getattr(tree, "state", None)
    gflags = getattr(gflags, "flags", flags) if gflags is not None else flags
    if gflags & sre_c.SRE_FLAG_IGNORECASE:
        return None
    _, req = _seq(list(tree))
    return req


def node_literals(node: Node) -> set[str] | None:
    """Literals one of which must occur in the *clause* for `node` to match, or None."""
    if node.kind in ("terms", "termset"):
        return set(node.terms) if node.terms else None
    if node.kind == "regex":
        return regex_required(node.pattern, node.regex.flags if node.regex is not None else 0)
    if node.kind == "any":
        out: set[str] = set()
        for c in node.children:
            lits = node_literals(c)
            if not lits:
                return None
            out |= lits
        return out
    if node.kind == "all":
        cands = [node_literals(c) for c in node.children]
        return _best([c for c in cands if c])
    return None  # not / inside: nothing required in the clause itself


def rule_anchors(node: Node) -> set[str]:
    """Every literal of a match tree (terms and regex anchors), for the trigger-word lint."""
    out: set[str] = set()
    for leaf in node.leaves(positive_only=True):
        lits = node_literals(leaf)
        if lits:
            out |= lits
    return out


# ---------------------------------------------------------------- automaton


class Prefilter:
    """One automaton over every literal; maps a clause to its literal hits and candidate rules."""

    def __init__(self) -> None:
        self.literals: list[str] = []
        self._ids: dict[str, int] = {}
        self.rules_by_literal: dict[int, list[int]] = {}
        self.always: list[int] = []
        self._automaton = ahocorasick.Automaton()
        self._built = False

    def literal_id(self, lit: str) -> int:
        i = self._ids.get(lit)
        if i is None:
            i = len(self.literals)
            self._ids[lit] = i
            self.literals.append(lit)
        return i

    def add_rule(self, rule_index: int, anchors: set[str] | None) -> None:
        if not anchors:
            self.always.append(rule_index)
            return
        for lit in anchors:
            self.rules_by_literal.setdefault(self.literal_id(lit), []).append(rule_index)

    def build(self) -> None:
        for i, lit in enumerate(self.literals):
            self._automaton.add_word(lit, (i, len(lit)))
        if self.literals:
            self._automaton.make_automaton()
        self._built = True

    def scan(self, text: str) -> dict[int, list[int]]:
        """literal id -> sorted start offsets of every (overlapping) occurrence in `text`."""
        occ: dict[int, list[int]] = {}
        if not self.literals:
            return occ
        for end, (lid, n) in self._automaton.iter(text):
            lst = occ.get(lid)
            if lst is None:
                occ[lid] = [end - n + 1]
            else:
                lst.append(end - n + 1)
        return occ

    def candidates(self, occ: dict[int, list[int]]) -> set[int]:
        out = set(self.always)
        rbl = self.rules_by_literal
        for lid in occ:
            rs = rbl.get(lid)
            if rs:
                out.update(rs)
        return out
