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
    if op is sre_c.ASSERT:
        # (?=…) / (?<=…): zero width, but its content must be in the text too. The content may
        # overlap what follows, so it is required on its own and does not join the run.
        ex, gs = _seq(av[1])
        if ex is not None and _ok(ex):
            gs = gs + [ex]
        return {""}, gs
    # ANY, NOT_LITERAL, GROUPREF, ASSERT_NOT, CATEGORY …: unknown
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


def regex_dnf(pattern: str) -> list[list[Group]]:
    """Like `regex_groups`, but a top-level alternation `A|B|C` keeps one alternative per branch
    (so `(代表|委员)(?=…限…男性)|(妇女|女性)(?=…不得担任)` needs 代表/委员 *and* 限 …)."""
    try:
        tree = parse_regex(pattern)
    except Exception:
        return [[]]
    state = getattr(tree, "state", None)
    if state is not None and getattr(state, "flags", 0) & sre_c.SRE_FLAG_IGNORECASE:
        return [[]]
    items = list(tree)
    while len(items) == 1 and items[0][0] is sre_c.SUBPATTERN and not (items[0][1][1] & sre_c.SRE_FLAG_IGNORECASE):
        items = list(items[0][1][-1])
    if len(items) == 1 and items[0][0] is sre_c.BRANCH and len(items[0][1][1]) <= MAX_ALTS:
        alts = []
        for b in items[0][1][1]:
            ex, gs = _seq(b)
            if ex is not None and _ok(ex):
                gs = gs + [ex]
            alt = _prune(gs)
            if not alt:
                return [regex_groups(pattern)]
            alts.append(alt)
        return alts
    return [regex_groups(pattern)]


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
        return regex_dnf(node.pattern)  # inline flags only: the loader compiles without flags
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


def literal_costs(literals) -> dict[str, float]:
    """Rough frequency of each literal in ordinary Chinese text (jieba's dictionary counts).

    Used only to choose which group of an alternative triggers it: the rarest one. A literal not
    in the dictionary counts as rare when longer than one character, as common otherwise.
    """
    literals = set(literals)
    found: dict[str, float] = {lit: _COSTS[lit] for lit in literals if lit in _COSTS}
    wanted = {lit.encode("utf-8") for lit in literals if lit not in _COSTS}
    if len(literals) < 200:  # a small rule set gains nothing: skip reading the dictionary
        wanted = set()
    try:
        if not wanted:
            raise LookupError
        import jieba

        with jieba.get_dict_file() as fh:
            for line in fh:
                word, _, rest = line.partition(b" ")
                if word in wanted:
                    try:
                        found[word.decode("utf-8")] = float(rest.split(b" ", 1)[0])
                    except ValueError:
                        pass
        for w in wanted:
            found.setdefault(w.decode("utf-8"), -1.0)  # looked up, not in the dictionary
        _COSTS.update((k, v) for k, v in found.items())
    except Exception:  # noqa: BLE001 - no jieba / no dictionary / small set: length heuristic only
        pass
    return {lit: _cost(lit, found.get(lit, -1.0)) for lit in literals}


_COSTS: dict[str, float] = {}  # per process: dictionary counts already looked up (-1 = absent)


def _cost(lit: str, count: float) -> float:
    if count >= 0:
        return count
    return 50000.0 if len(lit) == 1 else 10.0


def order_by_rarity(dnf: list[list[Group]], costs: dict[str, float]) -> list[list[Group]]:
    """Put the rarest group of each alternative first: it becomes the alternative's trigger."""
    return [sorted(alt, key=lambda g: sum(costs.get(x, 10.0) for x in g)) for alt in dnf]


class Prefilter:
    """Literal automata and the candidate rules of a clause.

    A rule is registered with its condition (`node_dnf`): alternatives of literal groups. A
    one-group alternative is triggered by any of its literals. A longer alternative is triggered
    by the literals of its first group (the loader puts the rarest first) and then needs every
    other group in the clause. Rules without a condition always run.

    One automaton of every literal (rule anchors and the terms of match trees) runs once over
    the whole document; each clause takes its slice of the hits, which both triggers and checks
    the alternatives and feeds the `terms` nodes. (A separate trigger-only pass followed by a
    full scan of each triggered clause cost twice as much on village rules, where most clauses
    hold some trigger.)
    """

    def __init__(self) -> None:
        self.literals: list[str] = []
        self._ids: dict[str, int] = {}
        self.single: dict[int, list[int]] = {}  # literal -> rules with a one-group alternative
        self.alt_rule: list[int] = []  # alternative -> rule
        self.alt_trigger: list[frozenset] = []  # alternative -> trigger literal ids
        self.alt_check: list[tuple[frozenset, ...]] = []  # alternative -> other groups (literal ids)
        self.alt_chars: list[tuple[tuple[frozenset, frozenset], ...]] = []  # alternative -> groups with 1-char literals
        self.always: list[int] = []

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
                for lid in self._ids_of(alt[0]):
                    lst = self.single.setdefault(lid, [])
                    if rule_index not in lst:
                        lst.append(rule_index)
                continue
            # A check group with a one-character literal (员, 工 …) is tested against the clause's
            # characters instead: such a literal would hit all over ordinary text, and every hit
            # costs the automaton pass and the per-clause bookkeeping.
            self.alt_rule.append(rule_index)
            self.alt_trigger.append(self._ids_of(alt[0]))
            self.alt_check.append(tuple(self._ids_of(g) for g in alt[1:] if min(map(len, g)) > 1))
            self.alt_chars.append(tuple(self._char_group(g) for g in alt[1:] if min(map(len, g)) == 1))

    def _ids_of(self, group) -> frozenset:
        return frozenset(self.literal_id(x) for x in group)

    def _char_group(self, group) -> tuple[frozenset, frozenset]:
        """The group's characters, and the ids of its longer literals that contain none of them."""
        chars = frozenset(x for x in group if len(x) == 1)
        return chars, frozenset(self.literal_id(x) for x in group if len(x) > 1 and chars.isdisjoint(x))

    def build(self) -> None:
        # pyahocorasick looks up a node's children linearly, so a root with hundreds of distinct
        # first characters is slow on CJK text. The automata therefore run over UTF-16 code
        # units spelt as latin-1 characters (two per BMP character): the root has at most ~90
        # children (high bytes) and the text is encoded by one C call. Hits at odd offsets are
        # misaligned and dropped. Text outside the BMP falls back to plain automata.
        alt_trig: dict[int, list[int]] = {}
        for ai, trig in enumerate(self.alt_trigger):
            for lid in trig:
                alt_trig.setdefault(lid, []).append(ai)
        # literal -> rules it triggers / alternatives it triggers, as frozensets so that a
        # clause's triggers are gathered by C-level set operations (`candidates`)
        self._single = {lid: frozenset(rs) for lid, rs in self.single.items()}
        self._alts = {lid: frozenset(a) for lid, a in alt_trig.items()}
        self._single_keys = frozenset(self._single)
        self._alt_keys = frozenset(self._alts)
        self._full = _automaton(self.literals, range(len(self.literals)), encode=True)
        self._plain = None
        self.max_literal = max(map(len, self.literals), default=1)

    def hits(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, literal id) of every (overlapping) literal occurrence, sorted by start."""
        auto = self._full
        if auto is None:
            return []
        enc = _enc(text)
        if len(enc) == 2 * len(text):
            # n is twice the literal's length; a hit at an odd code-unit offset is misaligned.
            out = [((e - n + 1) >> 1, (e + 1) >> 1, lid) for e, (lid, n) in auto.iter(enc) if not (e - n + 1) & 1]
        else:
            # characters outside the BMP (surrogate pairs): offsets would not line up
            plain = self._plain
            if plain is None:
                plain = self._plain = _automaton(self.literals, range(len(self.literals)), encode=False)
            out = [(e - n + 1, e + 1, lid) for e, (lid, n) in plain.iter(text)] if plain is not None else []
        out.sort()
        return out

    def found(self, text: str) -> set[int]:
        """Ids of the literals that occur in `text`."""
        return {lid for _s, _e, lid in self.hits(text)}

    def candidates(self, found: set[int], text: str | None = None) -> set[int]:
        """Rules whose literal condition holds in a clause.

        `found`: the ids of every literal in the clause (`found`, or the clause's slice of the
        document's hits). `text`: the clause, for the groups with one-character literals (without
        it they count as present).
        """
        out = set(self.always)
        lids = self._single_keys.intersection(found)
        if lids:
            out.update(*map(self._single.__getitem__, lids))
        lids = self._alt_keys.intersection(found)
        fired = set().union(*map(self._alts.__getitem__, lids)) if lids else None
        if fired:
            ar, check, by_chars = self.alt_rule, self.alt_check, self.alt_chars
            chars = None
            # plain loops with break: this runs for every fired alternative of every clause, and
            # all() over a generator cost twice as much
            for ai in fired:
                r = ar[ai]
                if r in out:
                    continue
                for g in check[ai]:
                    if g.isdisjoint(found):
                        break
                else:
                    cg = by_chars[ai]
                    if cg and text is not None:
                        if chars is None:
                            chars = set(text)
                        # a group holds when one of its characters, or one of its longer
                        # literals without those characters, occurs
                        for cs, longer in cg:
                            if cs.isdisjoint(chars) and longer.isdisjoint(found):
                                break
                        else:
                            out.add(r)
                    else:
                        out.add(r)
        return out


def _automaton(literals: list[str], ids, *, encode: bool):
    a = ahocorasick.Automaton()
    n = 0
    for i in ids:
        lit = literals[i]
        if encode:
            a.add_word(_enc(lit), (i, 2 * len(lit)))
        else:
            a.add_word(lit, (i, len(lit)))
        n += 1
    if not n:
        return None
    a.make_automaton()
    return a


def _enc(text: str) -> str:
    return text.encode("utf-16-be", "surrogatepass").decode("latin-1")
