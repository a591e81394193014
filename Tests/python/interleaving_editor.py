"""A phone editing a calendar while Switchboard's API edits and syncs it.

    interleaving_editor.py URL USER PASSWORD CALENDAR_URL SECONDS SEED

Until SECONDS have passed: changes the LOCATION of a random event (never its SUMMARY,
which the API's writers own), now and then deletes one, and creates events of its own
(`phone-…`). Prints one line per action and ends with `done`. Uses python `caldav`
(PyPI), as an app or a phone would; a write that loses a race (412, 404) is skipped.
"""
import random
import sys
import time
import uuid

import caldav


def event(uid, summary):
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Phone//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260301T100000Z\r\n"
        f"DTEND:20260301T110000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def main():
    url, user, password, calendar_url, seconds, seed = sys.argv[1:7]
    rng = random.Random(int(seed))
    client = caldav.DAVClient(url=url, username=user, password=password)
    calendar = client.calendar(url=calendar_url)
    deadline = time.monotonic() + float(seconds)
    actions = 0
    while time.monotonic() < deadline:
        try:
            choice = rng.random()
            if choice < 0.15:
                uid = f"phone-{seed}-{uuid.uuid4().hex[:8]}"
                calendar.save_event(event(uid, "Phone " + uid))
                print("created", uid, flush=True)
            else:
                events = calendar.events()
                if not events:
                    continue
                target = rng.choice(events)
                target.load()
                if choice < 0.22:
                    target.delete()
                    print("deleted", target.icalendar_component.get("UID"), flush=True)
                else:
                    target.icalendar_component["LOCATION"] = f"Room {rng.randrange(100)}"
                    target.save()
                    print("moved", target.icalendar_component.get("UID"), flush=True)
            actions += 1
        except Exception as error:  # a race lost to the API or a sync run: skip it
            print("skipped", type(error).__name__, flush=True)
        time.sleep(rng.random() * 0.05)
    print(f"{actions} actions", flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    main()
