"""HTML report: one self-contained page (inline CSS and JS, no fonts or files from outside).

For every reviewed document: its text in its structure (title, headings, paragraphs, tables) with
each finding highlighted in its severity's colour; the finding's card (explanation, legal basis,
suggestion, rule, score, reviewed decision) follows the paragraph it is in. A side list jumps to
each finding; check boxes filter by severity and category. Printing hides the side list and the
filters and keeps the highlight colours.
"""

from __future__ import annotations

import datetime as _dt
import html

from ..doctype import doc_type_zh
from ..findings import CATEGORIES, SEVERITY_ZH
from .base import Reporter
from .opinion import (
    VERDICT_RULE_ZH,
    category_zh,
    citation,
    clause_label,
    decision_zh,
    location_meta,
    looks_like_heading,
    location_extra,
    rule_code,
    severity_counts,
    severity_zh,
    source_zh,
    stale_zh,
)
from ..positive import positive_measures

# Highlight colours (the Chromium screenshot test looks for these exact pixels).
COLOURS = {"high": "#ffaaaa", "medium": "#ffe066", "low": "#a8d8ff"}
SEV_RANK = {"low": 0, "medium": 1, "high": 2}

CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC","SimSun",sans-serif;
 color:#222;background:#f6f7f9;font-size:15px;line-height:1.7}
header.top{background:#2f4f6f;color:#fff;padding:12px 20px}
header.top h1{margin:0;font-size:20px}
header.top .sum{font-size:13px;opacity:.9}
.filters{background:#fff;border-bottom:1px solid #ddd;padding:8px 20px;font-size:13px;position:sticky;top:0;z-index:5}
.filters label{margin-right:12px;white-space:nowrap;cursor:pointer}
.filters .grp{display:inline-block;margin-right:18px}
.layout{display:flex;align-items:flex-start}
nav.side{width:290px;flex:none;position:sticky;top:44px;max-height:calc(100vh - 44px);overflow:auto;background:#fff;
 border-right:1px solid #ddd;padding:8px 0;font-size:13px}
nav.side h3{font-size:13px;margin:10px 12px 4px;color:#2f4f6f}
nav.side a{display:block;padding:3px 12px;color:#222;text-decoration:none;border-left:4px solid transparent}
nav.side a:hover{background:#eef3f8}
nav.side a.sev-high{border-left-color:#d9534f}nav.side a.sev-medium{border-left-color:#e0a800}nav.side a.sev-low{border-left-color:#3a8fd9}
main{flex:1;min-width:0;padding:16px 24px;max-width:1000px}
section.doc{background:#fff;border:1px solid #ddd;border-radius:6px;padding:16px 24px;margin-bottom:24px}
section.doc>h2{margin:0 0 4px;font-size:19px}
.meta{font-size:13px;color:#555}
.verdict{display:inline-block;padding:1px 10px;border-radius:10px;font-weight:bold;color:#fff}
.v-pass{background:#3c8d40}.v-revise{background:#d08a00}.v-reject{background:#c9302c}.v-error{background:#777}
.rule{font-size:12px;color:#666;margin:4px 0 10px}
.notes{font-size:13px;color:#8a5a00;background:#fff8e5;border:1px solid #f0dca0;padding:6px 10px;border-radius:4px;margin:8px 0}
.text{border-top:1px solid #eee;margin-top:10px;padding-top:8px}
.text p{margin:4px 0}
.text p.title{font-size:18px;font-weight:bold;text-align:center}
.text h3{font-size:16px;margin:12px 0 4px}.text h4{font-size:15px;margin:10px 0 4px}
table.src{border-collapse:collapse;margin:8px 0;font-size:14px;width:100%}
table.src td,table.src th{border:1px solid #bbb;padding:3px 6px;vertical-align:top}
table.src th{background:#f0f0f0}
mark{padding:1px 0;border-radius:2px;color:inherit}
mark.sev-high{background:#ffaaaa}mark.sev-medium{background:#ffe066}mark.sev-low{background:#a8d8ff}
mark.off{background:transparent}
mark.reviewed{text-decoration:underline dotted #555}
.card{border:1px solid #ddd;border-left:5px solid #999;border-radius:4px;padding:6px 12px;margin:6px 0 10px 16px;font-size:13.5px;background:#fcfcfc}
.card.sev-high{border-left-color:#d9534f}.card.sev-medium{border-left-color:#e0a800}.card.sev-low{border-left-color:#3a8fd9}
.card .h{font-weight:bold}
.card .badge{display:inline-block;font-size:12px;padding:0 6px;border-radius:3px;color:#fff;margin-right:4px}
.badge.sev-high{background:#d9534f}.badge.sev-medium{background:#c79100}.badge.sev-low{background:#3a8fd9}
.badge.rev{background:#666}
.card dl{margin:4px 0}.card dt{float:left;clear:left;width:5.5em;color:#555}.card dd{margin-left:5.8em}
.card .small{font-size:12px;color:#777}
.hidden{display:none!important}
.positive li,.cited li{font-size:13.5px}
footer{font-size:12px;color:#777;padding:10px 24px}
@media print{
 nav.side,.filters{display:none}
 .layout{display:block}
 body{background:#fff}
 section.doc{border:none;padding:0;page-break-after:always}
 mark,.badge,.verdict{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 .card{break-inside:avoid}
 .hidden{display:block!important}
 mark.off.sev-high{background:#ffaaaa}mark.off.sev-medium{background:#ffe066}mark.off.sev-low{background:#a8d8ff}
}
"""

JS = """
(function(){
  function checked(name){var o={};document.querySelectorAll('input[data-filter="'+name+'"]').forEach(function(b){o[b.value]=b.checked;});return o;}
  function apply(){
    var sev=checked('sev'),cat=checked('cat');
    function vis(el){return sev[el.dataset.sev]!==false&&cat[el.dataset.cat]!==false;}
    var shown={};
    document.querySelectorAll('.card,nav.side a[data-sev]').forEach(function(el){
      var v=vis(el);el.classList.toggle('hidden',!v);if(v&&el.dataset.fid){shown[el.dataset.fid]=true;}});
    document.querySelectorAll('mark[data-f]').forEach(function(m){
      var ids=m.dataset.f.split(' '),sevs=m.dataset.sevs.split(' '),best=-1,sv=['low','medium','high'];
      ids.forEach(function(i,k){if(shown[i]){var s=sv.indexOf(sevs[k]);if(s>best)best=s;}});
      sv.forEach(function(s){m.classList.remove('sev-'+s);});
      if(best>=0){m.classList.remove('off');m.classList.add('sev-'+sv[best]);}else{m.classList.add('off');m.classList.add('sev-'+m.dataset.top);}
    });
  }
  document.querySelectorAll('input[data-filter]').forEach(function(b){b.addEventListener('change',apply);});
})();
"""

_VERDICT_CLASS = {"建议通过": "v-pass", "建议修改后通过": "v-revise", "建议不予通过": "v-reject"}


def _e(s) -> str:
    return html.escape(str(s if s is not None else ""), quote=True)


def _text(s: str) -> str:
    return _e(s).replace("\n", "<br>")


def _heading_kinds(result) -> dict[int, str]:
    out: dict[int, str] = {}
    if result.tree is None:
        return out
    for node in result.tree.root.walk():
        if node.block is not None and node.kind in ("part", "chapter", "section", "heading"):
            out[node.block] = node.kind
    return out


class _DocRenderer:
    def __init__(self, result, dn: int):
        self.r = result
        self.doc = result.document
        self.dn = dn
        self.fid = {id(f): f"d{dn}-{f.id}" for f in result.findings}
        self.anchored: set[str] = set()

    def spans_in(self, lo: int, hi: int):
        out = []
        for f in self.r.findings:
            a, b = f.location.start, f.location.end
            if b <= a:
                a, b = f.location.clause_start, f.location.clause_end
            if a < hi and b > lo:
                out.append((max(a, lo), min(b, hi), f))
        return out

    def segments(self, lo: int, hi: int, spans) -> str:
        text = self.doc.text
        points = {lo, hi}
        for a, b, _ in spans:
            points.add(a)
            points.add(b)
        points = sorted(p for p in points if lo <= p <= hi)
        out = []
        for x, y in zip(points, points[1:]):
            if y <= x:
                continue
            cover = [f for a, b, f in spans if a <= x and b >= y]
            piece = _text(text[x:y])
            for f in cover:
                fid = self.fid[id(f)]
                if fid not in self.anchored:
                    self.anchored.add(fid)
                    out.append(f'<span id="{fid}"></span>')
            if cover:
                top = max(cover, key=lambda f: SEV_RANK.get(f.severity, 0))
                ids = " ".join(self.fid[id(f)] for f in cover)
                sevs = " ".join(f.severity for f in cover)
                rev = " reviewed" if all(f.decision for f in cover) else ""
                title = "；".join(f"{f.id} {severity_zh(f)} {category_zh(f)}" for f in cover)
                out.append(f'<mark class="sev-{top.severity}{rev}" data-top="{top.severity}" data-f="{ids}" data-sevs="{_e(sevs)}" title="{_e(title)}">{piece}</mark>')
            else:
                out.append(piece)
        return "".join(out)

    def card(self, f) -> str:
        fid = self.fid[id(f)]
        lb = "".join(f"<li>{_e(citation(x))}：{_e(getattr(x, 'summary', '') if not isinstance(x, dict) else x.get('summary', ''))}</li>"
                     for x in f.legal_basis)
        rev = f'<span class="badge rev">{_e(decision_zh(f))}</span>' if f.decision else ""
        loc = location_extra(f)
        return (
            f'<div class="card sev-{_e(f.severity)}" data-sev="{_e(f.severity)}" data-cat="{_e(f.category)}" data-fid="{fid}" id="{fid}-card">'
            f'<div class="h"><a href="#{fid}">{_e(f.id)}</a> <span class="badge sev-{_e(f.severity)}">{_e(severity_zh(f))}</span>'
            f'{_e(category_zh(f))}{("：" + _e(f.name)) if f.name else ""} {rev}</div>'
            f'<dl><dt>条款</dt><dd>{_e(clause_label(f))}{(" · " + _e(loc)) if loc else ""}：“{_e(f.match)}”</dd>'
            f'<dt>问题说明</dt><dd>{_text(f.message)}</dd>'
            + (f"<dt>法律依据</dt><dd><ul>{lb}</ul></dd>" if lb else "")
            + (f"<dt>修改建议</dt><dd>{_text(f.suggestion)}</dd>" if f.suggestion else "")
            + f'</dl><div class="small">规则 {_e(rule_code(f))} · 来源 {_e(source_zh(f))} · 置信度 {f.score:.2f} · 指纹 {_e(f.fingerprint)}</div></div>'
        )

    def body(self) -> str:
        doc = self.doc
        text = doc.text
        blocks = doc.blocks
        kinds = _heading_kinds(self.r)
        placed = set()
        out = []
        title_done = False
        i = 0
        while i < len(blocks):
            b = blocks[i]
            if b.kind == "table_row" and b.cells:
                j = i
                rows = []
                while j < len(blocks) and blocks[j].kind == "table_row" and blocks[j].cells and blocks[j].table == b.table:
                    rows.append(blocks[j])
                    j += 1
                out.append('<table class="src">')
                for rb in rows:
                    tag = "th" if (rb.header and rb.row == 0) else "td"
                    spans = self.spans_in(rb.start, rb.end)
                    cell_spans: dict[int, list] = {}
                    for a, e, f in spans:
                        hit = False
                        for k, (cs, ce) in enumerate(rb.cells):
                            if a < ce and e > cs:
                                cell_spans.setdefault(k, []).append((max(a, cs), min(e, ce), f))
                                hit = True
                        if not hit:  # only in a "表头：" label: mark the next cell
                            k = next((k for k, (cs, ce) in enumerate(rb.cells) if cs >= a), len(rb.cells) - 1)
                            cs, ce = rb.cells[k]
                            cell_spans.setdefault(k, []).append((cs, max(ce, cs), f))
                    cells = "".join(
                        f"<{tag}>{self.segments(cs, ce, cell_spans.get(k, []))}</{tag}>" for k, (cs, ce) in enumerate(rb.cells)
                    )
                    out.append(f"<tr>{cells}</tr>")
                out.append("</table>")
                out.extend(self._cards_for(rows[0].start, rows[-1].end + 1, placed))
                i = j
                continue
            spans = self.spans_in(b.start, b.end)
            inner = self.segments(b.start, b.end, spans)
            kind = kinds.get(i)
            raw = text[b.start : b.end].strip()
            if not title_done and doc.title and raw == doc.title.strip() and i < 5:
                out.append(f'<p class="title">{inner}</p>')
                title_done = True
            elif kind in ("part", "chapter", "section"):
                out.append(f"<h3>{inner}</h3>")
            elif kind == "heading" or looks_like_heading(raw):
                out.append(f"<h4>{inner}</h4>")
            else:
                out.append(f"<p>{inner}</p>")
            nxt = blocks[i + 1].start if i + 1 < len(blocks) else len(text) + 1
            out.extend(self._cards_for(b.start, nxt, placed))
            i += 1
        rest = [f for f in self.r.findings if id(f) not in placed]
        for f in rest:
            fid = self.fid[id(f)]
            if fid not in self.anchored:
                out.append(f'<span id="{fid}"></span>')
                self.anchored.add(fid)
            out.append(self.card(f))
        return "\n".join(out)

    def _cards_for(self, lo: int, hi: int, placed: set) -> list[str]:
        out = []
        for f in self.r.findings:
            if id(f) in placed:
                continue
            if lo <= f.location.start < hi:
                placed.add(id(f))
                out.append(self.card(f))
        return out


def _summary_counts(report) -> dict:
    c = {"high": 0, "medium": 0, "low": 0}
    for r in report.documents:
        for f in r.findings:
            c[f.severity] = c.get(f.severity, 0) + 1
    return c


def render_html(report) -> str:
    docs = report.documents
    c = _summary_counts(report)
    cats = sorted({f.category for r in docs for f in r.findings}, key=lambda k: list(CATEGORIES).index(k) if k in CATEGORIES else 99)
    nav, sections = [], []
    for dn, r in enumerate(docs, 1):
        title = (r.document.title if r.document and r.document.title else "") or r.path
        if r.error is not None:
            sections.append(
                f'<section class="doc" id="d{dn}"><h2>{_e(r.path)}</h2><p class="meta"><span class="verdict v-error">无法审查</span> '
                f"{_e(str(r.error))}</p></section>"
            )
            nav.append(f'<h3><a href="#d{dn}">{_e(title)}（无法审查）</a></h3>')
            continue
        dr = _DocRenderer(r, dn)
        sc = severity_counts(r.findings)
        meta = location_meta(r)
        where = " ".join(x for x in (meta.get("township"), meta.get("village")) if x)
        nav.append(f'<h3><a href="#d{dn}">{_e(title)}</a></h3>')
        for f in r.findings:
            fid = dr.fid[id(f)]
            mark = "（已审）" if f.decision else ""
            nav.append(
                f'<a href="#{fid}" class="sev-{_e(f.severity)}" data-sev="{_e(f.severity)}" data-cat="{_e(f.category)}" data-fid="{fid}">'
                f"{_e(f.id)} {_e(clause_label(f))} · {_e(category_zh(f))} [{_e(severity_zh(f))}]{mark}</a>"
            )
        notes = list(r.document.notes) + [stale_zh(d) for d in r.stale_decisions]
        notes_html = "".join(f"<div>注：{_e(n)}</div>" for n in notes)
        pos = positive_measures(r)
        pos_html = ""
        if pos:
            pos_html = '<h4>积极措施</h4><ul class="positive">' + "".join(
                f"<li>{_e(m.name)}：{_e(m.clause_label + '：' if m.clause_label else '')}{_e(m.text)}</li>" for m in pos
            ) + "</ul>"
        vclass = _VERDICT_CLASS.get(r.verdict, "v-error")
        sections.append(
            f'<section class="doc" id="d{dn}"><h2>{_e(title)}</h2>'
            f'<div class="meta">{_e(r.path)} · {_e(doc_type_zh(r.doc_type))}{(" · " + _e(where)) if where else ""} · {r.clauses} 个条款 · '
            f'问题 {len(r.findings)} 处（高 {sc["high"]}，中 {sc["medium"]}，低 {sc["low"]}）</div>'
            f'<p>评估结论：<span class="verdict {vclass}">{_e(r.verdict)}</span></p>'
            f'<div class="rule">{_e(VERDICT_RULE_ZH)}</div>'
            + (f'<div class="notes">{notes_html}</div>' if notes_html else "")
            + pos_html
            + f'<div class="text">{dr.body()}</div></section>'
        )
    sev_boxes = "".join(
        f'<label><input type="checkbox" data-filter="sev" value="{s}" checked> '
        f'<mark class="sev-{s}">{SEVERITY_ZH[s]}</mark>（{c.get(s, 0)}）</label>'
        for s in ("high", "medium", "low")
    )
    cat_boxes = "".join(
        f'<label><input type="checkbox" data-filter="cat" value="{_e(k)}" checked> {_e(CATEGORIES.get(k, k))}</label>' for k in cats
    )
    now = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    versions = getattr(report, "versions", {}) or {}
    total = sum(len(r.findings) for r in docs)
    summary = (
        f"共审查 {len(docs)} 个文件，发现问题 {total} 处（高 {c.get('high', 0)}，中 {c.get('medium', 0)}，低 {c.get('low', 0)}）"
        + (f"，{len(report.errors)} 个文件无法审查" if report.errors else "")
        + f" · 生成于 {now} · assess {versions.get('assess', '')} 规则库 {versions.get('rules') or '—'}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>性别平等审查报告</title><style>{CSS}</style></head><body>"
        f'<header class="top"><h1>性别平等审查报告（男女平等评估）</h1><div class="sum">{_e(summary)}</div></header>'
        f'<div class="filters"><span class="grp"><b>严重程度：</b>{sev_boxes}</span>'
        + (f'<span class="grp"><b>问题类型：</b>{cat_boxes}</span>' if cat_boxes else "")
        + "</div>"
        f'<div class="layout"><nav class="side" aria-label="问题列表">{"".join(nav)}</nav><main>{"".join(sections)}</main></div>'
        f"<footer>本报告由审查工具自动生成，标出的问题须经评估人员复核；未标出不等于不存在性别歧视。</footer>"
        f"<script>{JS}</script></body></html>\n"
    )


class HtmlReporter(Reporter):
    name = "html"
    extension = ".html"

    def render(self, report) -> str:
        return render_html(report)

