"""report.html: one self-contained page (inline CSS and SVG charts, no script, no network)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

_BAR_H = 22
_LABEL_W = 230
_PLOT_W = 420
_COLORS = ("#2f6f9f", "#d08c2a", "#5b9a4b", "#b0453f", "#7a5aa6", "#3f8f8c")

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#222}
h1{font-size:22px;margin-bottom:4px} h2{font-size:16px;margin:0 0 8px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:18px}
.card{border:1px solid #ddd;border-radius:8px;padding:14px 16px;background:#fff}
.kpis{display:flex;gap:14px;flex-wrap:wrap;margin:14px 0}
.kpi{border:1px solid #ddd;border-radius:8px;padding:10px 16px;min-width:120px}
.kpi b{display:block;font-size:22px}
.status-failed{color:#b0453f} .status-passed{color:#2e7d32}
table{border-collapse:collapse;width:100%;font-size:13px}
td,th{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}
code{font-size:12px;background:#f5f5f5;padding:1px 3px;border-radius:3px}
.muted{color:#777}
"""


def bar_chart(chart_id: str, items: Sequence[tuple[str, float]], *, percent: bool = False, color: int = 0) -> str:
    """A horizontal bar chart as inline SVG; one <rect class="bar"> per item."""
    if not items:
        return '<p class="muted">no data</p>'
    top = max(v for _, v in items) or 1.0
    scale = 1.0 if percent else top
    height = _BAR_H * len(items) + 6
    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'viewBox="0 0 {_LABEL_W + _PLOT_W + 70} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value) in enumerate(items):
        y = 3 + i * _BAR_H
        width = max(1.0, _PLOT_W * (value / scale if scale else 0))
        text = f"{value:.0%}" if percent else f"{value:g}"
        short = label if len(label) <= 34 else label[:33] + "…"
        parts.append(
            f'<text x="{_LABEL_W - 6}" y="{y + 15}" text-anchor="end" font-size="14">{html.escape(short)}</text>'
            f'<rect class="bar" x="{_LABEL_W}" y="{y + 2}" width="{width:.1f}" height="{_BAR_H - 6}" '
            f'fill="{_COLORS[color % len(_COLORS)]}"><title>{html.escape(label)}: {text}</title></rect>'
            f'<text x="{_LABEL_W + width + 5:.1f}" y="{y + 15}" font-size="14">{text}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _card(title: str, body: str) -> str:
    return f'<section class="card"><h2>{html.escape(title)}</h2>{body}</section>'


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render_html(report: dict[str, Any], title: str) -> str:
    c = report["counts"]
    gate = report.get("gates", {})
    status = gate.get("status", "passed")
    outcomes = [("kept", c["kept"])]
    outcomes += [(f"duplicate: {k}", v) for k, v in c["duplicates"].items()]
    outcomes += [(f"rejected: {k}", v) for k, v in c["rejects"].items()]
    boiler = report["boilerplate"]
    kpis = [
        ("pages in", c["pages"]),
        ("kept", c["kept"]),
        ("duplicates", sum(c["duplicates"].values())),
        ("rejected", sum(c["rejects"].values())),
        ("boilerplate removed", f"{boiler['removed_char_ratio']:.0%}"),
    ]
    cards = [
        _card("Pages by outcome", bar_chart("chart-outcomes", outcomes)),
        _card("Pages by source type", bar_chart("chart-source-types", list(report["source_types"].items()), color=1)),
        _card(
            "Field completeness",
            bar_chart("chart-completeness", list(report["field_completeness"].items()), percent=True, color=2),
        ),
        _card(
            "Body length (words)", bar_chart("chart-words", list(report["word_count"]["histogram"].items()), color=3)
        ),
        _card("Languages", bar_chart("chart-languages", list(report["languages"].items()), color=4)),
        _card("Sites", bar_chart("chart-sites", list(report["sites"].items()), color=5)),
        _card(
            "Boilerplate removed, by site",
            bar_chart(
                "chart-boilerplate", [(k, v["removed_ratio"]) for k, v in boiler["by_site"].items()], percent=True
            ),
        ),
        _card(
            "Published, by month", bar_chart("chart-published", list(report["published"]["by_month"].items()), color=1)
        ),
        _card(
            "Duplicate cluster sizes",
            bar_chart(
                "chart-clusters", [(f"{k} copies", v) for k, v in report["duplicate_cluster_sizes"].items()], color=2
            ),
        ),
        _card(
            "Most frequent removed lines",
            _table(["pages", "line"], [(x["pages"], x["line"]) for x in boiler["top_removed_lines"]]),
        ),
        _card(
            "Rejects",
            _table(
                ["input", "reason", "detail"],
                [(x["source_path"], x["reason"], x["detail"]) for x in report["reject_examples"]],
            ),
        ),
    ]
    examples = "".join(
        f"<h3><code>{html.escape(e['source_path'])}</code></h3><p><b>kept:</b> {html.escape(e['kept_start'])}…</p>"
        f"<p><b>removed:</b> {' · '.join(html.escape(x) for x in e['removed_lines']) or '—'}</p>"
        for e in report.get("examples", [])
    )
    failures = "".join(f"<li>{html.escape(f)}</li>" for f in gate.get("failures", []))
    published = report["published"]
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in report.get("stage_seconds", {}).items())
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>Quality gates: <b class='status-{status}'>{status}</b></p>"
        + (f"<ul>{failures}</ul>" if failures else "")
        + "<div class='kpis'>"
        + "".join(f"<div class='kpi'>{html.escape(k)}<b>{html.escape(str(v))}</b></div>" for k, v in kpis)
        + "</div>"
        + f"<p class='muted'>Published between {published['min'] or '—'} and {published['max'] or '—'}; "
        f"{published['implausible_dates_dropped']} implausible dates dropped. Stage times: {stages or '—'}.</p>"
        + f"<div class='grid'>{''.join(cards)}</div>"
        + (f"<section class='card'><h2>Before / after examples</h2>{examples}</section>" if examples else "")
        + "</body></html>\n"
    )
