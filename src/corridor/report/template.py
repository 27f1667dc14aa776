"""The report page: one HTML file, inline CSS (screen + print), plotly.js inlined
once, no external fonts, scripts, images or styles."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

CSS = """
:root { --ink: #222; --muted: #555; --rule: #d9d6cf; --accent: #0072B2; --late: #D55E00; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
header.top { padding: 1.2rem 2rem 0.8rem; border-bottom: 3px solid var(--accent); }
header.top h1 { margin: 0 0 0.2rem; font-size: 1.7rem; }
header.top p { margin: 0.1rem 0; color: var(--muted); }
nav.toc { position: sticky; top: 0; z-index: 10; background: #f7f6f3;
  border-bottom: 1px solid var(--rule); padding: 0.4rem 2rem; font-size: 0.9rem; }
nav.toc a { color: var(--accent); margin-right: 1.1rem; text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
main { padding: 0 2rem 3rem; max-width: 1400px; }
section { border-bottom: 1px solid var(--rule); padding: 1rem 0 1.4rem; }
section h2 { font-size: 1.3rem; margin: 0.4rem 0 0.6rem; }
section p.lead { color: var(--muted); margin-top: 0; max-width: 70rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));
  gap: 0.7rem; }
.card { border: 1px solid var(--rule); border-left: 4px solid var(--accent);
  padding: 0.5rem 0.7rem; }
.card.bad { border-left-color: var(--late); }
.card .v { font-size: 1.35rem; font-weight: 600; overflow-wrap: anywhere; }
.card .k { color: var(--muted); font-size: 0.85rem; }
figure { margin: 0.8rem 0; }
figure.table figcaption { font-weight: 600; margin-bottom: 0.3rem; }
a.csv { font-weight: normal; font-size: 0.8rem; margin-left: 0.5rem; color: var(--accent); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.86rem; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.25rem 0.6rem; text-align: left;
  vertical-align: top; }
th { background: #f3f1ec; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.unit { font-weight: normal; color: var(--muted); }
p.note, .empty { color: var(--muted); font-size: 0.85rem; }
.empty { font-style: italic; }
p.warn { border-left: 4px solid var(--late); background: #fbeee6; padding: 0.4rem 0.7rem; }
pre.cmd { background: #f3f1ec; padding: 0.6rem 0.8rem; overflow-x: auto; white-space: pre-wrap; }
.plot { width: 100%; }
@media print {
  nav.toc, .modebar-container, a.csv { display: none !important; }
  body { font-size: 11pt; }
  main { padding: 0 0.5cm; max-width: none; }
  header.top { padding: 0 0.5cm 0.3cm; }
  section { break-inside: auto; border: none; }
  section h2 { break-after: avoid; }
  figure, .card, tr { break-inside: avoid; }
  .scroll { overflow: visible; }
  table { font-size: 7.5pt; }
  th, td { padding: 0.1rem 0.3rem; }
  a { color: inherit; text-decoration: none; }
}
"""


@dataclass
class Section:
    id: str
    title: str
    lead: str = ""
    parts: list[str] = field(default_factory=list)

    def add(self, html_part: str) -> None:
        self.parts.append(html_part)

    def empty(self, message: str) -> None:
        self.parts.append(f"<p class='empty'>{html.escape(message)}</p>")


def card(value: str, key: str, bad: bool = False) -> str:
    cls = "card bad" if bad else "card"
    return (f"<div class='{cls}'><div class='v'>{html.escape(value)}</div>"
            f"<div class='k'>{html.escape(key)}</div></div>")


def page(title: str, subtitle: list[str], sections: list[Section], plotly_js: str) -> str:
    toc = "".join(f"<a href='#{s.id}'>{html.escape(s.title)}</a>" for s in sections)
    body = []
    for s in sections:
        lead = f"<p class='lead'>{html.escape(s.lead)}</p>" if s.lead else ""
        body.append(f"<section id='{s.id}'><h2>{html.escape(s.title)}</h2>{lead}"
                    + "".join(s.parts) + "</section>")
    sub = "".join(f"<p>{html.escape(line)}</p>" for line in subtitle)
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{CSS}</style>"
        # plotly.js, once, inline: the report must work offline.
        f"<script type='text/javascript'>{plotly_js}</script>"
        f"</head><body><header class='top'><h1>{html.escape(title)}</h1>{sub}</header>"
        f"<nav class='toc'>{toc}</nav><main>{''.join(body)}</main></body></html>\n"
    )
