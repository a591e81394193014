"""Writes COUNT real events from an .ics file into a Radicale calendar folder, one
VCALENDAR per UID (a master with its overrides) with the VTIMEZONEs it uses (stdlib only).

    python seed_radicale_calendar.py SOURCE.ics CALENDAR_FOLDER COUNT
"""
import os
import re
import sys


def blocks(lines, name):
    """Yields the lines of each BEGIN:name … END:name block at any depth."""
    current, depth = None, 0
    for line in lines:
        if line == f"BEGIN:{name}":
            depth += 1
            if depth == 1:
                current = []
        if current is not None:
            current.append(line)
        if line == f"END:{name}":
            depth -= 1
            if depth == 0 and current is not None:
                yield current
                current = None


def main(source, folder, count):
    text = open(source, encoding="utf-8", errors="replace").read().replace("\r\n", "\n")
    # Unfold so TZID references are found; the files written stay unfolded, which is legal
    # for lines under 75 octets and accepted by Radicale for longer ones.
    lines = re.sub(r"\n[ \t]", "", text).split("\n")
    zones = {}
    for zone in blocks(lines, "VTIMEZONE"):
        tzid = next((l[5:] for l in zone if l.startswith("TZID:")), None)
        if tzid:
            zones[tzid] = zone
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, ".Radicale.props"), "w") as props:
        props.write('{"tag": "VCALENDAR", "D:displayname": "Benchmark"}')
    # One calendar object per UID: a series' overrides travel with their master, as
    # CalDAV requires (RFC 4791 §4.1), so no two objects share a UID.
    series = {}
    for event in blocks(lines, "VEVENT"):
        uid = next((l[4:] for l in event if l.startswith("UID:")), None) or f"no-uid-{len(series)}"
        series.setdefault(uid, []).append(event)
    written = 0
    for events in series.values():
        used = sorted({m.group(1) for event in events for l in event for m in re.finditer(r";TZID=\"?([^:;\"]+)", l)})
        body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Switchboard//bench//EN"]
        for tzid in used:
            body += zones.get(tzid, [])
        for event in events:
            body += event
        body += ["END:VCALENDAR", ""]
        with open(os.path.join(folder, f"event-{written:05d}.ics"), "w", encoding="utf-8") as out:
            out.write("\r\n".join(body))
        written += 1
        if written == count:
            break
    print(written)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
