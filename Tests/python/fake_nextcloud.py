"""A stand-in for Nextcloud's webhook_listeners app (no Nextcloud runs on these machines).

It serves the app's OCS API (list, register, show, update, delete webhooks) and checks
every request it is sent and every response it gives against the vendor's own OpenAPI
document (`openapi-core`): a request the document does not allow is answered 400 and
recorded, a response it does not allow is recorded. Tests read the record at
`GET /_fake/violations` and expect it empty.

`POST /_fake/fire` plays Nextcloud's side of an event: given a calendar event class and
the calendar(s) it touched, it calls every registered webhook whose event and filter
match, with the body Nextcloud's `WebhookCall` job sends (`event` with the serialized
event and its `class`, `user`, `time`), the listener's headers and, for the `header`
auth method, its auth data. It answers with each call's status.

Users: `admin` (password `admin-secret`, an administrator) and `anna` (`secret`, not one:
registering is refused with 403, as Nextcloud does).

    python fake_nextcloud.py PORT SPEC_PATH
"""

import base64
import json
import re
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

USERS = {"admin": ("admin-secret", True), "anna": ("secret", False)}
PREFIX = "/ocs/v2.php/apps/webhook_listeners/api/v1/webhooks"

lock = threading.Lock()
listeners = {}
next_id = [1]
violations = []


def ocs(status, data, message="OK"):
    meta = {"status": "ok" if status == 200 else "failure", "statuscode": status, "message": message}
    return status, {"ocs": {"meta": meta, "data": data}}


def value_at(data, dotted):
    for key in dotted.split("."):
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def matches(condition, value):
    """The subset of webhook_listeners' Mongo-style filters these tests use."""
    if isinstance(condition, dict):
        for operator, operand in condition.items():
            if operator == "$e" and value != operand:
                return False
            if operator == "$ne" and value == operand:
                return False
            if operator not in ("$e", "$ne"):
                raise ValueError(f"operator {operator} not supported by the fake")
        return True
    if isinstance(condition, str) and len(condition) > 1 and condition.startswith("/") and condition.endswith("/"):
        return isinstance(value, str) and re.search(condition[1:-1], value) is not None
    return value == condition


def filter_matches(event_filter, payload):
    return all(matches(condition, value_at(payload, path)) for path, condition in (event_filter or {}).items())


def calendar_data(calendar_id, reference):
    """What Nextcloud's CalDavBackend::getCalendarById gives for a calendar."""
    return {
        "id": calendar_id,
        "uri": reference["uri"],
        "principaluri": reference["principaluri"],
        "{http://calendarserver.org/ns/}getctag": "http://sabre.io/ns/sync/%d" % int(time.time()),
        "{http://sabredav.org/ns}sync-token": int(time.time()),
        "{DAV:}displayname": reference.get("displayname", reference["uri"]),
        "{urn:ietf:params:xml:ns:caldav}schedule-calendar-transp": {},
        "{http://apple.com/ns/ical/}calendar-color": "#0082c9",
    }


def event_payload(request):
    """The `event` member of a webhook call, as Nextcloud serializes calendar object events."""
    cls = request["class"]
    obj = {
        "id": 7, "uri": request.get("object", "event.ics"), "lastmodified": int(time.time()), "etag": '"0f4c"',
        "calendarid": 1, "size": 180, "component": "vevent", "classification": 0,
        "calendardata": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
    }
    if cls.endswith("CalendarObjectMovedEvent"):
        return {
            "sourceCalendarId": 1, "sourceCalendarData": calendar_data(1, request["calendar"]),
            "targetCalendarId": 2, "targetCalendarData": calendar_data(2, request["target"]),
            "sourceShares": [], "targetShares": [], "objectData": obj, "class": cls,
        }
    return {"calendarId": 1, "calendarData": calendar_data(1, request["calendar"]), "shares": [], "objectData": obj, "class": cls}


def fire(request):
    payload = {
        "event": event_payload(request),
        "user": {"uid": request.get("user", "anna"), "displayName": request.get("user", "anna")},
        "time": int(time.time()),
    }
    calls = []
    with lock:
        chosen = [dict(item) for item in listeners.values() if item["event"] == request["class"]]
    for listener in chosen:
        if not filter_matches(listener.get("eventFilter"), payload):
            continue
        headers = {"Content-Type": "application/json"}
        headers.update(listener.get("headers") or {})
        if listener.get("authMethod") == "header":
            headers.update(listener.get("authData") or {})
        body = json.dumps(payload).encode()
        call = urllib.request.Request(listener["uri"], data=body, method=listener["httpMethod"], headers=headers)
        try:
            with urllib.request.urlopen(call, timeout=30) as answer:
                calls.append({"listener": listener["id"], "status": answer.status, "body": answer.read().decode()})
        except urllib.error.HTTPError as error:
            calls.append({"listener": listener["id"], "status": error.code, "body": error.read().decode()})
        except OSError as error:
            calls.append({"listener": listener["id"], "status": 0, "body": str(error)})
    return {"calls": calls}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    openapi = None

    def log_message(self, format, *args):
        pass

    def user(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            name, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return None
        known = USERS.get(name)
        return (name, known[1]) if known and known[0] == password else None

    def send(self, status, document, checked=None):
        body = json.dumps(document).encode()
        if checked is not None:
            try:
                self.openapi.validate_response(checked, MockResponse(body, status_code=status, content_type="application/json"))
            except Exception as error:  # every kind of validation failure is a finding
                with lock:
                    violations.append(f"response {status} to {checked.method.upper()} {self.path}: {error!r}")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path == "/_fake/violations":
            with lock:
                return self.send(200, list(violations))
        if url.path == "/_fake/listeners":
            with lock:
                return self.send(200, list(listeners.values()))
        if url.path == "/_fake/fire":
            return self.send(200, fire(json.loads(body)))
        if not url.path.startswith(PREFIX):
            return self.send(404, {"message": "no such path on the fake"})
        checked = MockRequest(
            "http://%s" % self.headers.get("Host", "127.0.0.1"), self.command.lower(), url.path,
            args={key: values[-1] for key, values in parse_qs(url.query).items()},
            headers={key: value for key, value in self.headers.items()},
            data=body or None, content_type=self.headers.get("Content-Type") if body else None,
        )
        try:
            self.openapi.validate_request(checked)
            # The spec marks the header required but gives it a default, so the validator
            # fills it in; Nextcloud itself refuses a request without it.
            if self.headers.get("OCS-APIRequest", "").lower() != "true":
                raise ValueError("the required header OCS-APIRequest: true is missing")
        except Exception as error:
            with lock:
                violations.append(f"request {self.command} {self.path}: {error!r}")
            return self.send(*ocs(400, [], f"request not allowed by the spec: {error}"), checked)
        status, document = self.route(url.path, body)
        self.send(status, document, checked)

    def route(self, path, body):
        user = self.user()
        if user is None:
            return ocs(401, [], "Current user is not logged in")
        name, admin = user
        rest = path[len(PREFIX):].strip("/")
        if not admin:
            return ocs(403, [], "Logged in account must be an admin or have delegated admin rights")
        with lock:
            if self.command == "GET" and rest == "":
                return ocs(200, list(listeners.values()))
            if self.command == "POST" and rest == "":
                request = json.loads(body)
                identifier = str(next_id[0])
                next_id[0] += 1
                listeners[identifier] = {
                    "id": identifier, "userId": name, "httpMethod": request["httpMethod"], "uri": request["uri"],
                    "event": request["event"], "eventFilter": request.get("eventFilter") or {},
                    "userIdFilter": request.get("userIdFilter") or "", "headers": request.get("headers") or {},
                    "authMethod": request.get("authMethod") or "none", "authData": request.get("authData") or {},
                }
                return ocs(200, listeners[identifier])
            if self.command == "DELETE" and rest.isdigit():
                # Nextcloud answers whether something was deleted, not 404.
                return ocs(200, listeners.pop(rest, None) is not None)
            if self.command == "GET" and rest in listeners:
                return ocs(200, listeners[rest])
            return ocs(404, [], "Webhook not found")

    do_GET = do_POST = do_DELETE = handle_any


def main():
    port, spec = int(sys.argv[1]), sys.argv[2]
    Handler.openapi = OpenAPI.from_file_path(spec)
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
