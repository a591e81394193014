"""Writes N varied messages into a maildir folder for the mail benchmark: plain text,
text + HTML alternatives, quoted-printable and base64 bodies, non-ASCII subjects and names
(RFC 2047), attachments with RFC 2231 names, replies with References; deterministic.

    python seed_maildir.py N MAILDIR
"""
import os
import random
import sys
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import datetime, timedelta, timezone

WORDS = ("Termin Befund Praxis Rechnung meeting invoice guideline Überweisung naïve café résumé "
         "appointment report Zürich Grüße schedule follow-up consultation patient update").split()
NAMES = ["Anna Ärztin", "Bob Builder", "Zoë Müller", "Jean-François Dupont", "Li Wei", "Olga Ивановa"]


def message(index, rng, previous_ids):
    msg = EmailMessage()
    sender = rng.choice(NAMES)
    msg["From"] = f"{sender} <user{rng.randrange(50)}@example.test>"
    msg["To"] = "anna@example.test"
    if rng.random() < 0.3:
        msg["Cc"] = f"{rng.choice(NAMES)} <cc{rng.randrange(20)}@example.test>"
    msg["Subject"] = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(2, 9))) + f" #{index}"
    msg["Date"] = format_datetime(datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=index * 7))
    message_id = make_msgid(idstring=str(index), domain="example.test")
    msg["Message-ID"] = message_id
    if previous_ids and rng.random() < 0.4:
        parent = rng.choice(previous_ids)
        msg["In-Reply-To"] = parent
        msg["References"] = parent
    text = "\n".join(" ".join(rng.choice(WORDS) for _ in range(rng.randrange(5, 15))) for _ in range(rng.randrange(3, 40)))
    msg.set_content(text)
    if rng.random() < 0.4:
        msg.add_alternative("<html><body><p>" + text.replace("\n", "</p><p>") + "</p></body></html>", subtype="html")
    if rng.random() < 0.25:
        for number in range(rng.randrange(1, 3)):
            payload = bytes(rng.randrange(256) for _ in range(rng.randrange(500, 6000)))
            msg.add_attachment(payload, maintype="application", subtype="pdf", filename=f"Befund März {index}-{number}.pdf")
    previous_ids.append(message_id)
    return msg.as_bytes()


def main(count, maildir):
    rng = random.Random(20261207)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    previous_ids = []
    for index in range(count):
        data = message(index, rng, previous_ids)
        flags = "S" if rng.random() < 0.7 else ""
        if rng.random() < 0.1:
            flags = "F" + flags
        with open(os.path.join(maildir, "cur", f"{1765000000 + index}.M{index}P1.bench,S={len(data)}:2,{flags}"), "wb") as handle:
            handle.write(data)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
