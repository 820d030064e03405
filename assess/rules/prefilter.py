"""Literal anchors and the one Aho–Corasick automaton that decides which rules to evaluate.

For every rule we derive, from its match tree, a condition on literal strings that every clause
matching the rule satisfies (`node_dnf`): a disjunction of alternatives, each a conjunction of
groups, each group a set of literals one of which must occur. Terms give a group directly; for a
regex we walk its `re` parse tree (`regex_groups`): `(女儿|女子)[^。]{0,9}(不得|无权)[^。]{0,4}继承`
requires one of {女儿, 女子} and one of {不得, 无权} and 继承. A rule for which nothing can be
derived always runs.

Per document, one automaton pass finds every literal (terms of all rules and the regex anchors);
each clause takes its slice of the hits, only the rules whose condition holds are evaluated, and
the `terms` nodes reuse the same hits, so a term is never searched twice.
"""

from __future__ import annotations

import itertools

import ahocorasick

from .schema import Node, parse_regex, sre_c

MAX_SET = 64  # cap of the literal sets built by cross products (e.g. [男女][工职])
MAX_CLASS = 10  # a character class of at most this many literal chars is treated as alternatives
MAX_ALTS = 16  # cap of alternatives of a rule's condition

Group = frozenset  # literals, one of which must occur


# ---------------------------------------------------------------- regex analysis

# Each item of a parse tree is summarised as (exact, groups):
#   exact:  the finite set of strings the item can match, or None when unknown / too many;
#   groups: literal sets that are all required (each: one of its strings occurs in every match).


def _ok(group) -> bool:
    return bool(group) and all(group)


def _strength(g) -> tuple:
    return (min(len(s) for s in g), -len(g))


def _best(cands) -> Group | None:
    """The most selective literal set: longest shortest string, then fewest strings."""
    good = [c for c in cands if _ok(c)]
    if not good:
        return None
    return Group(max(good, key=_strength))


def _prune(groups) -> list[Group]:
    """Drop duplicates, groups implied by stronger ones, and 1-char groups when longer exist."""
    gs = []
    for g in groups:
        g = Group(g)
        if _ok(g) and g not in gs:
            gs.append(g)
    out = []
    for g in gs:
        # g is implied by h when every literal of h contains a literal of g
        if any(h is not g and all(any(x in y for x in g) for y in h) and _strength(h) > _strength(g) for h in gs):
            continue
        out.append(g)
    if any(min(map(len, g)) > 1 for g in out):
        out = [g for g in out if min(map(len, g)) > 1]
    return out


def _product(a, b) -> set[str] | None:
    if len(a) * len(b) > MAX_SET:
        return None
    return {x + y for x, y in itertools.product(a, b)}


def _seq(items) -> tuple[set[str] | None, list]:
    exact_all: set[str] | None = {""}
    groups: list = []
    run: set[str] = {""}
    for item in items:
        ex, gs = _item(item)
        groups.extend(gs)
        if ex is not None:
            if exact_all is not None:
                exact_all = _product(exact_all, ex)
            nxt = _product(run, ex)
            if nxt is None:
                if _ok(run):
                    groups.append(run)
                run = ex
            else:
                run = nxt
        else:
            exact_all = None
            if _ok(run):
                groups.append(run)
            run = {""}
    if _ok(run):
        groups.append(run)
    return exact_all, groups


def _item(item) -> tuple[set[str] | None, list]:
    op, av = item
    if op is sre_c.LITERAL:
        return {chr(av)}, []
    if op is sre_c.IN:
        chars: set[str] = set()
        for iop, iav in av:
            if iop is sre_c.LITERAL:
                chars.add(chr(iav))
            elif iop is sre_c.RANGE and iav[1] - iav[0] < MAX_CLASS:
                chars.update(chr(c) for c in range(iav[0], iav[1] + 1))
            else:  # NEGATE, CATEGORY, big RANGE
                return None, []
        if 0 < len(chars) <= MAX_CLASS:
            return chars, []
        return None, []
    if op is sre_c.SUBPATTERN:
        if av[1] & sre_c.SRE_FLAG_IGNORECASE:
            return None, []
        return _seq(av[-1])
    if op is getattr(sre_c, "ATOMIC_GROUP", None):
        return _seq(av)
    if op is sre_c.BRANCH:
        exacts, bests = [], []
        for b in av[1]:
            ex, gs = _seq(b)
            exacts.append(ex)
            if ex is not None and _ok(ex):
                gs = gs + [ex]
            bests.append(_best(gs))
        exact = None
        if all(e is not None for e in exacts):
            exact = set().union(*exacts)
            if len(exact) > MAX_SET:
                exact = None
        if exact is not None and _ok(exact):
            return exact, []  # the enclosing run / sequence uses it
        if all(b is not None for b in bests):
            return exact, [set().union(*bests)]
        return exact, []
    if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
        lo, hi, sub = av
        ex, gs = _seq(sub)
        if lo == 0:
            return ({""}, []) if hi == 0 else (None, [])
        exact = None
        if ex is not None and lo == hi and lo <= 4:
            exact = {""}
            for _ in range(lo):
                exact = _product(exact, ex) if exact is not None else None
        if exact is None and ex is not None and _ok(ex):
            gs = gs + [ex]
        return exact, gs
    if op is sre_c.AT:
        return {""}, []  # zero-width anchors do not break literal runs
    # ANY, NOT_LITERAL, GROUPREF, ASSERT, ASSERT_NOT, CATEGORY …: unknown
    return None, []


def regex_groups(pattern: str, flags: int = 0) -> list[Group]:
    """Literal groups that every match of `pattern` satisfies (all of them; [] = none derived)."""
    try:
        tree = parse_regex(pattern, flags)
    except Exception:
        return []
    state = getattr(tree, "state", None)
    gflags = getattr(state, "flags", flags) if state is not None else flags
    if gflags & sre_c.SRE_FLAG_IGNORECASE:
        return []
    exact, groups = _seq(list(tree))
    if exact is not None and _ok(exact):
        groups.append(exact)
    return _prune(groups)


def regex_required(pattern: str, flags: int = 0) -> set[str] | None:
    """The most selective literal group of `pattern`, or None."""
    b = _best(regex_groups(pattern, flags))
    return set(b) if b is not None else None


# ---------------------------------------------------------------- match trees


def _collapse(dnf: list[list[Group]]) -> list[list[Group]]:
    """One alternative that every alternative of `dnf` implies: the union of their best groups."""
    bests = [_best(alt) for alt in dnf]
    if any(b is None for b in bests):
        return [[]]
    return [[Group(set().union(*bests))]]


def node_dnf(node: Node) -> list[list[Group]]:
    """Condition on the clause's literals for `node` to match: any alternative, all its groups.

    `[[]]` (an alternative without groups) means nothing can be required.
    """
    kind = node.kind
    if kind in ("terms", "termset"):
        return [[Group(node.terms)]] if node.terms else [[]]
    if kind == "regex":
        return [regex_groups(node.pattern)]  # inline flags only: the loader compiles without flags
    if kind == "any":
        alts: list[list[Group]] = []
        for c in node.children:
            d = node_dnf(c)
            if any(not a for a in d):
                return [[]]
            alts.extend(d)
        return _collapse(alts) if len(alts) > MAX_ALTS else alts
    if kind == "all":
        res: list[list[Group]] = [[]]
        for c in node.children:
            d = node_dnf(c)
            if d == [[]]:
                continue
            if len(res) * len(d) > MAX_ALTS:
                d = _collapse(d)
                if len(res) * len(d) > MAX_ALTS:
                    res = _collapse(res)
            res = [a + b for a in res for b in d]
        return [_prune(a) for a in res]
    return [[]]  # not / inside: nothing required in the clause itself


def node_literals(node: Node) -> set[str] | None:
    """Every literal of the node's condition (None when nothing can be required)."""
    dnf = node_dnf(node)
    if any(not a for a in dnf):
        return None
    return set().union(*(g for a in dnf for g in a))


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
    """One automaton over every literal; maps a text to its literal hits and candidate rules.

    A rule is registered with its conjunctive literal groups (`node_groups`): it is a candidate
    for a clause when every group has at least one literal in the clause. Rules without groups
    always run.
    """

    def __init__(self) -> None:
        self.literals: list[str] = []
        self._ids: dict[str, int] = {}
        self.single: dict[int, list[int]] = {}  # literal -> rules with a one-group alternative
        self.pairs: dict[int, list[tuple[int, int]]] = {}  # literal -> (alternative, group)
        self.alt_rule: list[int] = []  # alternative -> rule
        self.alt_groups: list[int] = []  # alternative -> number of groups
        self.always: list[int] = []
        self._automaton = ahocorasick.Automaton()

    def literal_id(self, lit: str) -> int:
        i = self._ids.get(lit)
        if i is None:
            i = len(self.literals)
            self._ids[lit] = i
            self.literals.append(lit)
        return i

    def add_rule(self, rule_index: int, dnf: list[list[Group]]) -> None:
        if not dnf or any(not alt for alt in dnf):
            self.always.append(rule_index)
            return
        for alt in dnf:
            if len(alt) == 1:
                for lit in alt[0]:
                    lst = self.single.setdefault(self.literal_id(lit), [])
                    if rule_index not in lst:
                        lst.append(rule_index)
                continue
            ai = len(self.alt_rule)
            self.alt_rule.append(rule_index)
            self.alt_groups.append(len(alt))
            for gi, group in enumerate(alt):
                for lit in group:
                    self.pairs.setdefault(self.literal_id(lit), []).append((ai, gi))

    def build(self) -> None:
        # pyahocorasick looks up a node's children linearly, so a root with hundreds of distinct
        # first characters is slow on CJK text. The automaton therefore runs over UTF-16 code
        # units spelt as latin-1 characters (two per BMP character): the root has at most ~90
        # children (high bytes) and the text is encoded by one C call. Hits at odd offsets are
        # misaligned and dropped. Text outside the BMP falls back to a plain automaton.
        for i, lit in enumerate(self.literals):
            self._automaton.add_word(_enc(lit), (i, 2 * len(lit)))
        if self.literals:
            self._automaton.make_automaton()
        # Candidate triggers. A one-group alternative names its rule directly. A longer one is
        # triggered by the literals of its most selective group only; its other groups are then
        # checked against the clause's literal set (so a common word such as 分配 that sits in
        # many secondary groups costs nothing until a trigger fires).
        single: dict[int, set[int]] = {lid: set(rs) for lid, rs in self.single.items()}
        by_alt: dict[int, list[set[int]]] = {}
        for lid, pairs in self.pairs.items():
            for ai, gi in pairs:
                groups = by_alt.setdefault(ai, [set() for _ in range(self.alt_groups[ai])])
                groups[gi].add(lid)
        alt_trig: dict[int, list[int]] = {}
        self._alt_check: dict[int, tuple[frozenset, ...]] = {}
        for ai, groups in by_alt.items():
            lits = self.literals
            best = max(range(len(groups)), key=lambda g: (min(len(lits[l]) for l in groups[g]), -len(groups[g])))
            for lid in groups[best]:
                alt_trig.setdefault(lid, []).append(ai)
            self._alt_check[ai] = tuple(frozenset(g) for i, g in enumerate(groups) if i != best)
        self._trig = {
            lid: (tuple(single.get(lid, ())), tuple(alt_trig.get(lid, ())))
            for lid in set(single) | set(alt_trig)
        }
        self._plain = None

    def _plain_automaton(self):
        if self._plain is None:
            a = ahocorasick.Automaton()
            for i, lit in enumerate(self.literals):
                a.add_word(lit, (i, len(lit)))
            a.make_automaton()
            self._plain = a
        return self._plain

    def _iter(self, text: str):
        """(start, end, literal id) of every (overlapping) literal occurrence, in end order."""
        enc = _enc(text)
        if len(enc) == 2 * len(text):
            for end, (lid, n) in self._automaton.iter(enc):
                start = end - n + 1
                if not start & 1:
                    yield start >> 1, (end + 1) >> 1, lid
        else:  # characters outside the BMP (surrogate pairs): offsets would not line up
            for end, (lid, n) in self._plain_automaton().iter(text):
                yield end - n + 1, end + 1, lid

    def hits(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, literal id) of every (overlapping) literal occurrence, sorted by start."""
        if not self.literals:
            return []
        enc = _enc(text)
        if len(enc) == 2 * len(text):
            out = [
                ((e - n + 1) >> 1, (e + 1) >> 1, lid)
                for e, (lid, n) in self._automaton.iter(enc)
                if not (e - n + 1) & 1
            ]
        else:
            out = list(self._iter(text))
        out.sort()
        return out

    def scan(self, text: str) -> dict[int, list[int]]:
        """literal id -> sorted start offsets of every (overlapping) occurrence in `text`."""
        occ: dict[int, list[int]] = {}
        if not self.literals:
            return occ
        for start, _end, lid in sorted(self._iter(text)):
            lst = occ.get(lid)
            if lst is None:
                occ[lid] = [start]
            else:
                lst.append(start)
        return occ

    def candidates(self, occ) -> set[int]:
        """Rules whose literal condition holds, given the literal ids found in a clause (`occ`)."""
        out = set(self.always)
        trig = self._trig
        fired: set[int] | None = None
        for lid in occ:
            t = trig.get(lid)
            if t is None:
                continue
            rules, alts = t
            if rules:
                out.update(rules)
            if alts:
                if fired is None:
                    fired = set(alts)
                else:
                    fired.update(alts)
        if fired:
            check, ar = self._alt_check, self.alt_rule
            for ai in fired:
                r = ar[ai]
                if r in out:
                    continue
                if all(not g.isdisjoint(occ) for g in check[ai]):
                    out.add(r)
        return out


def _enc(text: str) -> str:
    return text.encode("utf-16-be", "surrogatepass").decode("latin-1")
