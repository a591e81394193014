"""What the platform stand-ins share (Nextcloud, OpenProject, Zulip: none can run on these
machines): every request they are sent and every response they give is checked against the
vendor's own OpenAPI document with openapi-core, and faults are injected on demand.

A request the document does not allow is answered 400 and recorded; a response it does not
allow is recorded. Tests read the record at `GET /_fake/violations` and expect it empty.
Errors a vendor raises that its document leaves out are listed per stand-in in
`undocumented` (method, path template, or ("*", "*") for every operation) → statuses, with
where the vendor's code raises them.

`POST /_fake/faults` queues faults for the next requests whose path starts with a prefix:
`{"prefix": "/api/v3/work_packages", "status": 429, "retryAfter": 1, "count": 2}`, a 5xx
`status`, `"delay": SECONDS` before answering, or `"drop": true` (the connection closed
without an answer). `"headers"` adds response headers (Zulip's `X-RateLimit-*`).
`"contains": TEXT` narrows a fault to requests whose path, query or body holds the text (so
one test's fault is not met by another's requests), `"method"` to requests of that method.
`DELETE /_fake/faults?contains=TEXT` drops the faults narrowed by that text (all without it). `GET /_fake/coverage` lists, per document, the
operations requested so far and those not.

With `FAKE_VALIDATION=off` in the environment nothing is checked (benchmarks only: they time
the clients, not openapi-core).
"""

import json
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, unquote_plus, urlsplit

from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse


def load_document(path, server=None):
    """A vendor's document with its servers replaced by this stand-in's own path prefix (the
    vendors list their public hosts: the paths below them are what is checked)."""
    if path.endswith(".json"):
        with open(path) as file:
            spec = json.load(file)
    else:
        import yaml
        with open(path) as file:
            spec = yaml.safe_load(file)
    if server is not None:
        spec["servers"] = [{"url": server}]
    # openapi-core reads application/json only; OpenProject answers HAL, which is JSON.
    return OpenAPI.from_dict(spec, config=Config(extra_media_type_deserializers={"application/hal+json": json.loads}))


class PlatformHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    lock = threading.Lock()
    violations = []
    faults = []
    # (document, method, path template) of every request answered.
    seen = set()
    undocumented = {}
    content_type = "application/json"
    # What the document's server URL puts before its paths (Zulip's `/api/v1`).
    path_prefix = ""
    validating = os.environ.get("FAKE_VALIDATION", "on") != "off"

    def log_message(self, format, *args):
        pass

    # What a stand-in defines.

    def document(self, path):
        """The OpenAPI document the path belongs to, or None (404)."""
        raise NotImplementedError

    def respond(self, url, body, query):
        """(status, JSON document) for a request the document allows; called under the lock
        unless `unlocked` says otherwise."""
        raise NotImplementedError

    def control(self, url, body):
        """A stand-in's own `/_fake/…` route (or one its document leaves out): (status,
        document), "sent" when it answered itself, or None."""
        return None

    def fault_document(self, status, message="injected"):
        """The body of an error the stand-in makes up (an injected fault, a refused request)."""
        return {"message": message, "status": status}

    def parameters(self, query, body):
        """The request's parameters and body as its document describes them: (args, data)."""
        return query, body

    def adapt(self, status, document):
        """The answer as sent (status, document), and whether the document describes it."""
        return status, document, True

    def request_allowed(self, url, error):
        """Whether a validation error is a known limit of openapi-core, not a finding."""
        return False

    def check_headers(self):
        """Raises when a header the vendor requires (and its document gives a default for) is missing."""

    # The harness.

    @classmethod
    def template(cls, openapi, path):
        path = path[len(cls.path_prefix):] if path.startswith(cls.path_prefix) else path
        for candidate in openapi.spec["paths"].keys():
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(candidate)) + "$"
            if re.match(pattern, path):
                return candidate
        return None

    @staticmethod
    def explain(error):
        """The validation error and what caused it (which field broke which rule)."""
        cause = error.__cause__
        details = getattr(cause, "schema_errors", None)
        if details:
            return f"{error!r}: " + "; ".join(str(detail.message)[:300] for detail in details[:3])
        return f"{error!r}: {cause!r}"[:600] if cause else repr(error)

    def record(self, finding):
        with self.lock:
            self.violations.append(finding)

    def send(self, status, document, checked=None, openapi=None, headers=None):
        status, document, described = self.adapt(status, document)
        body = b"" if status == 204 else json.dumps(document).encode()
        if checked is not None and described and self.validating:
            allowed = self.undocumented.get((checked.method, self.template(openapi, checked.path)), set()) | self.undocumented.get(("*", "*"), set())
            if status not in allowed:
                try:
                    openapi.validate_response(checked, MockResponse(body, status_code=status, content_type=self.content_type))
                except Exception as error:  # every kind of validation failure is a finding
                    self.record(f"response {status} to {checked.method.upper()} {self.path}: {self.explain(error)}")
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        if status != 204:
            self.send_header("Content-Type", self.content_type + "; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def fault(self, path, body):
        """The first queued fault for this request, consumed."""
        seen = unquote(self.path) + "\n" + body.decode(errors="replace").replace("\\/", "/")
        seen += "\n" + unquote_plus(body.decode(errors="replace"))
        with self.lock:
            for fault in self.faults:
                if path.startswith(fault["prefix"]) and fault["count"] > 0 and fault.get("contains", "") in seen \
                        and fault.get("method", self.command) == self.command:
                    fault["count"] -= 1
                    return dict(fault)
        return None

    def handle_any(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path == "/_fake/violations":
            with self.lock:
                return self.send(200, list(self.violations))
        if url.path == "/_fake/coverage":
            return self.send(200, self.coverage())
        if url.path == "/_fake/faults" and self.command == "DELETE":
            # Only a test's own faults (by their `contains`): the suites share the stand-in.
            contains = parse_qs(url.query).get("contains", [None])[-1]
            with self.lock:
                self.faults[:] = [fault for fault in self.faults if contains is not None and fault.get("contains") != contains]
            return self.send(200, [])
        if url.path == "/_fake/faults":
            fault = json.loads(body)
            fault.setdefault("count", 1)
            with self.lock:
                self.faults.append(fault)
            return self.send(200, fault)
        answer = self.control(url, body)
        if answer == "sent":
            return None
        if answer is not None:
            return self.send(*answer)
        openapi = self.document(url.path)
        if openapi is None:
            return self.send(404, {"message": "no such path on the stand-in"})
        fault = self.fault(url.path, body)
        if fault:
            time.sleep(fault.get("delay", 0))
            if fault.get("drop"):
                self.close_connection = True
                return
            if "status" in fault:
                headers = dict(fault.get("headers") or {})
                if "retryAfter" in fault:
                    headers["Retry-After"] = fault["retryAfter"]
                return self.send(fault["status"], self.fault_document(fault["status"]), headers=headers)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        args, data = self.parameters(query, body)
        checked = MockRequest(
            "http://%s" % self.headers.get("Host", "127.0.0.1"), self.command.lower(), url.path,
            args=args, headers={key: value for key, value in self.headers.items()},
            data=data or None, content_type=self.headers.get("Content-Type") if data else None,
        )
        try:
            if self.validating:
                try:
                    openapi.validate_request(checked)
                except Exception as error:
                    if not self.request_allowed(url, error):
                        raise
            self.check_headers()
        except Exception as error:
            self.record(f"request {self.command} {self.path}: {self.explain(error)}")
            return self.send(400, self.fault_document(400, f"request not allowed by the spec: {error}"), checked, openapi)
        with self.lock:
            self.seen.add((id(openapi), checked.method, self.template(openapi, url.path)))
            answer = self.respond(url, body, query)
        status, document = answer[0], answer[1]
        self.send(status, document, checked, openapi, headers=answer[2] if len(answer) > 2 else None)

    def documents_served(self):
        """Every document the stand-in serves, by name."""
        return {}

    def coverage(self):
        """Per document: its operations, those requested so far, and those not."""
        report = {}
        for name, openapi in self.documents_served().items():
            operations = {(method, path) for path, item in openapi.spec["paths"].items()
                          for method in ("get", "put", "post", "delete", "patch") if method in item}
            with self.lock:
                used = {(method, path) for document, method, path in self.seen if document == id(openapi)}
            report[name] = {"operations": len(operations), "used": sorted(f"{m.upper()} {p}" for m, p in used & operations),
                            "unused": sorted(f"{m.upper()} {p}" for m, p in operations - used)}
        return report

    def do_GET(self):
        self.handle_any()  # a stand-in's own handle_any, when it has one

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET


def serve(handler, port):
    ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()
