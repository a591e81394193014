"""A submission server for tests (started by scripts/peers/mail): aiosmtpd with STARTTLS on
one port and implicit TLS on another, AUTH PLAIN/LOGIN against Dovecot's passwd-file, and a
handler that refuses recipients outside example.test, keeps each message in the spool
folder and relays it to Dovecot over LMTP, so it arrives in the recipient's INBOX."""
import argparse
import asyncio
import os
import smtplib
import ssl
import uuid

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--tls-port", type=int, required=True)
parser.add_argument("--lmtp-port", type=int, required=True)
parser.add_argument("--cert", required=True)
parser.add_argument("--key", required=True)
parser.add_argument("--users", required=True)
parser.add_argument("--spool", required=True)
args = parser.parse_args()

passwords = {}
with open(args.users) as users:
    for line in users:
        name, _, secret = line.strip().partition(":")
        passwords[name] = secret.removeprefix("{PLAIN}")


def authenticate(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword):
        user = auth_data.login.decode()
        if passwords.get(user) == auth_data.password.decode():
            return AuthResult(success=True)
    return AuthResult(success=False, handled=False)


class Relay:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not address.lower().endswith("@example.test"):
            return "550 5.7.1 Relaying outside example.test refused"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = os.path.join(args.spool, uuid.uuid4().hex + ".eml")
        with open(name, "wb") as spool:
            spool.write(envelope.original_content)
        refused = await asyncio.get_running_loop().run_in_executor(None, self.deliver, envelope)
        if refused:
            return "451 4.3.0 LMTP delivery failed for " + ", ".join(refused)
        return "250 Message accepted for delivery"

    @staticmethod
    def deliver(envelope):
        # One LMTP transaction per recipient: LMTP answers DATA once per recipient
        # (RFC 2033 section 4.2), which smtplib reads as one reply.
        refused = []
        for recipient in envelope.rcpt_tos:
            with smtplib.LMTP("127.0.0.1", args.lmtp_port) as lmtp:
                try:
                    lmtp.sendmail(envelope.mail_from, [recipient], envelope.original_content)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError):
                    refused.append(recipient)
        return refused


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(args.cert, args.key)
common = dict(hostname="127.0.0.1", authenticator=authenticate, auth_require_tls=False,
              data_size_limit=50 * 1024 * 1024, server_hostname="mail.example.test")
starttls = Controller(Relay(), port=args.port, tls_context=context, require_starttls=False, **common)
implicit = Controller(Relay(), port=args.tls_port, ssl_context=context, **common)
starttls.start()
implicit.start()
try:
    asyncio.new_event_loop().run_forever()
finally:
    starttls.stop()
    implicit.stop()
