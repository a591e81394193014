"""A phone editing a calendar while Switchboard's API edits and syncs it.

    interleaving_editor.py URL USER PASSWORD CALENDAR_URL SECONDS SEED

Until SECONDS have passed: changes the LOCATION of a random event (never its SUMMARY,
which the API's writers own), now and then deletes one, and creates events of its own
(`phone-…`). Prints one line per action and ends with `done`; SIGTERM ends it after the
action in hand, so every deletion it made is printed. Uses python `caldav`
(PyPI), as an app or a phone would, and writes as a careful client does: every change and
deletion carries the ETag it read (If-Match), so a write that loses a race (412, 404) is
skipped, never a blind overwrite of what another client just wrote.
"""
import random
import signal
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
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    while time.monotonic() < deadline and not stopping:
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
                url = str(rng.choice(events).url)
                read = client.request(url, "GET")
                etag = read.headers.get("ETag")
                text = read.raw if isinstance(read.raw, str) else read.raw.decode()
                if read.status != 200 or not etag:
                    continue
                uid = next((line[4:].strip() for line in text.splitlines() if line.startswith("UID:")), "?")
                if choice < 0.22:
                    answer = client.request(url, "DELETE", "", {"If-Match": etag})
                    print("deleted" if answer.status < 300 else "skipped", uid, flush=True)
                else:
                    lines = [line for line in text.replace("\r\n", "\n").split("\n") if not line.startswith("LOCATION")]
                    at = lines.index("END:VEVENT")
                    lines.insert(at, f"LOCATION:Room {rng.randrange(100)}")
                    body = "\r\n".join(lines)
                    answer = client.request(url, "PUT", body, {"If-Match": etag, "Content-Type": "text/calendar; charset=utf-8"})
                    print("moved" if answer.status < 300 else "skipped", uid, flush=True)
            actions += 1
        except Exception as error:  # a race lost to the API or a sync run: skip it
            print("skipped", type(error).__name__, flush=True)
        time.sleep(rng.random() * 0.05)
    print(f"{actions} actions", flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    main()
