"""A participant's agenda as an iCalendar file (RFC 5545), written with ``icalendar``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from icalendar import Calendar
from icalendar import Event as VEvent

from portal.events.service import MeetingView, to_utc
from portal.kit.i18n import _
from portal.models import Event


def agenda_ics(event: Event, meetings: Iterable[MeetingView], *, host: str, now: datetime) -> bytes:
    """One VEVENT per placed meeting, in UTC; its UID stays the same when the agenda is
    regenerated, so a calendar that imports the file again moves the meeting instead of
    adding a second one."""
    cal = Calendar()
    cal.add("prodid", "-//湖南5G应用产业生态对接平台//对接会日程//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("{title} · 我的洽谈日程").format(title=event.title))
    where = event.venue or event.online_url or ""
    for view in meetings:
        if view.slot is None or view.meeting.table_no is None:
            continue
        other = view.solution_org if view.mine == "demand" else view.demand_org
        item = VEvent()
        item.add("uid", f"event-{event.id}-meeting-{view.meeting.id}@{host}")
        item.add("dtstamp", to_utc(now))
        item.add("dtstart", to_utc(view.slot.starts))
        item.add("dtend", to_utc(view.slot.ends))
        item.add(
            "summary",
            _("洽谈：{other}（{table_no} 号桌）").format(
                other=other, table_no=view.meeting.table_no
            ),
        )
        table = _("{table_no} 号桌").format(table_no=view.meeting.table_no)
        item.add("location", f"{where} · {table}" if where else table)
        item.add(
            "description",
            _("{title}\n需求：{title2}\n解决方案：{title3}").format(
                title=event.title, title2=view.demand.title, title3=view.solution.title
            ),
        )
        cal.add_component(item)
    return cal.to_ical()
