"""The report as Markdown: GitHub-flavoured pipe tables, paste-able into a blog post like the seed."""

from __future__ import annotations

from showdown.report.rows import Report
from showdown.report.tables import Section, TableSpec, sections, title
from showdown.safetext import visible

__all__ = ["render_markdown"]


def _escape(text: str) -> str:
    """A cell's text with pipes escaped, line breaks flattened (one row per line) and control
    characters written out (a report may be read with `cat`)."""
    return visible(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(spec: TableSpec) -> list[str]:
    head = "| " + " | ".join(_escape(c) for c in spec.columns) + " |"
    rule = "| " + " | ".join("---:" if n else "---" for n in spec.numeric) + " |"
    body = ["| " + " | ".join(_escape(cell.full) for cell in row) + " |" for row in spec.rows]
    lines = [head, rule, *body]
    if spec.caption:
        lines += ["", f"_{_escape(spec.caption)}_"]
    return lines


def _section(section: Section) -> list[str]:
    lines = [f"## {section.title}", "", f"_{section.intro}_", ""]
    many = len(section.tables) > 1
    for spec in section.tables:
        if many or spec.title != section.title:
            lines += [f"### {visible(spec.title, one_line=True)}", ""]
        lines += [*_table(spec), ""]
    lines += [f"- {visible(line, one_line=True)}" for line in section.bullets]
    if section.bullets:
        lines.append("")
    return lines


def render_markdown(report: Report) -> str:
    """Every section as Markdown, headed by the rounds it covers."""
    lines = [f"# {title(report)}", ""]
    for section in sections(report):
        if section.tables or section.bullets:
            lines += _section(section)
    return "\n".join(lines).rstrip("\n") + "\n"
