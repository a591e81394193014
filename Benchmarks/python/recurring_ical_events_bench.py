"""Times python recurring-ical-events expanding every event of a calendar over a window.

Usage: python recurring_ical_events_bench.py FILE FROM TO  (FROM/TO: YYYYMMDDTHHMMSSZ)
Prints "count milliseconds" for the expansion alone (parsing excluded), like BenchDriver.
"""
import datetime
import sys
import time

import icalendar
import recurring_ical_events


def instant(text):
    return datetime.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)


with open(sys.argv[1], "rb") as file:
    calendar = icalendar.Calendar.from_ical(file.read())
start = time.perf_counter()
events = recurring_ical_events.of(calendar).between(instant(sys.argv[2]), instant(sys.argv[3]))
elapsed = (time.perf_counter() - start) * 1000
print(len(events), f"{elapsed:.1f}")
