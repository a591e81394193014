"""Another CalDAV client editing a calendar while Switchboard syncs it.

    caldav_editor.py URL USER PASSWORD CALENDAR_URL ROUNDS SEED

Each round creates an event `other-N`, edits a random event it made before, and deletes
another of its own. It touches only the events it created, prints one line per action,
and ends with `done`. Uses python `caldav` (PyPI), as an app or a phone would.
"""
import random
import sys
import uuid

import caldav


def event(uid, summary):
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other client//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260301T100000Z\r\n"
        f"DTEND:20260301T110000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def main():
    url, user, password, calendar_url, rounds, seed = sys.argv[1:7]
    rng = random.Random(int(seed))
    client = caldav.DAVClient(url=url, username=user, password=password)
    calendar = client.calendar(url=calendar_url)
    mine = []
    for round_number in range(int(rounds)):
        uid = f"other-{seed}-{round_number}-{uuid.uuid4().hex[:6]}"
        mine.append(calendar.save_event(event(uid, f"Other {round_number}")))
        print("created", uid, flush=True)
        if len(mine) > 2 and rng.random() < 0.7:
            target = rng.choice(mine[:-1])
            target.load()
            target.icalendar_component["SUMMARY"] = f"Edited by other in round {round_number}"
            target.save()
            print("edited", target.icalendar_component["UID"], flush=True)
        if len(mine) > 3 and rng.random() < 0.4:
            target = mine.pop(rng.randrange(len(mine) - 1))
            target.delete()
            print("deleted", flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    main()
