"""One offline HTML page: the speed table and a chart of generation speed against depth.

Pure, and no JavaScript: the chart is inline SVG, one line per (model, configuration), so the
page opens anywhere and can be attached to a bug report as it is.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from showdown.speed.plan import config_label
from showdown.speed.records import SpeedRow
from showdown.speed.report import COLUMNS, BestConfig, best_configs, table_cells

__all__ = ["to_html"]

_W, _H, _PAD = 720, 360, 56
_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")


Series = dict[str, list[tuple[int, float]]]


def _series(rows: Sequence[SpeedRow]) -> Series:
    """(model, configuration) -> [(depth, median tg)], measured rows only, by depth."""
    lines: Series = {}
    for row in rows:
        if row.tg is not None and row.error is None:
            key = f"{row.model} [{config_label(row.config)}]"
            lines.setdefault(key, []).append((row.depth, row.tg.median))
    return {k: sorted(v) for k, v in lines.items()}


def _layer_series(rows: Sequence[SpeedRow]) -> Series:
    """(model, depth, the other settings) -> [(n_gpu_layers, median tg)], where layers vary."""
    lines: Series = {}
    for row in rows:
        if row.tg is not None and row.error is None and "n_gpu_layers" in row.config:
            rest = {k: v for k, v in row.config.items() if k != "n_gpu_layers"}
            key = f"{row.model} [{config_label(rest)}] depth {row.depth}"
            lines.setdefault(key, []).append((int(row.config["n_gpu_layers"]), row.tg.median))
    return {k: sorted(v) for k, v in lines.items() if len(v) > 1}


def _svg(lines: Series, x_name: str) -> str:
    """A line chart of tg t/s against ``x_name``, one coloured line per series, points titled."""
    points = [p for line in lines.values() for p in line]
    if not points:
        return "<p>No configuration was measured in full: nothing to chart.</p>"
    max_x = max(x for x, _ in points) or 1
    max_t = max(t for _, t in points) * 1.1 or 1.0

    def xy(x: int, tg: float) -> tuple[str, str]:
        return (f"{_PAD + x / max_x * (_W - 2 * _PAD):.1f}",
                f"{_H - _PAD - tg / max_t * (_H - 2 * _PAD):.1f}")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H + 20 * len(lines)}"'
             f' role="img" aria-label="generation speed against {x_name}">',
             f'<line x1="{_PAD}" y1="{_H - _PAD}" x2="{_W - _PAD}" y2="{_H - _PAD}" stroke="#444"/>',
             f'<line x1="{_PAD}" y1="{_PAD}" x2="{_PAD}" y2="{_H - _PAD}" stroke="#444"/>',
             f'<text x="{_W / 2}" y="{_H - 16}" text-anchor="middle">{x_name}, 0 to '
             f'{max_x}</text>',
             f'<text x="12" y="{_PAD - 12}">tg t/s (0 to {max_t:.1f})</text>']
    for i, (name, line) in enumerate(lines.items()):
        colour = _COLOURS[i % len(_COLOURS)]
        path = " ".join(",".join(xy(x, t)) for x, t in line)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        parts += [f'<circle cx="{xy(x, t)[0]}" cy="{xy(x, t)[1]}" r="3" fill="{colour}"><title>'
                  f'{html.escape(name)}: {t:.1f} t/s at {x_name} {x}</title></circle>'
                  for x, t in line]
        parts.append(f'<text x="{_PAD}" y="{_H + 20 * i + 4}" fill="{colour}">'
                     f'{html.escape(name)}</text>')
    return "\n".join([*parts, "</svg>"])


def _best_item(best: BestConfig) -> str:
    """One model's choice, its configuration in bold, then each faster one passed over."""
    model = html.escape(best.model)
    if best.row is None or best.quality is None:
        head = f"{model}: no configuration keeps the score"
    else:
        r = best.row
        head = (f"{model}: <b>{html.escape(config_label(r.config))}</b> "
                f"({r.tg.median if r.tg else 0:.1f} t/s at depth {r.depth}; "
                f"{html.escape(best.quality.text())})")
    passed = "".join(f"<li>{html.escape(config_label(r.config))} is faster "
                     f"({r.tg.median if r.tg else 0:.1f} t/s) but {html.escape(q.text())}: "
                     "not eligible</li>" for r, q in best.passed_over)
    return f"<li>{head}" + (f"<ul>{passed}</ul>" if passed else "") + "</li>"


def to_html(rows: Sequence[SpeedRow], best: Mapping[str, BestConfig] | None = None) -> str:
    """The page: chart, best configuration per model (with its quality check and the faster
    ones passed over for their score), and the table with every row."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    body = "\n".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
                     for cells in table_cells(rows))
    best = best_configs(rows) if best is None else best  # None: no quality results given
    items = "\n".join(_best_item(b) for b in best.values())
    by_layers = _layer_series(rows)
    layers = (f"<h2>Generation speed against GPU layers</h2>\n"
              f"{_svg(by_layers, 'n_gpu_layers')}\n" if by_layers else "")
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>showdown speed</title><style>body{font-family:sans-serif;margin:2em}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;"
            "text-align:right}</style></head><body>\n<h1>Speed at depth</h1>\n"
            f"<h2>Generation speed against depth</h2>\n{_svg(_series(rows), 'depth (tokens)')}\n"
            f"{layers}"
            "<h2>Best configuration (fastest generation at the deepest depth whose code "
            f"score did not drop)</h2>\n<ul>{items}</ul>\n<h2>All rows (median, min–max)</h2>\n"
            f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>\n"
            "</body></html>\n")
