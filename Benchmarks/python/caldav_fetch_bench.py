"""Fetches every event of a calendar with python `caldav` (the reference for
`switchboard bench fetch`) and prints one JSON line per run.

    python caldav_fetch_bench.py SERVER_URL USER PASSWORD CALENDAR_URL RUNS [--parse]
"""
import json
import sys
import time

import caldav


def main(server, user, password, calendar_url, runs, parse):
    for _ in range(runs):
        start = time.perf_counter()
        with caldav.DAVClient(url=server, username=user, password=password) as client:
            events = client.calendar(url=calendar_url).events()
            size = sum(len(event.data) for event in events)
            if parse:
                for event in events:
                    event.icalendar_instance
        print(json.dumps({"tool": "python-caldav", "seconds": time.perf_counter() - start,
                          "objects": len(events), "characters": size}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), "--parse" in sys.argv[6:])
