"""Evaluate rules on the clauses of a document.

Per document one Aho–Corasick pass (`Prefilter.hits`); per detection unit the literals of its
slice of the hits → the candidate rules → a quick test that the match tree cannot match
(`Engine.never`) → evaluate each remaining candidate's match tree; `terms` nodes
locate (str.find) only the terms that pass found, `regex` nodes run `re.finditer` on at most
`MAX_REGEX_CHARS` characters at a time. `inside` nodes evaluate on the unit's enclosing article
(scanned once per article). A unit on which no rule matched is remembered (`Engine._quiet`).
Exclusions cancel a rule; context words around the focus span move the score; a finding is kept
when its score is ≥ 0.5.

Hits carry absolute offsets in `Document.text`. A hit found in the enclosing article (under
`inside`) or a `not` node has no span of its own and never becomes the reported span.
"""

from __future__ import annotations

import bisect
import itertools
import os

from ..findings import SEVERITY_RANK, Finding, Location, fingerprint
from .prefilter import Prefilter, node_dnf
from .schema import THRESHOLD, Node, Rule

MAX_REGEX_CHARS = 4000  # regexes see at most this many characters at once
REGEX_OVERLAP = 200  # overlap of consecutive windows of a longer text (rules are clause-local)
MAX_HITS = 50  # hits kept per node
MAX_COMBINATIONS = 20000  # `all … within` search budget
QUIET_MAX = 100000  # remembered clauses on which no rule matched (per engine)


_COST = {"terms": 0, "termset": 0, "regex": 1, "any": 1, "all": 1, "not": 2, "inside": 3}


class Hit:
    __slots__ = ("start", "end", "leaves", "focus")

    def __init__(self, start, end, leaves, focus=None):
        self.start = start  # absolute offsets, or None (not / inside / document scope)
        self.end = end
        self.leaves = leaves  # tuple of (node, start, end, text, in_clause)
        self.focus = focus  # (start, end) or None


class Scope:
    """A text being evaluated: the clause, its article (`inside`) or the whole document."""

    __slots__ = ("text", "base", "in_clause", "_found", "_pf")

    def __init__(self, text: str, base: int, in_clause: bool, prefilter: Prefilter, found=None):
        self.text = text
        self.base = base
        self.in_clause = in_clause
        self._pf = prefilter
        self._found = found

    @property
    def found(self) -> set[int]:
        """Ids of the automaton's literals that occur in the text."""
        if self._found is None:
            self._found = self._pf.found(self.text)
        return self._found


class Evaluator:
    """Match-tree evaluation shared by the engine and the self-test."""

    def __init__(self, prefilter: Prefilter):
        self.pf = prefilter

    def eval(self, node: Node, scope: Scope, context: "callable") -> list[Hit]:
        kind = node.kind
        if kind in ("terms", "termset"):
            return self._terms(node, scope)
        if kind == "regex":
            return self._regex(node, scope)
        if kind == "any":
            hits: list[Hit] = []
            for c in node.children:
                hits.extend(self.eval(c, scope, context))
            if not hits:
                return hits
            # Ordered choice, like a regex alternation: the first child that matches gives the
            # reported hit (writers list the most specific alternative first); the other
            # children's hits stay available to an enclosing `all … within`.
            if node.focus:
                for h in hits:
                    if h.start is not None:
                        h.focus = (h.start, h.end)
            return hits[:MAX_HITS]
        if kind == "all":
            lists: list = [None] * len(node.children)
            for i in node.order or range(len(node.children)):  # cheap children first: fail fast
                hs = self.eval(node.children[i], scope, context)
                if not hs:
                    return []
                lists[i] = hs
            combo = self._combine(lists, node.within)
            if combo is None:
                return []
            spans = [(h.start, h.end) for h in combo if h.start is not None]
            start = min(s for s, _ in spans) if spans else None
            end = max(e for _, e in spans) if spans else None
            leaves = tuple(itertools.chain.from_iterable(h.leaves for h in combo))
            focus = (start, end) if node.focus and start is not None else next((h.focus for h in combo if h.focus), None)
            return [Hit(start, end, leaves, focus)]
        if kind == "not":
            return [] if self.eval(node.child, scope, context) else [Hit(None, None, ())]
        if kind == "inside":
            ctx = context()
            hs = self.eval(node.child, ctx, context)
            if not hs:
                return []
            return [Hit(None, None, hs[0].leaves)]
        raise ValueError(kind)  # pragma: no cover

    @staticmethod
    def _combine(lists: list[list[Hit]], within: int | None) -> list[Hit] | None:
        if within is None:
            return [hs[0] for hs in lists]
        spanned = [i for i, hs in enumerate(lists) if hs[0].start is not None]
        choice = [hs[0] for hs in lists]
        pools = [[h for h in lists[i] if h.start is not None][:30] for i in spanned]
        for n, combo in enumerate(itertools.product(*pools)):
            if n >= MAX_COMBINATIONS:
                break
            lo = min(h.start for h in combo)
            hi = max(h.end for h in combo)
            if hi - lo <= within:
                for i, h in zip(spanned, combo):
                    choice[i] = h
                return choice
        return None

    def _terms(self, node: Node, scope: Scope) -> list[Hit]:
        spans = []
        text = scope.text
        if node.indexed:
            # The automaton says which of the node's terms occur (usually none or one); only
            # those are located, with str.find.
            lits = self.pf.literals
            terms = [lits[lid] for lid in node.literal_set & scope.found]
        else:
            terms = node.terms
        for t in terms:
            i = text.find(t)
            while i >= 0:
                spans.append((i, i + len(t)))
                i = text.find(t, i + 1)
        if not spans:
            return []
        spans.sort(key=lambda x: (x[0], -x[1]))
        out = []
        last = -1
        base, text, inc = scope.base, scope.text, scope.in_clause
        for s, e in spans:  # leftmost-longest, non-overlapping (like a longest-first alternation)
            if s >= last:
                last = e
                a, b = base + s, base + e
                leaf = ((node, a, b, text[s:e], inc),)
                if inc:
                    out.append(Hit(a, b, leaf, (a, b) if node.focus else None))
                else:
                    out.append(Hit(None, None, leaf))
                if len(out) >= MAX_HITS:
                    break
        return out

    def _regex(self, node: Node, scope: Scope) -> list[Hit]:
        text = scope.text
        rx = node.regex or node.compiled()
        base, inc = scope.base, scope.in_clause
        out: list[Hit] = []
        if len(text) <= MAX_REGEX_CHARS:
            # Most candidate regexes do not match: one search answers that without an iterator.
            first = rx.search(text)
            if first is None:
                return out
            for m in rx.finditer(text, first.start()):
                a, b = m.span()
                a += base
                b += base
                leaf = ((node, a, b, m.group(0), inc),)
                out.append(Hit(a, b, leaf, (a, b) if node.focus else None) if inc else Hit(None, None, leaf))
                if len(out) >= MAX_HITS:
                    break
            return out
        step = MAX_REGEX_CHARS - REGEX_OVERLAP
        windows = [(i, min(len(text), i + MAX_REGEX_CHARS)) for i in range(0, len(text), step)]
        seen_end = -1
        for w0, w1 in windows:
            for m in rx.finditer(text, w0, w1):
                s, e = m.span()
                if s < seen_end:
                    continue  # found already in the previous window's overlap
                seen_end = e
                a, b = base + s, base + e
                leaf = ((node, a, b, m.group(0), inc),)
                out.append(Hit(a, b, leaf, (a, b) if node.focus else None) if inc else Hit(None, None, leaf))
                if len(out) >= MAX_HITS:
                    return out
        return out


class Engine:
    """Compiled rules: the automaton, literal ids of every terms node, candidate selection."""

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        self.pf = Prefilter()
        # Terms of match trees are found by the automaton; terms only used by exclusions and
        # document conditions (evaluated rarely, after a match) are searched directly.
        for r in rules:
            for node in r.match.walk():
                if node.kind in ("terms", "termset"):
                    node.literal_set = frozenset(self.pf.literal_id(t) for t in node.terms)
                    node.indexed = True
        self.anchors: list[list[list[frozenset]]] = []  # per rule: alternatives of literal groups
        for i, r in enumerate(rules):
            dnf = r.dnf if r.dnf is not None else node_dnf(r.match)
            self.anchors.append(dnf)
            self.pf.add_rule(i, dnf)
        self.pf.build()
        for r in rules:
            for node in r.nodes():
                if node.kind == "all":
                    node.order = sorted(range(len(node.children)), key=lambda i, n=node: _COST.get(n.children[i].kind, 1))
        self.ev = Evaluator(self.pf)
        # Per rule, a test that its match tree cannot match the clause (`_never`): regex
        # searches and literal-set checks, without the evaluator's calls and Hit objects. Most
        # candidate rules fail, and this answers that at a fraction of the cost. Used on clauses
        # of at most MAX_REGEX_CHARS, where `_regex` searches the same whole text. Off with
        # prefilter=False.
        self.never = [_never(r.match) for r in rules]
        self.doc_rules = [i for i, r in enumerate(rules) if r.scope == "document"]
        # Clauses (with their article) on which no rule matched. Whether any rule matches
        # depends only on the clause's and the article's text, and village rules repeat a
        # township's model text clause for clause, so such a clause is not evaluated twice.
        # Keys are hashes and lengths, not the texts, to keep the memory small.
        # ASSESS_NO_MEMO=1 turns this off (benchmarks: the cost without repeated clauses).
        self._quiet: set[tuple[int, int, int, int]] | None = None if os.environ.get("ASSESS_NO_MEMO") else set()

    # -- one document

    def detect(self, doc, units, *, prefilter: bool = True, codes=None, debug: bool = False) -> list[Finding]:
        text = doc.text
        ctx_cache: dict[tuple[int, int], Scope] = {}
        doc_cond: dict[int, bool] = {}
        doc_scope = None
        wanted = None
        if codes is not None:
            wanted = {i for i, r in enumerate(self.rules) if r.code in codes}
        everything = set(range(len(self.rules)))
        findings: list[Finding] = []
        # One pass of the full automaton over the whole document; each unit takes the literal ids
        # of its slice of the hits, both to pick its candidate rules and for its `terms` nodes.
        pf = self.pf
        lit_hits = pf.hits(text)
        starts, ends, lids = (list(x) for x in zip(*lit_hits)) if lit_hits else ([], [], [])
        lazy = not prefilter or bool(pf.always)
        bl = bisect.bisect_left
        reach = pf.max_literal - 1
        quiet = self._quiet if (prefilter and wanted is None and not debug) else None
        never = self.never if prefilter else None  # prefilter=False: the plain reference evaluation
        for unit in units:
            a, b = unit.start, unit.end
            i = bl(starts, a)
            j = bl(starts, b, i)
            if i == j and not lazy:
                continue  # no literal in this clause: no candidate rule
            key = None
            if quiet is not None:
                key = (hash(unit.text), hash(unit.context), b - a, len(unit.context))
                if key in quiet:
                    continue
            # A hit starting this close to the end may run past it into the next clause.
            k = bl(starts, b - reach, i, j)
            found = set(lids[i:k])
            found.update([lids[x] for x in range(k, j) if ends[x] <= b])
            utext = unit.text
            cands = pf.candidates(found, text=utext) if prefilter else everything
            if wanted is not None:
                cands = cands & wanted
            if never is not None and cands and len(utext) <= MAX_REGEX_CHARS:
                todo = [ri for ri in cands if (test := never[ri]) is None or not test(utext, found)]
                todo.sort()
            else:
                todo = sorted(cands)
            if not todo:
                if key is not None:
                    quiet.add(key)
                continue
            matched = False
            scope = Scope(utext, a, True, pf, found)

            def context(unit=unit):
                key = (unit.context_start, unit.context_end)
                sc = ctx_cache.get(key)
                if sc is None:
                    sc = Scope(unit.context, unit.context_start, False, pf)
                    ctx_cache[key] = sc
                return sc

            for ri in todo:
                rule = self.rules[ri]
                hits = self.ev.eval(rule.match, scope, context)
                if not hits:
                    continue
                matched = True
                if rule.scope == "document":
                    ok = doc_cond.get(ri)
                    if ok is None:
                        if doc_scope is None:
                            doc_scope = Scope(text, 0, False, self.pf)
                        ok = self._document_holds(rule, doc_scope)
                        doc_cond[ri] = ok
                    if not ok:
                        continue
                f = self._finding(rule, unit, hits[0], scope, context, doc, debug)
                if f is not None:
                    findings.append(f)
            if key is not None and not matched:
                if len(quiet) >= QUIET_MAX:
                    quiet.clear()
                quiet.add(key)
        findings.sort(key=lambda f: (f.location.start, -SEVERITY_RANK[f.severity], f.rule or ""))
        return findings

    def _document_holds(self, rule: Rule, scope: Scope) -> bool:
        cond = rule.document
        if cond is None:
            return True

        def context():
            return scope

        if cond.has is not None and not self.ev.eval(cond.has, scope, context):
            return False
        if cond.lacks is not None and self.ev.eval(cond.lacks, scope, context):
            return False
        return True

    def _finding(self, rule: Rule, unit, hit: Hit, scope: Scope, context, doc, debug: bool) -> Finding | None:
        excluded_by = None
        for n in rule.exclude:
            ex = self.ev.eval(n, scope, context)
            if ex:
                leaf = ex[0].leaves[0] if ex[0].leaves else None
                excluded_by = {"node": _node_name(n), "text": leaf[3] if leaf else "", "start": leaf[1] if leaf else None}
                break
        if excluded_by is not None and not debug:
            return None

        if hit.focus is not None:
            start, end = hit.focus
        else:
            first = next((lf for lf in hit.leaves if lf[4]), None)
            start, end = (first[1], first[2]) if first else (unit.start, unit.end)

        score = rule.score
        boost_found: list[str] = []
        damp_found: list[str] = []
        ctx = rule.context
        if ctx is not None and (ctx.boost or ctx.damp):
            lo = min(unit.context_start, unit.start)
            hi = max(unit.context_end, unit.end)
            text = doc.text
            window = text[max(lo, start - ctx.window) : start] + "\0" + text[end : min(hi, end + ctx.window)]
            if ctx.boost:
                boost_found = [t for t in ctx.boost.terms if t in window]
                if boost_found:
                    score += ctx.boost.by
            if ctx.damp:
                damp_found = [t for t in ctx.damp.terms if t in window]
                if damp_found:
                    score -= ctx.damp.by
        score = round(min(1.0, max(0.0, score)), 3)
        if score < THRESHOLD and not debug:
            return None

        block = unit.block
        cell = None
        if block is not None and block.cells:
            for ci, (cs, ce) in enumerate(block.cells):
                if cs <= start <= ce:
                    cell = ci
                    break
        loc = Location(
            clause_label=unit.label,
            start=start,
            end=end,
            clause_start=unit.start,
            clause_end=unit.end,
            line=doc.line_of(start),
            page=getattr(block, "page", None),
            paragraph=getattr(block, "paragraph", None),
            table=getattr(block, "table", None),
            row=getattr(block, "row", None),
            cell=cell,
            heading_path=list(unit.heading_path or []),
        )
        explanation = {
            "matched": [
                {"node": _node_name(n), "text": t, "start": a, "end": b, "in_clause": inc}
                for (n, a, b, t, inc) in hit.leaves
            ],
            "context": {"boost": boost_found, "damp": damp_found},
            "excluded_by": excluded_by,
            "base_score": rule.score,
        }
        if debug:
            explanation["kept"] = excluded_by is None and score >= THRESHOLD
        return Finding(
            rule=rule.code,
            source="rule",
            category=rule.category,
            severity=rule.severity,
            score=score,
            text=unit.text,
            match=doc.text[start:end],
            location=loc,
            message=rule.message,
            legal_basis=list(rule.legal_basis),
            suggestion=rule.suggestion,
            name=rule.name,
            explanation=explanation,
            fingerprint=fingerprint(rule.code, rule.category, unit.text),
        )


def _never(node: Node):
    """`test(clause_text, found_literal_ids) -> True` when `node` certainly has no hit in the
    clause (evaluated on the clause itself), or None when that cannot be told cheaply (`not`,
    `inside`, terms outside the automaton)."""
    kind = node.kind
    if kind == "regex":
        search = node.compiled().search
        return lambda text, found: search(text) is None
    if kind in ("terms", "termset"):
        if not getattr(node, "indexed", False):
            return None
        lits = node.literal_set  # the automaton's hits are complete: no id, no occurrence
        return lambda text, found: lits.isdisjoint(found)
    if kind == "all":
        tests = tuple(t for t in map(_never, node.children) if t is not None)
        if not tests:
            return None

        def all_(text, found):  # one child that cannot match is enough
            for t in tests:
                if t(text, found):
                    return True
            return False

        return all_ if len(tests) > 1 else tests[0]
    if kind == "any":
        tests = tuple(map(_never, node.children))
        if not tests or any(t is None for t in tests):
            return None

        def any_(text, found):  # every child must be unable to match
            for t in tests:
                if not t(text, found):
                    return False
            return True

        return any_
    return None


def _node_name(node: Node) -> str:
    if node.kind == "termset":
        return f"{node.path}:{node.name}"
    if node.kind == "regex":
        return f"{node.path}:{node.written or node.pattern}"
    if node.kind == "terms":
        return f"{node.path}:{'|'.join(node.terms[:6])}{'…' if len(node.terms) > 6 else ''}"
    return node.path
