"""The mail benchmark's python side (scripts/bench-mail runs it beside MailBench):

    python mail_bench.py fetch IMAPS_URL USER PASSWORD CA_FILE FOLDER
        imapclient 3.0.1: connect, log in, select, UID FETCH 1:* (UID FLAGS ENVELOPE)
    python mail_bench.py parse DIRECTORY
        email.message_from_bytes(policy=policy.default) of every file

Each prints one JSON line: tool, seconds, count and the process's peak RSS in KiB.
"""
import email
import json
import os
import resource
import ssl
import sys
import time
from email import policy
from urllib.parse import urlparse


def report(tool, seconds, count, **extra):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"tool": tool, "seconds": seconds, "count": count, "peak_rss_kib": peak, **extra}), flush=True)


def fetch(url, user, password, ca_file, folder):
    import imapclient
    parsed = urlparse(url)
    context = ssl.create_default_context(cafile=ca_file)
    start = time.perf_counter()
    with imapclient.IMAPClient(parsed.hostname, port=parsed.port, ssl=True, ssl_context=context) as client:
        client.login(user, password)
        client.select_folder(folder, readonly=True)
        messages = client.fetch("1:*", ["UID", "FLAGS", "ENVELOPE"])
        subjects = sum(1 for data in messages.values() if data[b"ENVELOPE"].subject is not None)
        client.logout()
    report("python-imapclient", time.perf_counter() - start, len(messages), with_subject=subjects)


def parse(directory):
    names = sorted(os.listdir(directory))
    inputs = []
    for name in names:
        with open(os.path.join(directory, name), "rb") as handle:
            inputs.append(handle.read())
    start = time.perf_counter()
    attachments = 0
    for data in inputs:
        message = email.message_from_bytes(data, policy=policy.default)
        # What a reader of the message asks for: subject, text, attachments' names.
        message["subject"]
        body = message.get_body(preferencelist=("plain",))
        if body is not None:
            body.get_content()
        for attachment in message.iter_attachments():
            attachments += 1
            attachment.get_filename()
    report("python-email", time.perf_counter() - start, len(inputs), attachments=attachments)


if __name__ == "__main__":
    if sys.argv[1] == "fetch":
        fetch(*sys.argv[2:7])
    else:
        parse(sys.argv[2])
