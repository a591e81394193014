"""A stand-in for a Zulip organisation's REST API (no Zulip runs on these machines), checked
against the vendor's own OpenAPI document (Tests/Data/specs/zulip/zulip.yaml) by
fake_platform: messages (send, fetch with narrows, edit, delete, flags, reactions), streams
(created by subscribing, updated, archived, topics, members), users, user groups, presence,
and event queues (register, long-poll, `BAD_EVENT_QUEUE_ID` once a queue is dropped).

Zulip's document gives a POST's parameters as query parameters; Zulip reads them from the
form body its clients send as well (zerver/lib/typed_endpoint.py), so a form body's fields
are checked as those parameters.

Every answer carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`,
as Zulip's do. Sign in with HTTP Basic email and API key: `bot@zulip.test` / `zulip-bot-key`
(a bot with the right to create users), `admin@zulip.test` / `zulip-admin-key` (an
administrator), `anna@zulip.test` / `zulip-anna-key` (a member).

`POST /_fake/drop_queues` drops every event queue (as a server restart does);
`POST /_fake/seed_users {"count": N}` adds N users at once (for benchmarks).

    python fake_zulip.py PORT SPECS_DIR    (SPECS_DIR holds zulip/zulip.yaml)
"""

import base64
import email.parser
import email.policy
import json
import sys
import threading
import time
from urllib.parse import parse_qs, quote, unquote

from fake_platform import PlatformHandler, load_document, serve

API = "/api/v1"
USERS = {
    1: {"email": "bot@zulip.test", "full_name": "Switchboard bot", "key": "zulip-bot-key", "is_bot": True, "role": 200, "is_active": True},
    2: {"email": "admin@zulip.test", "full_name": "Ada Admin", "key": "zulip-admin-key", "is_bot": False, "role": 200, "is_active": True},
    3: {"email": "anna@zulip.test", "full_name": "Anna Berg", "key": "zulip-anna-key", "is_bot": False, "role": 400, "is_active": True},
}
streams = {}
subscriptions = {}
messages = {}
groups = {}
queues = {}
uploads = {}
next_id = [100]
arrived = threading.Condition(PlatformHandler.lock)


def new_id():
    next_id[0] += 1
    return next_id[0]


def success(**fields):
    return 200, {"result": "success", "msg": "", **fields}


def failure(msg, code=None, status=400, **fields):
    """An error: Zulip always sends a `code`, but the document's JsonError (most operations)
    has none and allows no other field, so it is sent where the document has CodedError."""
    document = {"result": "error", "msg": msg, **fields}
    if code:
        document["code"] = code
    return status, document


def user_json(uid):
    user = USERS[uid]
    return {"user_id": uid, "email": user["email"], "full_name": user["full_name"], "is_active": user["is_active"], "is_bot": user["is_bot"],
            "role": user["role"], "is_admin": user["role"] <= 200, "is_owner": False, "is_billing_admin": False, "is_guest": False,
            "avatar_url": "", "date_joined": "2026-01-01T00:00:00+00:00", "timezone": "", "delivery_email": user["email"]}


def stream_json(stream):
    return {"stream_id": stream["id"], "name": stream["name"], "description": stream["description"], "rendered_description": stream["description"],
            "invite_only": stream["invite_only"], "is_web_public": False, "history_public_to_subscribers": True, "stream_post_policy": 1,
            "message_retention_days": None, "date_created": 1_800_000_000, "first_message_id": None, "is_announcement_only": False}


def message_json(message, reader):
    stream = streams.get(message["stream"]) if message["stream"] else None
    sender = USERS[message["sender"]]
    document = {
        "id": message["id"], "sender_id": message["sender"], "sender_email": sender["email"], "sender_full_name": sender["full_name"],
        "content": message["content"], "content_type": "text/x-markdown", "subject": message["topic"], "timestamp": message["timestamp"],
        "type": "stream" if stream else "private", "flags": sorted(message["flags"].get(reader, set())), "reactions": [
            {"emoji_name": name, "emoji_code": "1f44d", "reaction_type": "unicode_emoji", "user_id": uid} for name, uid in message["reactions"]],
        "recipient_id": message["stream"] or 0, "is_me_message": False, "avatar_url": None, "client": "switchboard", "sender_realm_str": "zulip",
        "submessages": [], "topic_links": [],
        "display_recipient": stream["name"] if stream else [
            {"id": uid, "email": USERS[uid]["email"], "full_name": USERS[uid]["full_name"], "is_mirror_dummy": False} for uid in message["to"]],
    }
    if stream:
        document["stream_id"] = stream["id"]
    return document


def uid_of(value):
    for uid, user in USERS.items():
        if user["email"] == value or str(uid) == str(value):
            return uid
    return None


def push(kind, payload, users, stream=None):
    """Adds an event to the queues of `users` that asked for its type and whose narrow (a
    stream) it is in (under the lock)."""
    for queue in queues.values():
        narrowed = [operand for operator, operand in queue["narrow"] if operator in ("stream", "channel")]
        if narrowed and stream not in narrowed:
            continue
        if queue["user"] in users and (not queue["types"] or kind in queue["types"]):
            queue["last"] += 1
            queue["events"].append({"id": queue["last"], "type": kind, **payload})
    arrived.notify_all()


class Handler(PlatformHandler):
    openapi = None
    path_prefix = API
    undocumented = {
        # zerver/middleware.py: any request without valid credentials (401, UNAUTHORIZED).
        ("*", "*"): {401},
    }

    def fault_document(self, status, message="injected"):
        return failure(message, "RATE_LIMIT_HIT" if status == 429 else "BAD_REQUEST", status)[1]

    def documents_served(self):
        return {"zulip": self.openapi}

    def document(self, path):
        return self.openapi if path.startswith(API + "/") else None

    def parameters(self, query, body):
        if body and self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return {**query, **{key: values[-1] for key, values in parse_qs(body.decode(), keep_blank_values=True).items()}}, None
        return query, body

    def control(self, url, body):
        if url.path == "/_fake/drop_queues":
            with self.lock:
                queues.clear()
            return 200, {}
        if url.path == "/_fake/seed_users":
            with self.lock:
                for number in range(json.loads(body)["count"]):
                    uid = new_id()
                    USERS[uid] = {"email": f"seeded{uid}@zulip.test", "full_name": f"Seeded {number}", "key": None, "is_bot": False,
                                  "role": 400, "is_active": True}
            return 200, {"users": len(USERS)}
        return None

    def rate_headers(self):
        return {"X-RateLimit-Limit": 200, "X-RateLimit-Remaining": 199, "X-RateLimit-Reset": int(time.time()) + 60}

    def signed_in(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            email, _, key = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return None
        uid = uid_of(email)
        return uid if uid and USERS[uid]["key"] == key and USERS[uid]["is_active"] else None

    def respond(self, url, body, query):
        path = url.path[len(API):]
        if path == "/server_settings":
            return (*success(zulip_version="9.2", zulip_feature_level=278, realm_name="Stand-in", realm_uri="http://zulip.test",
                             push_notifications_enabled=False, email_auth_enabled=True, require_email_format_usernames=True,
                             authentication_methods={"password": True}, external_authentication_methods=[], is_incompatible=False,
                             realm_icon="", realm_description="", realm_web_public_access_enabled=False, zulip_merge_base="9.2"),
                    self.rate_headers())
        uid = self.signed_in()
        if uid is None:
            return (*failure("Invalid API key", "UNAUTHORIZED", 401), self.rate_headers())
        self.raw_body = body
        params, _ = self.parameters(query, body)
        parts = [unquote(part) for part in path.strip("/").split("/")]
        answer = self.route(parts, self.command, params, uid)
        if answer is None:
            answer = failure("Invalid request")
        return (*answer, self.rate_headers())

    def route(self, parts, method, params, uid):
        if parts == ["users", "me"] and method == "GET":
            user = user_json(uid)
            return success(**{key: user[key] for key in ("user_id", "email", "full_name", "is_active", "is_bot", "role", "is_admin", "is_owner",
                                                          "is_billing_admin", "is_guest", "avatar_url", "date_joined", "timezone", "delivery_email")},
                           avatar_version=1, max_message_id=next_id[0], profile_data={})
        if parts == ["messages"] and method == "POST":
            return self.send_message(params, uid)
        if parts == ["messages"] and method == "GET":
            return self.get_messages(params, uid)
        if parts == ["messages", "flags"] and method == "POST":
            ids = json.loads(params["messages"])
            for mid in ids:
                if mid in messages:
                    flags = messages[mid]["flags"].setdefault(uid, set())
                    (flags.add if params["op"] == "add" else flags.discard)(params["flag"])
            return success(messages=ids)
        if parts[0] == "messages" and len(parts) >= 2 and parts[1].isdigit():
            message = messages.get(int(parts[1]))
            if message is None:
                return failure("Invalid message(s)")
            if len(parts) == 2 and method == "PATCH":
                if message["sender"] != uid:
                    return failure("You don't have permission to edit this message")
                if "content" in params:
                    message["content"] = params["content"]
                if "topic" in params:
                    message["topic"] = params["topic"]
                return success()
            if len(parts) == 2 and method == "DELETE":
                del messages[message["id"]]
                return success()
            if parts[2:] == ["reactions"]:
                reaction = (params["emoji_name"], uid)
                if method == "POST":
                    if reaction in message["reactions"]:
                        return failure("Reaction already exists.", "REACTION_ALREADY_EXISTS")
                    message["reactions"].append(reaction)
                else:
                    if reaction not in message["reactions"]:
                        return failure("Reaction doesn't exist.", "REACTION_DOES_NOT_EXIST")
                    message["reactions"].remove(reaction)
                return success()
        if parts == ["streams"] and method == "GET":
            return success(streams=[stream_json(s) for s in sorted(streams.values(), key=lambda s: s["id"]) if s["active"]
                                    and (not s["invite_only"] or uid in subscriptions.get(s["id"], set()))])
        if parts == ["get_stream_id"]:
            found = [s for s in streams.values() if s["name"] == params["stream"] and s["active"]]
            return success(stream_id=found[0]["id"]) if found else failure(f"Invalid stream name '{params['stream']}'", "BAD_REQUEST")
        if parts == ["users", "me", "subscriptions"] and method == "POST":
            return self.subscribe(params, uid)
        if parts == ["users", "me", "subscriptions"] and method == "DELETE":
            removed, missing = [], []
            principals = [uid_of(p) for p in json.loads(params.get("principals") or "[]")] or [uid]
            for name in json.loads(params["subscriptions"]):
                found = [s for s in streams.values() if s["name"] == name and s["active"]]
                if not found:
                    return failure(f"Stream(s) ({name}) do not exist", "STREAM_DOES_NOT_EXIST", stream=name)
                members = subscriptions.setdefault(found[0]["id"], set())
                (removed if members & set(principals) else missing).append(name)
                members -= set(principals)
            return success(removed=removed, not_removed=missing)
        if parts[0] == "streams" and len(parts) >= 2 and parts[1].isdigit():
            stream = streams.get(int(parts[1]))
            if stream is None or not stream["active"]:
                return failure("Invalid stream ID")
            if len(parts) == 2 and method == "PATCH":
                if USERS[uid]["role"] > 200:
                    return failure("Must be an organization administrator", "UNAUTHORIZED_PRINCIPAL")
                if "description" in params:
                    stream["description"] = params["description"]
                if "new_name" in params:
                    stream["name"] = params["new_name"]
                return success()
            if len(parts) == 2 and method == "DELETE":
                if USERS[uid]["role"] > 200:
                    return failure("Must be an organization administrator", "UNAUTHORIZED_PRINCIPAL")
                stream["active"] = False
                return success()
            if parts[2:] == ["members"]:
                return success(subscribers=sorted(subscriptions.get(stream["id"], set())))
        if parts[:2] == ["users", "me"] and len(parts) == 4 and parts[3] == "topics" and parts[2].isdigit():
            sid = int(parts[2])
            if sid not in streams:
                return failure("Invalid stream ID")
            latest = {}
            for message in messages.values():
                if message["stream"] == sid:
                    latest[message["topic"]] = max(latest.get(message["topic"], 0), message["id"])
            return success(topics=[{"name": name, "max_id": top} for name, top in sorted(latest.items(), key=lambda item: -item[1])])
        if parts == ["users"] and method == "GET":
            return success(members=[user_json(u) for u in sorted(USERS)])
        if parts == ["users"] and method == "POST":
            if uid != 1 and USERS[uid]["role"] > 200:
                return failure("Must be an organization administrator", "UNAUTHORIZED_PRINCIPAL")
            if uid_of(params["email"]):
                return failure(f"Email '{params['email']}' already in use")
            new = new_id()
            USERS[new] = {"email": params["email"], "full_name": params["full_name"], "key": None, "is_bot": False, "role": 400, "is_active": True}
            return success(user_id=new)
        if parts[0] == "users" and len(parts) == 2 and parts[1].isdigit() and method == "DELETE":
            target = int(parts[1])
            if target not in USERS:
                return failure("No such user")
            USERS[target]["is_active"] = False
            return success()
        if parts[0] == "users" and len(parts) == 3 and parts[2] == "presence":
            target = uid_of(parts[1])
            if target is None:
                return failure("No such user")
            stamp = int(time.time())
            return success(presence={"website": {"status": "active", "timestamp": stamp}, "aggregated": {"status": "active", "timestamp": stamp}})
        if parts == ["user_groups"] and method == "GET":
            return success(user_groups=[{"id": g["id"], "name": g["name"], "description": g["description"], "members": g["members"],
                                         "direct_subgroup_ids": [], "is_system_group": False} for g in groups.values()])
        if parts == ["user_groups", "create"] and method == "POST":
            if any(g["name"] == params["name"] for g in groups.values()):
                return failure(f"User group '{params['name']}' already exists.")
            gid = new_id()
            groups[gid] = {"id": gid, "name": params["name"], "description": params["description"], "members": json.loads(params["members"])}
            return success()
        if parts == ["user_uploads"] and method == "POST":
            head = f"Content-Type: {self.headers.get('Content-Type', '')}\r\n\r\n".encode()
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + self.raw_body)
            files = [part for part in message.iter_parts() if part.get_filename()]
            if not files:
                return failure("You must specify a file to upload")
            name = files[0].get_filename()
            path = f"/user_uploads/2/{new_id():02x}/{quote(name)}"
            uploads[path] = files[0].get_payload(decode=True) or b""
            return success(uri=path)
        if parts == ["register"] and method == "POST":
            queue = f"q{new_id()}"
            queues[queue] = {"user": uid, "types": json.loads(params.get("event_types") or "[]"), "events": [], "last": -1,
                             "narrow": json.loads(params.get("narrow") or "[]")}
            return success(queue_id=queue, last_event_id=-1, zulip_feature_level=278, zulip_version="9.2", zulip_merge_base="9.2")
        if parts == ["events"] and method == "GET":
            return self.get_events(params)
        if parts == ["events"] and method == "DELETE":
            if queues.pop(params["queue_id"], None) is None:
                return failure(f"Bad event queue ID: {params['queue_id']}", "BAD_EVENT_QUEUE_ID", queue_id=params["queue_id"])
            return success()
        return None

    def send_message(self, params, uid):
        kind, content = params["type"], params["content"]
        if not content.strip():
            return failure("Message must not be empty")
        if kind == "stream":
            try:
                target = json.loads(params["to"])
            except ValueError:
                target = params["to"]
            found = [s for s in streams.values() if (s["name"] == target or s["id"] == target) and s["active"]]
            if not found:
                return failure(f"Stream '{params['to']}' does not exist", "STREAM_DOES_NOT_EXIST", stream=params["to"])
            stream, to, readers = found[0]["id"], [], subscriptions.get(found[0]["id"], set()) | {uid}
        else:
            try:
                recipients = json.loads(params["to"])
            except ValueError:
                recipients = [params["to"]]
            to = [uid_of(r) for r in recipients]
            if None in to:
                return failure("Invalid email")
            stream, readers = None, set(to) | {uid}
        mid = new_id()
        messages[mid] = {"id": mid, "sender": uid, "stream": stream, "to": sorted(set(to) | {uid}) if not stream else [],
                         "topic": params.get("topic", "") if stream else "", "content": content, "timestamp": int(time.time()),
                         "flags": {uid: {"read"}}, "reactions": []}
        event = {key: value for key, value in message_json(messages[mid], uid).items() if key != "flags"}
        push("message", {"message": event, "flags": []}, readers, stream=found[0]["name"] if kind == "stream" else None)
        return success(id=mid)

    def get_messages(self, params, uid):
        narrow = json.loads(params.get("narrow") or "[]")

        def visible(message):
            if message["stream"]:
                stream = streams[message["stream"]]
                return not stream["invite_only"] or uid in subscriptions.get(stream["id"], set())
            return uid in message["to"]

        def matches(message):
            for term in narrow:
                operator, operand = (term["operator"], term["operand"]) if isinstance(term, dict) else term
                if operator in ("stream", "channel") and not (message["stream"] and streams[message["stream"]]["name"] == operand):
                    return False
                if operator in ("topic", "subject") and message["topic"] != operand:
                    return False
                if operator == "sender" and USERS[message["sender"]]["email"] != operand:
                    return False
                if operator == "search" and operand.lower() not in message["content"].lower():
                    return False
                if operator == "is" and operand in ("dm", "private") and message["stream"]:
                    return False
                if operator == "is" and operand == "starred" and "starred" not in message["flags"].get(uid, set()):
                    return False
            return True

        found = sorted(m for m in messages if visible(messages[m]) and matches(messages[m]))
        anchor = params.get("anchor", "newest")
        before, after = int(params["num_before"]), int(params["num_after"])
        point = {"newest": 10**12, "oldest": 0}.get(anchor) if not anchor.isdigit() else int(anchor)
        older = [m for m in found if m < point][-before:] if before else []
        newer = [m for m in found if m >= point][:after + (1 if anchor.isdigit() else 0)] if after or anchor.isdigit() else []
        if anchor == "newest":
            older = found[-before:] if before else []
        chosen = older + newer
        return success(messages=[message_json(messages[m], uid) for m in chosen], anchor=point if point < 10**12 else (found[-1] if found else 0),
                       found_newest=not found or found[-1] in chosen, found_oldest=not found or found[0] in chosen,
                       found_anchor=anchor.isdigit() and int(anchor) in chosen, history_limited=False)

    def subscribe(self, params, uid):
        wanted = json.loads(params["subscriptions"])
        principals = json.loads(params.get("principals") or "[]")
        members = [uid_of(p) for p in principals] or [uid]
        if None in members:
            return failure("Invalid user ID")
        subscribed, already = {}, {}
        for item in wanted:
            found = [s for s in streams.values() if s["name"] == item["name"] and s["active"]]
            if found:
                stream = found[0]
            else:
                sid = new_id()
                stream = streams[sid] = {"id": sid, "name": item["name"], "description": item.get("description", ""),
                                         "invite_only": params.get("invite_only") == "true", "active": True}
                push("stream", {"op": "create", "streams": [stream_json(stream)]}, set(USERS))
            current = subscriptions.setdefault(stream["id"], set())
            for member in members:
                target = subscribed if member not in current else already
                target.setdefault(USERS[member]["email"], []).append(stream["name"])
                current.add(member)
        return success(subscribed=subscribed, already_subscribed=already)

    def get_events(self, params):
        queue = queues.get(params["queue_id"])
        if queue is None:
            return failure(f"Bad event queue ID: {params['queue_id']}", "BAD_EVENT_QUEUE_ID", queue_id=params["queue_id"])
        last = int(params.get("last_event_id", -1))
        queue["events"] = [event for event in queue["events"] if event["id"] > last]
        if not queue["events"] and params.get("dont_block") != "true":
            arrived.wait(timeout=5)
            queue = queues.get(params["queue_id"])
            if queue is None:
                return failure(f"Bad event queue ID: {params['queue_id']}", "BAD_EVENT_QUEUE_ID", queue_id=params["queue_id"])
        events = list(queue["events"]) or [{"id": queue["last"] + 1, "type": "heartbeat"}] if params.get("dont_block") != "true" else list(queue["events"])
        if events and events[-1]["type"] == "heartbeat":
            queue["last"] += 1
        return success(events=events, queue_id=params["queue_id"])


def main():
    port, specs = int(sys.argv[1]), sys.argv[2]
    Handler.openapi = load_document(f"{specs}/zulip/zulip.yaml", server="/api/v1")
    serve(Handler, port)


if __name__ == "__main__":
    main()
