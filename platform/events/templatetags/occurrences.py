"""`{% occurrence_link occurrence %}`: one date as the month, week and agenda views list it, a
link to its event with the time (or "all day"), the title and a "cancelled" tag.
`{% month_cell day query agenda_url %}`: one day of the month view's grid, its `<td>` with the
day's number, its dates and the link to the rest of them in the agenda.

Built with format_html rather than template markup: a busy month lists a hundred dates in 42
cells, and the include, the five date filters a cell and the variable look-ups cost a fifth and
then another quarter of the month view's time (bench/pages). The title is escaped like any
template variable; the time is the active time zone's, in the active language's TIME_FORMAT.
"""

from __future__ import annotations

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.simple_tag
def occurrence_link(occurrence):
    event = occurrence.event
    if event.all_day:
        when = format_html('<span class="when">{}</span>', gettext("all day"))
    else:
        start = timezone.localtime(occurrence.start)
        when = format_html(
            '<time class="when" datetime="{}">{}</time>',
            start.isoformat(),  # what the "c" date format gives, without the formatter
            formats.time_format(start, "TIME_FORMAT"),
        )
    cancelled = event.is_cancelled
    return format_html(
        '<a class="occurrence{}" href="{}">{} <span class="what">{}</span>{}</a>',
        " cancelled" if cancelled else "",
        event.get_absolute_url(),
        when,
        event.title,
        format_html(' <span class="tag">{}</span>', gettext("cancelled")) if cancelled else "",
    )


@register.simple_tag
def month_cell(day, query: str, agenda_url: str):
    classes = " ".join(
        name
        for name, on in (
            ("other-month", not day.in_month),
            ("today", day.is_today),
            ("empty", not day.occurrences),
        )
        if on
    )
    dates = (
        format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((occurrence_link(o),) for o in day.occurrences)),
        )
        if day.occurrences
        else ""
    )
    long_date = formats.date_format(day.date, "MONTH_DAY_FORMAT")
    more = ""
    if day.more:
        more = format_html(
            '<p class="more"><a href="{}?from={}{}">{}</a></p>',
            agenda_url,
            day.date.isoformat(),
            format_html("&amp;{}", query) if query else "",
            ngettext("%(counter)s more on %(date)s", "%(counter)s more on %(date)s", day.more)
            % {"counter": day.more, "date": long_date},
        )
    return format_html(
        '<td class="{}"{}><span class="day-number"><span class="visually-hidden">{}, </span>'
        '<span class="day-short">{}</span><span class="day-long">{}</span></span>{}{}</td>',
        classes,
        mark_safe(' aria-current="date"') if day.is_today else "",
        formats.date_format(day.date, "l"),
        day.date.day,
        long_date,
        dates,
        more,
    )
