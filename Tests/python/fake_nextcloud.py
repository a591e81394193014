"""A stand-in for Nextcloud's OCS APIs (no Nextcloud runs on these machines): the
webhook_listeners app, the provisioning API (users, groups, sub-administrators),
files_sharing (shares, pending shares), user_status, and core's capabilities and unified
search.

It keeps state (a created user can be fetched, a deleted share is gone) and checks every
request and response against the vendor's own OpenAPI document of the app the path belongs
to, and injects faults, as fake_platform describes. The documents leave out the errors
Nextcloud raises as `OCSException` (answered 400 in OCS v2 with the app's own status code in
`ocs.meta.statuscode`); the few the stand-in sends are listed in `UNDOCUMENTED`, with where
the vendor's code raises them.

`POST /_fake/fire` plays Nextcloud's side of an event: given a calendar event class and
the calendar(s) it touched, it calls every registered webhook whose event and filter
match, with the body Nextcloud's `WebhookCall` job sends (`event` with the serialized
event and its `class`, `user`, `time`), the listener's headers and, for the `header`
auth method, its auth data. It answers with each call's status.

Users: `admin` (password `admin-secret`, an administrator) and `anna` (`secret`, not one:
registering is refused with 403, as Nextcloud does).

    python fake_nextcloud.py PORT SPECS_DIR    (SPECS_DIR/nextcloud holds webhook_listeners/, provisioning_api/, files_sharing/,
                                                user_status/, core/)
"""

import base64
import json
import re
import sys
import time
import urllib.request
from urllib.parse import parse_qs, unquote

from openapi_core import OpenAPI

from fake_platform import PlatformHandler, serve

def new_account(userid, password, admin=False, displayname="", email=""):
    return {"password": password, "displayname": displayname or userid, "email": email or None, "enabled": True,
            "groups": ["admin"] if admin else [], "subadmin": [], "language": "en", "locale": "", "quota": "none"}


ACCOUNTS = {"admin": new_account("admin", "admin-secret", admin=True), "anna": new_account("anna", "secret")}
GROUPS = {"admin": "Admins"}
shares = {}
PREFIX = "/ocs/v2.php/apps/webhook_listeners/api/v1/webhooks"
PROVISIONING = "/ocs/v2.php/cloud/"
SHARES = "/ocs/v2.php/apps/files_sharing/api/v1/shares"
SHAREES = "/ocs/v2.php/apps/files_sharing/api/v1/sharees"
CAPABILITIES = "/ocs/v2.php/cloud/capabilities"
SEARCH = "/ocs/v2.php/search/providers"
USER_STATUS = "/ocs/v2.php/apps/user_status/api/v1/"
statuses = {}

# Errors Nextcloud sends that its documents do not list (OCSException, HTTP 400 in v2).
UNDOCUMENTED = {
    # UsersController::addUser: "User already exists" (102); GroupsController::addGroup: "group exists" (102).
    ("post", "/ocs/v2.php/cloud/users"): {400},
    ("post", "/ocs/v2.php/cloud/groups"): {400},
    # UsersController::getUser / deleteUser / editUser: the user does not exist (OCSNotFoundException, 404).
    ("get", "/ocs/v2.php/cloud/users/{userId}"): {404},
    ("delete", "/ocs/v2.php/cloud/users/{userId}"): {404},
    ("put", "/ocs/v2.php/cloud/users/{userId}"): {400, 404},
    # GroupsController::deleteGroup: the group does not exist (101, 400).
    ("delete", "/ocs/v2.php/cloud/groups/{groupId}"): {400},
}

listeners = {}
next_id = [1]


def ocs(status, data, message="OK", statuscode=None):
    meta = {"status": "ok" if status == 200 else "failure", "statuscode": statuscode or status, "message": message}
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
    with PlatformHandler.lock:
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



def user_details(userid, account):
    """A user as UsersController::getUserData describes one (every field the document requires)."""
    return {
        "additional_mail": [], "address": "", "backend": "Database",
        "backendCapabilities": {"setDisplayName": True, "setPassword": True}, "biography": "",
        "display-name": account["displayname"], "displayname": account["displayname"], "email": account["email"],
        "enabled": account["enabled"], "fediverse": "", "groups": sorted(account["groups"]), "headline": "", "id": userid,
        "language": account["language"], "firstLoginTimestamp": -1, "lastLoginTimestamp": 0, "lastLogin": 0,
        "locale": account["locale"], "manager": "", "notify_email": None, "organisation": "", "phone": "", "profile_enabled": "1",
        "pronouns": "", "quota": {"quota": account["quota"], "used": 0}, "role": "", "subadmin": sorted(account["subadmin"]),
        "timezone": "UTC", "twitter": "", "bluesky": "", "website": "",
    }


def share_data(share):
    """A share as ShareAPIController::formatShare gives it (`url` for links only)."""
    data = {
        "attributes": None, "can_delete": True, "can_edit": True, "displayname_file_owner": share["owner"],
        "displayname_owner": share["owner"], "expiration": share["expiration"], "file_parent": 2, "file_source": share["file"],
        "file_target": "/" + share["path"].strip("/").split("/")[-1], "has_preview": False, "hide_download": 0, "is-mount-root": False,
        "id": share["id"], "item_mtime": 1_800_000_000, "item_size": 0, "item_source": share["file"], "item_type": "folder",
        "label": share["label"], "mail_send": 0, "mimetype": "httpd/unix-directory", "mount-type": "", "note": share["note"],
        "parent": None, "path": share["path"], "permissions": share["permissions"], "share_type": share["shareType"],
        "share_with": share["shareWith"], "share_with_displayname": share["shareWith"] or "", "stime": 1_800_000_000, "storage": 1,
        "storage_id": "home::" + share["owner"], "token": share["token"], "uid_file_owner": share["owner"], "uid_owner": share["owner"],
    }
    if share["url"]:
        data["url"] = share["url"]
    return data


class Handler(PlatformHandler):
    documents = {}
    undocumented = UNDOCUMENTED
    v1 = False

    def handle_any(self):
        # OCS v1 (`/ocs/v1.php/`) is v2 with other status codes: every answer is HTTP 200, its
        # `meta.statuscode` 100 for success (OC\AppFramework\OCS\V1Response). It is served and
        # checked as v2; an error's v1 answer is not what the documents describe.
        self.v1 = self.path.startswith("/ocs/v1.php/")
        if self.v1:
            self.path = "/ocs/v2.php/" + self.path[len("/ocs/v1.php/"):]
        super().handle_any()

    def adapt(self, status, document):
        if not self.v1 or not isinstance(document, dict) or "ocs" not in document:
            return status, document, True
        meta = document["ocs"]["meta"]
        if 200 <= status < 300:
            meta["statuscode"] = 100
            return 200, document, True
        meta["statuscode"] = {401: 997, 404: 998}.get(status, meta["statuscode"])
        return 200, document, False

    def user(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            name, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return None
        account = ACCOUNTS.get(name)
        if account is None or not account["enabled"] or account["password"] != password:
            return None
        return name, "admin" in account["groups"]

    def document(self, path):
        if path == CAPABILITIES or path.startswith(SEARCH):
            return self.documents["core"]
        if path.startswith(USER_STATUS):
            return self.documents["user_status"]
        if path.startswith(PREFIX):
            return self.documents["webhook_listeners"]
        if path.startswith(PROVISIONING):
            return self.documents["provisioning_api"]
        if path.startswith(SHARES) or path == SHAREES:
            return self.documents["files_sharing"]
        return None

    def documents_served(self):
        return self.documents

    def control(self, url, body):
        if url.path == "/_fake/seed_users":
            with self.lock:
                for number in range(json.loads(body)["count"]):
                    ACCOUNTS[f"seeded-{len(ACCOUNTS):06d}"] = new_account(f"seeded-{number}", "x", displayname=f"Seeded {number}")
            return 200, {"users": len(ACCOUNTS)}
        if url.path == "/_fake/listeners":
            with self.lock:
                return 200, list(listeners.values())
        if url.path == "/_fake/fire":
            return 200, fire(json.loads(body))
        return None

    def fault_document(self, status, message="injected"):
        return ocs(status, [], message)[1]

    def request_allowed(self, url, error):
        # openapi-core checks an absent optional parameter's default too, and some defaults are
        # null under a oneOf that null matches no branch of (the sharee search's `shareType`,
        # unified search's `cursor`): a parameter left out is what the document allows.
        named = re.search(r"InvalidParameter\(name='([^']+)', location='query'\)", repr(error))
        return named is not None and named.group(1) not in parse_qs(url.query) and "None is not valid" in self.explain(error)

    def check_headers(self):
        # The spec marks the header required but gives it a default, so the validator
        # fills it in; Nextcloud itself refuses a request without it.
        if self.headers.get("OCS-APIRequest", "").lower() != "true":
            raise ValueError("the required header OCS-APIRequest: true is missing")

    def respond(self, url, body, query):
        user = self.user()
        if url.path == CAPABILITIES:
            # A public page: anyone gets the capabilities (Nextcloud adds more for a signed-in user).
            return ocs(200, {
                "version": {"major": 33, "minor": 0, "micro": 2, "string": "33.0.2", "edition": "", "extendedSupport": False},
                "capabilities": {"core": {"pollinterval": 60, "webdav-root": "remote.php/webdav", "reference-api": True,
                                          "reference-regex": "", "mod-rewrite-working": False},
                                 "files_sharing": {"api_enabled": True}, "provisioning_api": {"version": "1.33.0"}},
            })
        if user is None:
            return ocs(401, [], "Current user is not logged in")
        request = json.loads(body) if body else {}
        if url.path.startswith(PREFIX):
            return self.webhooks(url.path, request, user)
        if url.path.startswith(SEARCH):
            return self.search(url.path[len(SEARCH):].strip("/"), query)
        if url.path.startswith(USER_STATUS):
            return self.user_status(url.path[len(USER_STATUS):], request, user)
        if url.path == SHAREES:
            return self.sharees(query)
        if url.path.startswith(PROVISIONING):
            return self.provisioning(url.path[len(PROVISIONING):], request, query, user)
        return self.sharing(url.path[len(SHARES):].strip("/"), request, query, user)

    def webhooks(self, path, request, user):
        name, admin = user
        rest = path[len(PREFIX):].strip("/")
        if not admin:
            return ocs(403, [], "Logged in account must be an admin or have delegated admin rights")
        if self.command == "GET" and rest == "":
            return ocs(200, list(listeners.values()))
        if self.command == "POST" and rest == "":
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

    @staticmethod
    def page(items, query):
        offset = int(query.get("offset") or 0)
        limit = query.get("limit")
        return items[offset:] if not limit else items[offset:offset + int(limit)]

    def provisioning(self, rest, request, query, user):
        name, admin = user
        parts = [unquote(part) for part in rest.split("/")]
        method = self.command
        if parts == ["user"] and method == "GET":
            return ocs(200, user_details(name, ACCOUNTS[name]))
        if parts[0] == "users" and len(parts) == 1:
            if not admin and method == "GET":
                # UsersController::getUsers: neither admin nor sub-administrator sees nobody.
                return ocs(200, {"users": []})
            if not admin:
                return ocs(403, [], "Logged in account must be an admin")
            if method == "GET":
                search = query.get("search", "").lower()
                found = sorted(u for u, a in ACCOUNTS.items()
                               if search in u.lower() or search in a["displayname"].lower() or search in (a["email"] or "").lower())
                return ocs(200, {"users": self.page(found, query)})
            userid = request["userid"]
            if userid in ACCOUNTS:
                return ocs(400, [], "User already exists", statuscode=102)
            account = new_account(userid, request.get("password") or "", displayname=request.get("displayName", ""), email=request.get("email", ""))
            account["groups"] = [g for g in request.get("groups", [])]
            account["quota"] = request.get("quota") or "none"
            account["language"] = request.get("language") or "en"
            for group in account["groups"]:
                GROUPS.setdefault(group, group)
            ACCOUNTS[userid] = account
            return ocs(200, {"id": userid})
        if parts[0] == "users" and len(parts) >= 2:
            userid = parts[1]
            account = ACCOUNTS.get(userid)
            if not admin and not (userid == name and method in ("GET", "PUT") and len(parts) == 2):
                return ocs(403, [], "Logged in account must be an admin")
            if account is None:
                return ocs(404, [], "User does not exist")
            sub = parts[2] if len(parts) > 2 else ""
            if sub == "" and method == "GET":
                return ocs(200, user_details(userid, account))
            if sub == "" and method == "PUT":
                key, value = request["key"], request["value"]
                if key not in ("displayname", "email", "password", "quota", "language", "locale"):
                    return ocs(400, [], "Invalid key", statuscode=103)
                account[key] = value
                return ocs(200, [])
            if sub == "" and method == "DELETE":
                del ACCOUNTS[userid]
                return ocs(200, [])
            if sub in ("enable", "disable") and method == "PUT":
                account["enabled"] = sub == "enable"
                return ocs(200, [])
            if sub == "groups" and method == "GET":
                return ocs(200, {"groups": sorted(account["groups"])})
            if sub == "groups" and method == "POST":
                if request["groupid"] not in GROUPS:
                    return ocs(400, [], "Group does not exist", statuscode=102)
                if request["groupid"] not in account["groups"]:
                    account["groups"].append(request["groupid"])
                return ocs(200, [])
            if sub == "groups" and method == "DELETE":
                group = query.get("groupid", "")
                account["groups"] = [g for g in account["groups"] if g != group]
                return ocs(200, [])
            if sub == "subadmins" and method == "POST":
                if request["groupid"] not in account["subadmin"]:
                    account["subadmin"].append(request["groupid"])
                return ocs(200, [])
            if sub == "subadmins" and method == "DELETE":
                account["subadmin"] = [g for g in account["subadmin"] if g != query.get("groupid")]
                return ocs(200, [])
            if sub == "welcome" and method == "POST":
                if not account["email"]:
                    return ocs(400, [], "Email address not available", statuscode=101)
                return ocs(200, [])
        if parts[0] == "groups":
            if not admin:
                return ocs(403, [], "Logged in account must be an admin")
            if len(parts) == 1 and method == "GET":
                search = query.get("search", "").lower()
                return ocs(200, {"groups": self.page(sorted(g for g in GROUPS if search in g.lower()), query)})
            if len(parts) == 1 and method == "POST":
                if request["groupid"] in GROUPS:
                    return ocs(400, [], "group exists", statuscode=102)
                GROUPS[request["groupid"]] = request.get("displayname") or request["groupid"]
                return ocs(200, [])
            group = parts[1]
            if group not in GROUPS:
                return ocs(404 if method == "GET" else 400, [], "The requested group could not be found", statuscode=404 if method == "GET" else 101)
            if len(parts) == 2 and method == "DELETE":
                del GROUPS[group]
                for account in ACCOUNTS.values():
                    account["groups"] = [g for g in account["groups"] if g != group]
                return ocs(200, [])
            if len(parts) == 3 and parts[2] == "users" and method == "GET":
                return ocs(200, {"users": sorted(u for u, a in ACCOUNTS.items() if group in a["groups"])})
        return ocs(404, [], "not served by the fake")

    @staticmethod
    def search(rest, query):
        """Unified search with one provider, `users`, over the stand-in's accounts (cursor: an offset)."""
        provider = {"id": "users", "appId": "provisioning_api", "name": "Users", "icon": "icon-user", "order": 10, "isExternalProvider": False,
                    "triggers": ["users"], "filters": {"term": "string"}, "inAppSearch": False}
        if rest == "":
            return ocs(200, [provider])
        if rest != "users/search":
            return ocs(400, "Provider not found", "Provider not found")
        term = query.get("term", "").lower()
        limit, start = int(query.get("limit") or 25), int(query.get("cursor") or 0)
        found = [u for u in sorted(ACCOUNTS) if term in u.lower() or term in ACCOUNTS[u]["displayname"].lower()]
        page = found[start:start + limit]
        # SearchResult::paginated: the cursor is the next offset, there or not; a short page is the last.
        return ocs(200, {"name": "Users", "isPaginated": True, "cursor": start + len(page),
                         "entries": [{"thumbnailUrl": "", "title": ACCOUNTS[u]["displayname"], "subline": u, "resourceUrl": "/u/" + u,
                                      "icon": "icon-user", "rounded": True, "attributes": []} for u in page]})

    @staticmethod
    def user_status(rest, request, user):
        """The user_status app: one's own status and message, others' as the public see them."""
        name, _ = user

        def private(uid):
            state = statuses.setdefault(uid, {"status": "offline", "message": None, "icon": None, "clearAt": None, "userDefined": False})
            return {"userId": uid, "status": state["status"], "message": state["message"], "icon": state["icon"], "clearAt": state["clearAt"],
                    "messageId": None, "messageIsPredefined": False, "statusIsUserDefined": state["userDefined"]}

        if rest == "user_status":
            return ocs(200, private(name))
        if rest == "user_status/status":
            if request.get("statusType") not in ("online", "away", "dnd", "invisible", "offline"):
                return ocs(400, [], "Status-type is invalid")
            statuses.setdefault(name, {"message": None, "icon": None, "clearAt": None})
            statuses[name].update(status=request["statusType"], userDefined=True)
            return ocs(200, private(name))
        if rest == "user_status/message/custom":
            private(name)
            statuses[name].update(message=request.get("message"), icon=request.get("statusIcon"), clearAt=request.get("clearAt"))
            return ocs(200, private(name))
        if rest == "user_status/message":
            private(name)
            statuses[name].update(message=None, icon=None, clearAt=None)
            return ocs(200, [])
        if rest.startswith("statuses/"):
            uid = unquote(rest[len("statuses/"):])
            if uid not in ACCOUNTS:
                return ocs(404, [], "No status for the requested userId")
            shown = private(uid)
            status = "offline" if shown["status"] == "invisible" else shown["status"]
            return ocs(200, {key: shown[key] for key in ("userId", "message", "icon", "clearAt")} | {"status": status})
        return ocs(404, [], "not served by the stand-in")

    @staticmethod
    def sharees(query):
        """ShareesAPIController::search over the stand-in's users and groups: exact id matches apart."""
        search = query.get("search", "").lower()
        per_page = int(query.get("perPage") or 200)
        def empty():
            return {"circles": [], "emails": [], "groups": [], "remote_groups": [], "remotes": [], "rooms": [], "users": []}
        result = {**empty(), "exact": empty(), "lookup": [], "lookupEnabled": False}

        def user(userid):
            account = ACCOUNTS[userid]
            return {"label": account["displayname"], "subline": "", "icon": "icon-user", "shareWithDisplayNameUnique": account["email"] or userid,
                    "status": {"status": "offline", "message": "", "icon": "", "clearAt": None}, "value": {"shareType": 0, "shareWith": userid}}

        for userid in sorted(ACCOUNTS):
            if search and (search in userid.lower() or search in ACCOUNTS[userid]["displayname"].lower()):
                (result["exact"] if userid.lower() == search else result)["users"].append(user(userid))
        for group in sorted(GROUPS):
            if search and search in group.lower():
                (result["exact"] if group.lower() == search else result)["groups"].append({"label": GROUPS[group], "value": {"shareType": 1, "shareWith": group}})
        result["users"] = result["users"][:per_page]
        result["groups"] = result["groups"][:per_page]
        return ocs(200, result)

    def sharing(self, rest, request, query, user):
        name, _ = user
        method = self.command
        if rest == "" and method == "POST":
            kind = int(request.get("shareType", -1))
            if kind not in (0, 1, 3, 4) or (kind != 3 and not request.get("shareWith")):
                return ocs(400, [], "Unknown share type or missing recipient")
            if kind == 0 and request["shareWith"] not in ACCOUNTS or kind == 1 and request["shareWith"] not in GROUPS:
                return ocs(404, [], "Please specify a valid recipient")
            identifier = str(next_id[0])
            next_id[0] += 1
            token = "tok%06d" % int(identifier) if kind in (3, 4) else None
            shares[identifier] = {
                "id": identifier, "owner": name, "path": "/" + (request.get("path") or "").strip("/"), "shareType": kind,
                "shareWith": request.get("shareWith") if kind != 3 else None, "permissions": request.get("permissions") or (1 if kind == 3 else 31),
                "expiration": (request["expireDate"] + " 00:00:00") if request.get("expireDate") else None, "label": request.get("label", ""),
                "note": request.get("note", ""), "token": token, "url": "http://nextcloud.test/s/" + token if token else None,
                "file": 100 + int(identifier), "accepted": kind != 0,
            }
            return ocs(200, share_data(shares[identifier]))
        if rest == "" and method == "GET":
            wanted = query.get("path")
            found = [share_data(s) for s in shares.values() if s["owner"] == name and (not wanted or s["path"] == "/" + wanted.strip("/"))]
            return ocs(200, found)
        if rest == "pending" and method == "GET":
            return ocs(200, [share_data(s) for s in shares.values() if s["shareWith"] == name and not s["accepted"]])
        if rest.startswith("pending/") and method == "POST":
            share = shares.get(rest[len("pending/"):])
            if share is None or share["shareWith"] != name:
                return ocs(404, [], "Wrong share ID, share does not exist")
            share["accepted"] = True
            return ocs(200, [])
        share = shares.get(rest)
        if share is None or name not in (share["owner"], share["shareWith"]):
            return ocs(404, [], "Wrong share ID, share does not exist")
        if method == "GET":
            return ocs(200, [share_data(share)])
        if method == "PUT":
            for key, field in (("permissions", "permissions"), ("label", "label"), ("note", "note")):
                if request.get(key) is not None:
                    share[field] = request[key]
            if request.get("expireDate") is not None:
                share["expiration"] = (request["expireDate"] + " 00:00:00") if request["expireDate"] else None
            return ocs(200, share_data(share))
        if method == "DELETE":
            del shares[rest]
            return ocs(200, [])
        return ocs(404, [], "not served by the fake")


def main():
    port, specs = int(sys.argv[1]), sys.argv[2] + "/nextcloud"
    Handler.documents = {
        "webhook_listeners": OpenAPI.from_file_path(f"{specs}/webhook_listeners/openapi.json"),
        "provisioning_api": OpenAPI.from_file_path(f"{specs}/provisioning_api/openapi-full.json"),
        "files_sharing": OpenAPI.from_file_path(f"{specs}/files_sharing/openapi.json"),
        "core": OpenAPI.from_file_path(f"{specs}/core/openapi-full.json"),
        "user_status": OpenAPI.from_file_path(f"{specs}/user_status/openapi.json"),
    }
    serve(Handler, port)


if __name__ == "__main__":
    main()
