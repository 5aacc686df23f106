"""Charts drawn on the server as inline SVG: no JavaScript, no external assets. Every chart has a
<title> and <desc> (role="img" + aria-labelledby); the templates add a data table next to it.

Drawn for phones first: a viewBox 400 units wide with 13-unit text, so on a 390 px phone (about
358 px of chart) the axis text is about 12 px; the stylesheet caps a chart's width on wide screens
(.chart-figure) so the text never grows beyond about 17 px."""

from __future__ import annotations

import datetime

from django.utils import dateformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.i18n import local_format
from core.money import Cents, format_money

PLANNED_COLOUR = "#1d4e89"
SPENT_COLOUR = "#b45309"
RAISED_COLOUR = "#1d4e89"
GRID_COLOUR = "#d0d5dd"
TEXT_COLOUR = "#1f2933"


def _label_indexes(count: int, most: int = 3) -> list[int]:
    """Which of `count` month labels to print: at most `most`, evenly spaced, always the last, and
    never one so close to the last that the two would overlap."""
    if count <= 0:
        return []
    step = max(1, -(-count // most))
    chosen = [i for i in range(0, count, step) if count - 1 - i >= step or i == count - 1]
    if chosen[-1] != count - 1:
        chosen.append(count - 1)
    return chosen


def _anchor(index: int, count: int) -> str:
    """Month labels: the first and last are anchored inwards so they are never cut off."""
    if index == count - 1:
        return "end"
    if count > 1 and index == 0:
        return "start"
    return "middle"


def _svg_open(chart_id: str, width: int, height: int, title: str, desc: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="{id}-title {id}-desc" '
        'class="chart" font-family="system-ui, sans-serif" font-size="13">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>',
        w=width,
        h=height,
        id=chart_id,
        title=title,
        desc=desc,
    )


def raised_over_time(
    *, chart_id: str, months: list[tuple[datetime.date, int]], goal: int, currency: str
) -> SafeString:
    """A line of the cumulative net raised at the end of each month, with the goal as a dashed line."""
    width, height = 400, 220
    left, right, top, bottom = 62, 10, 22, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max([goal, *[v for _, v in months], 1])
    final = months[-1][1] if months else 0
    title = _("Raised over time")
    raised_text = format_money(final, currency, cents=Cents.IF_ANY)
    goal_text = format_money(goal, currency, cents=Cents.IF_ANY)
    desc = _(
        "Money raised, net of refunds, added up month by month: %(raised)s so far against a goal of %(goal)s."
    ) % {"raised": raised_text, "goal": goal_text}

    def x(i: int) -> float:
        # The line starts from zero at the left edge (the campaign's start); month i ends at slot i+1.
        return round(left + plot_w * (i + 1) / max(len(months), 1), 1)

    def y(value: int) -> float:
        return round(top + plot_h - plot_h * value / top_value, 1)

    parts = [_svg_open(chart_id, width, height, title, desc)]
    for fraction in (0, 0.5, 1):
        value = int(top_value * fraction)
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{ty}" text-anchor="end" fill="{}">{}</text>',
                left,
                width - right,
                GRID_COLOUR,
                left - 6,
                TEXT_COLOUR,
                format_money(value, currency, cents=Cents.NEVER),
                y=y(value),
                ty=round(y(value) + 4, 1),
            )
        )
    parts.append(
        format_html(
            '<line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="{}" stroke-width="2" '
            'stroke-dasharray="6 4"/><text x="{}" y="{ty}" text-anchor="end" fill="{}">{}</text>',
            left,
            width - right,
            TEXT_COLOUR,
            width - right,
            TEXT_COLOUR,
            _("Goal"),
            y=y(goal),
            ty=round(y(goal) - 5, 1),
        )
    )
    if months:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(months))
        points = f"{left:.1f},{y(0):.1f} {points}"
        area = f"{points} {x(len(months) - 1):.1f},{y(0):.1f}"
        parts.append(
            format_html(
                '<polygon points="{}" fill="{}" fill-opacity="0.15"/>'
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="3"/>',
                area,
                RAISED_COLOUR,
                points,
                RAISED_COLOUR,
            )
        )
        parts.append(
            format_html_join(
                "",
                '<circle cx="{}" cy="{}" r="3.5" fill="{}"/>',
                ((x(i), y(v), RAISED_COLOUR) for i, (_, v) in enumerate(months)),
            )
        )
        labels = [(i, months[i][0]) for i in _label_indexes(len(months))]
        parts.append(
            format_html_join(
                "",
                '<text x="{}" y="{}" text-anchor="{}" fill="{}">{}</text>',
                (
                    (
                        x(i),
                        height - bottom + 20,
                        _anchor(i, len(months)),
                        TEXT_COLOUR,
                        dateformat.format(m, local_format("HAVEN_SHORT_MONTH_YEAR")),
                    )
                    for i, m in labels
                ),
            )
        )
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a literal closing tag
    return mark_safe("".join(parts))  # noqa: S308 - every part was built with format_html


def planned_vs_spent(*, chart_id: str, uses) -> SafeString:
    """Paired horizontal bars per category: share of the plan, and share of spending so far."""
    # Each category: its name on a line of its own, then the two bars, so long names need no column.
    row_h, bar_h = 62, 14
    left, width, right = 0, 400, 52
    top = 30
    height = top + row_h * max(len(uses), 1) + 4
    plot_w = width - left - right
    title = _("Planned split and actual spending by category")
    desc = _("For each category, its share of the plan and its share of the money spent so far:") + " "
    desc += "; ".join(
        _("%(category)s: %(planned)s%% planned, %(spent)s%% of spending")
        % {"category": u.category.name, "planned": f"{u.planned_percent:g}", "spent": f"{u.spent_percent:g}"}
        for u in uses
    )
    parts = [_svg_open(chart_id, width, height, title, desc)]
    parts.append(
        format_html(
            '<rect x="{}" y="6" width="13" height="13" fill="{}"/>'
            '<text x="{}" y="17" fill="{}">{}</text>'
            '<rect x="{}" y="6" width="13" height="13" fill="{}"/>'
            '<text x="{}" y="17" fill="{}">{}</text>',
            left,
            PLANNED_COLOUR,
            left + 19,
            TEXT_COLOUR,
            _("Planned"),
            left + 100,
            SPENT_COLOUR,
            left + 119,
            TEXT_COLOUR,
            _("Spent so far"),
        )
    )
    for i, use in enumerate(uses):
        y0 = top + i * row_h
        bars = y0 + 20
        planned_w = round(plot_w * use.planned_bps / 10000, 1)
        spent_w = round(plot_w * use.spent_share_bps / 10000, 1)
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-weight="600" fill="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" fill="{}">{}%</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" fill="{}">{}%</text>',
                left,
                y0 + 14,
                TEXT_COLOUR,
                use.category.name,
                left,
                bars,
                planned_w,
                bar_h,
                PLANNED_COLOUR,
                round(left + planned_w + 4, 1),
                bars + bar_h - 2,
                TEXT_COLOUR,
                f"{use.planned_percent:g}",
                left,
                bars + bar_h + 3,
                spent_w,
                bar_h,
                SPENT_COLOUR,
                round(left + spent_w + 4, 1),
                bars + 2 * bar_h + 1,
                TEXT_COLOUR,
                f"{use.spent_percent:g}",
            )
        )
    parts.append(mark_safe("</svg>"))  # noqa: S308
    return mark_safe("".join(parts))  # noqa: S308


def bars_by_month(
    *, chart_id: str, title: str, desc: str, rows: list[tuple[str, int]], currency: str
) -> SafeString:
    """Vertical bars, one per labelled period (used for the organisation's monthly income/spending)."""
    width, height = 400, 220
    left, right, top, bottom = 62, 10, 16, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max([v for _, v in rows] + [1])
    slot = plot_w / max(len(rows), 1)
    bar_w = round(max(4.0, slot * 0.6), 1)
    parts = [_svg_open(chart_id, width, height, title, desc)]
    parts.append(
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>'
            '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
            left,
            width - right,
            top + plot_h,
            top + plot_h,
            GRID_COLOUR,
            left - 6,
            top + 10,
            TEXT_COLOUR,
            format_money(top_value, currency, cents=Cents.NEVER),
        )
    )
    labelled = set(_label_indexes(len(rows)))
    for i, (label, value) in enumerate(rows):
        h = round(plot_h * value / top_value, 1)
        bx = round(left + slot * i + (slot - bar_w) / 2, 1)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                bx,
                round(top + plot_h - h, 1),
                bar_w,
                h,
                PLANNED_COLOUR,
            )
        )
        if i in labelled:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="{}" fill="{}">{}</text>',
                    round(bx + bar_w / 2, 1),
                    height - bottom + 20,
                    _anchor(i, len(rows)),
                    TEXT_COLOUR,
                    label,
                )
            )
    parts.append(mark_safe("</svg>"))  # noqa: S308
    return mark_safe("".join(parts))  # noqa: S308
