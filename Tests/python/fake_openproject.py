"""A stand-in for OpenProject's API v3 (no OpenProject runs on these machines), checked
against the vendor's own OpenAPI document (Tests/Data/specs/openproject/openapi-bundled.json)
by fake_platform: projects, work packages (filters, sort, pages, lockVersion), activities,
time entries, statuses, types, priorities, roles, memberships and users.

It keeps state and speaks HAL: collections are paged by `offset` (the page number) and
`pageSize`, with `nextByOffset` links. Sign in with HTTP Basic `apikey` and a key:
`op-admin-key` (an administrator) or `op-anna-key` (a user, member of nothing).

`POST /_fake/seed {"project": ID, "count": N}` adds N work packages to a project at once (for
benchmarks); `POST /_fake/seed_query {"project": ID, "name": N}` keeps a saved query of that
project's work packages (OpenProject's users make them in its web page).

    python fake_openproject.py PORT SPECS_DIR    (SPECS_DIR holds openproject/openapi-bundled.json)
"""

import base64
import email.parser
import email.policy
import hashlib
import json
import re
import sys
from datetime import datetime, timezone
from urllib.parse import urlencode

from fake_platform import PlatformHandler, load_document, serve

API = "/api/v3"
NOW = "2026-12-01T09:00:00.000Z"
KEYS = {"op-admin-key": 1, "op-anna-key": 2}
USERS = {
    1: {"login": "admin", "firstName": "Ada", "lastName": "Admin", "email": "admin@example.test", "admin": True, "status": "active"},
    2: {"login": "anna", "firstName": "Anna", "lastName": "Berg", "email": "anna@example.test", "admin": False, "status": "active"},
}
STATUSES = {1: ("New", False), 2: ("In progress", False), 3: ("Closed", True)}
TYPES = {1: ("Task", False), 2: ("Milestone", True)}
PRIORITIES = {1: "Normal", 2: "High"}
ROLES = {3: "Member", 4: "Project admin"}
ACTIVITY = {1: "Development"}
projects = {}
work_packages = {}
activities = {}
time_entries = {}
memberships = {}
attachments = {}
relations = {}
versions = {}
QUERIES = {}
next_id = [100]


def new_id():
    next_id[0] += 1
    return next_id[0]


def link(href, title=None):
    return {"href": href, "title": title} if title is not None else {"href": href}


def formattable(raw):
    return {"format": "markdown", "raw": raw or "", "html": "<p>%s</p>" % (raw or "")}


def error(status, identifier, message, attribute=None):
    document = {"_type": "Error", "errorIdentifier": "urn:openproject-org:api:v3:errors:" + identifier, "message": message}
    if attribute:
        document["_embedded"] = {"details": {"attribute": attribute}}
    return status, document


def user_name(uid):
    user = USERS[uid]
    return user["firstName"] + " " + user["lastName"]


def user_json(uid):
    user = USERS[uid]
    return {
        "_type": "User", "id": uid, "name": user_name(uid), "login": user["login"], "firstName": user["firstName"],
        "lastName": user["lastName"], "email": user["email"], "admin": user["admin"], "avatar": "", "status": user["status"],
        "language": "en", "createdAt": NOW, "updatedAt": NOW,
        "_links": {"self": link(f"{API}/users/{uid}", user_name(uid)), "lock": link(f"{API}/users/{uid}/lock")},
    }


def project_json(project):
    pid = project["id"]
    return {
        "_type": "Project", "id": pid, "identifier": project["identifier"], "name": project["name"], "active": project["active"],
        "public": project["public"], "description": formattable(project["description"]), "createdAt": NOW, "updatedAt": NOW,
        "_links": {"self": link(f"{API}/projects/{pid}", project["name"]), "categories": link(f"{API}/projects/{pid}/categories"),
                   "workPackages": link(f"{API}/projects/{pid}/work_packages"),
                   "parent": link(f"{API}/projects/{project['parent']}") if project["parent"] else link(None)},
    }


def wp_json(wp):
    wid = wp["id"]
    status, _ = STATUSES[wp["status"]]
    links = {
        "self": link(f"{API}/work_packages/{wid}", wp["subject"]), "schema": link(f"{API}/work_packages/schemas/{wp['project']}-{wp['type']}"),
        "ancestors": [], "author": link(f"{API}/users/{wp['author']}", user_name(wp["author"])),
        "priority": link(f"{API}/priorities/{wp['priority']}", PRIORITIES[wp["priority"]]),
        "project": link(f"{API}/projects/{wp['project']}", projects[wp["project"]]["name"]),
        "status": link(f"{API}/statuses/{wp['status']}", status), "type": link(f"{API}/types/{wp['type']}", TYPES[wp["type"]][0]),
        "assignee": link(f"{API}/users/{wp['assignee']}", user_name(wp["assignee"])) if wp["assignee"] else link(None),
        "activities": link(f"{API}/work_packages/{wid}/activities"),
        "addComment": {"href": f"{API}/work_packages/{wid}/activities", "method": "post"},
    }
    return {
        "_type": "WorkPackage", "id": wid, "lockVersion": wp["lockVersion"], "subject": wp["subject"],
        "description": formattable(wp["description"]), "startDate": wp["startDate"], "dueDate": wp["dueDate"],
        "percentageDone": wp["percentageDone"], "scheduleManually": True, "createdAt": NOW, "updatedAt": wp["updatedAt"], "_links": links,
    }


def named_json(kind, ident, name, extra=None):
    document = {"_type": kind, "id": ident, "name": name, "_links": {"self": link(f"{API}/{kind.lower()}s/{ident}".replace("statuss", "statuses").replace("prioritys", "priorities"), name)}}
    document.update(extra or {})
    return document


def status_json(sid):
    name, closed = STATUSES[sid]
    return {"_type": "Status", "id": sid, "name": name, "isClosed": closed, "color": "#1A67A3", "isDefault": sid == 1, "isReadonly": False,
            "excludedFromTotals": False, "defaultDoneRatio": 0, "position": sid, "_links": {"self": link(f"{API}/statuses/{sid}", name)}}


def type_json(tid):
    name, milestone = TYPES[tid]
    return {"_type": "Type", "id": tid, "name": name, "color": "#1A67A3", "position": tid, "isDefault": tid == 1, "isMilestone": milestone,
            "createdAt": NOW, "updatedAt": NOW, "_links": {"self": link(f"{API}/types/{tid}", name)}}


def priority_json(pid):
    name = PRIORITIES[pid]
    return {"_type": "Priority", "id": pid, "name": name, "position": pid, "isDefault": pid == 1, "isActive": True,
            "_links": {"self": link(f"{API}/priorities/{pid}", name)}}


def role_json(rid):
    return {"_type": "Role", "id": rid, "name": ROLES[rid], "_links": {"self": link(f"{API}/roles/{rid}", ROLES[rid])}}


def membership_json(membership):
    mid = membership["id"]
    return {
        "_type": "Membership", "id": mid, "createdAt": NOW, "updatedAt": NOW,
        "_links": {"self": link(f"{API}/memberships/{mid}"), "schema": link(f"{API}/memberships/schema"),
                   "project": link(f"{API}/projects/{membership['project']}", projects[membership["project"]]["name"]),
                   "principal": link(f"{API}/users/{membership['principal']}", user_name(membership["principal"])),
                   "roles": [link(f"{API}/roles/{rid}", ROLES[rid]) for rid in membership["roles"]]},
    }


def activity_json(activity):
    aid = activity["id"]
    return {"_type": "Activity::Comment", "id": aid, "version": 1, "comment": formattable(activity["comment"]), "details": [],
            "createdAt": activity["createdAt"], "updatedAt": activity["createdAt"],
            "_links": {"self": link(f"{API}/activities/{aid}"), "workPackage": link(f"{API}/work_packages/{activity['workPackage']}"),
                       "user": link(f"{API}/users/{activity['user']}", user_name(activity["user"]))}}


def time_entry_json(entry):
    tid = entry["id"]
    wp = work_packages.get(entry["workPackage"])
    return {
        "_type": "TimeEntry", "id": tid, "comment": formattable(entry["comment"]), "spentOn": entry["spentOn"], "hours": entry["hours"],
        "ongoing": False, "createdAt": NOW, "updatedAt": NOW,
        "_links": {"self": link(f"{API}/time_entries/{tid}"), "project": link(f"{API}/projects/{entry['project']}"),
                   "user": link(f"{API}/users/{entry['user']}", user_name(entry["user"])),
                   "activity": link(f"{API}/time_entries/activities/{entry['activity']}", ACTIVITY[entry["activity"]]),
                   "entity": link(f"{API}/work_packages/{entry['workPackage']}", wp["subject"] if wp else None)},
    }


def attachment_json(attachment):
    aid = attachment["id"]
    return {
        "_type": "Attachment", "id": aid, "fileName": attachment["fileName"], "fileSize": len(attachment["bytes"]),
        "description": formattable(attachment["description"]), "status": "uploaded", "contentType": attachment["contentType"],
        "digest": {"algorithm": "md5", "hash": hashlib.md5(attachment["bytes"]).hexdigest()}, "createdAt": NOW,
        "_links": {"self": link(f"{API}/attachments/{aid}", attachment["fileName"]),
                   "container": link(f"{API}/work_packages/{attachment['workPackage']}"),
                   "author": link(f"{API}/users/{attachment['author']}", user_name(attachment["author"])),
                   "downloadLocation": link(f"{API}/attachments/{aid}/content")},
    }


def relation_json(relation):
    rid = relation["id"]
    return {"_type": "Relation", "id": rid, "name": relation["type"], "type": relation["type"], "reverseType": relation["type"], "lag": 0,
            "_links": {"self": link(f"{API}/relations/{rid}"), "from": link(f"{API}/work_packages/{relation['from']}"),
                       "to": link(f"{API}/work_packages/{relation['to']}")}}


def version_json(version):
    vid = version["id"]
    return {"_type": "Version", "id": vid, "name": version["name"], "description": formattable(""), "startDate": version["startDate"],
            "endDate": version["endDate"], "status": "open", "sharing": "none", "createdAt": NOW, "updatedAt": NOW,
            "_links": {"self": link(f"{API}/versions/{vid}", version["name"]), "schema": link(f"{API}/versions/schema"),
                       "definingProject": link(f"{API}/projects/{version['project']}"),
                       "availableInProjects": link(f"{API}/versions/{vid}/projects")}}


def plain_collection(elements, href):
    return {"_type": "Collection", "total": len(elements), "count": len(elements), "_embedded": {"elements": elements}, "_links": {"self": link(href)}}


def paged(elements, path, query, render):
    """An offset-paginated collection: `offset` is the page number, from 1."""
    size = max(1, min(int(query.get("pageSize") or 20), 1000))
    page = max(1, int(query.get("offset") or 1))
    chosen = elements[(page - 1) * size: page * size]

    def href(number):
        kept = {key: value for key, value in query.items() if key not in ("offset", "pageSize")}
        return path + "?" + urlencode({**kept, "offset": number, "pageSize": size})

    links = {"self": link(href(page)), "jumpTo": {"href": path + "?offset=%7Boffset%7D&pageSize=" + str(size), "templated": True},
             "changeSize": {"href": path + "?offset=1&pageSize=%7Bsize%7D", "templated": True}}
    if page * size < len(elements):
        links["nextByOffset"] = link(href(page + 1))
    if page > 1:
        links["previousByOffset"] = link(href(page - 1))
    return {"_type": "Collection", "total": len(elements), "count": len(chosen), "pageSize": size, "offset": page,
            "_embedded": {"elements": [render(item) for item in chosen]}, "_links": links}


def matches(wp, filters):
    for clause in filters:
        for name, condition in clause.items():
            operator, values = condition["operator"], condition.get("values") or []
            if name == "status":
                closed = STATUSES[wp["status"]][1]
                if operator == "o" and closed or operator == "c" and not closed:
                    return False
                if operator == "=" and str(wp["status"]) not in values or operator == "!" and str(wp["status"]) in values:
                    return False
            elif name == "subject" and operator == "~":
                if not all(value.lower() in wp["subject"].lower() for value in values):
                    return False
            elif name in ("type", "assignee", "priority", "project", "author", "id"):
                actual = wp[name]
                if operator == "=" and str(actual) not in values or operator == "!" and str(actual) in values:
                    return False
                if operator == "*" and not actual or operator == "!*" and actual:
                    return False
            else:
                raise ValueError(f"filter {name} not supported by the stand-in")
    return True


def sort_key(sort_by):
    def key(wp):
        return [wp[field] if field in wp else wp["id"] for field, _ in sort_by]
    return key


class Handler(PlatformHandler):
    openapi = None
    content_type = "application/hal+json"
    undocumented = {
        # API::Errors::Unauthenticated: any resource asked for without valid credentials (401);
        # the document lists it for a few operations only.
        ("*", "*"): {401},
        # API::V3::Users::UsersAPI: a user id that does not exist (NotFound, 404), undocumented on lock/unlock.
        ("post", "/api/v3/users/{id}/lock"): {404},
        ("delete", "/api/v3/users/{id}/lock"): {404},
    }

    # The document gives the request bodies of writes the schema of the resource as read, so it
    # requires the read-only links every answer carries (`self`, `schema`, `author`…), which
    # OpenProject itself neither needs nor reads in a request (API::V3::WorkPackages::
    # WorkPackagePayloadRepresenter; a time entry's project and user come from its work
    # package and the caller, its activity has a default). Only those missing links pass.
    READ_ONLY_LINKS = {"self", "schema", "ancestors", "author", "priority", "project", "status", "type", "user", "activity"}

    def request_allowed(self, url, error):
        details = getattr(error.__cause__, "schema_errors", None) or []
        missing = [re.fullmatch(r"'(\w+)' is a required property", str(detail.message)) for detail in details]
        return self.command in ("POST", "PATCH") and bool(details) and all(
            match and match.group(1) in self.READ_ONLY_LINKS and list(detail.path) == ["_links"] for match, detail in zip(missing, details))

    def fault_document(self, status, message="injected"):
        identifier = {429: "TooManyRequests", 400: "InvalidRequestBody"}.get(status, "InternalServerError")
        return error(status, identifier, message)[1]

    def documents_served(self):
        return {"openproject": self.openapi}

    def document(self, path):
        return self.openapi if path == API or path.startswith(API + "/") else None

    def control(self, url, body):
        # OpenProject's downloadLocation (`/api/v3/attachments/{id}/content`), which its
        # document does not list: the bytes as uploaded, to a signed-in user.
        content = re.fullmatch(r"/api/v3/attachments/(\d+)/content", url.path)
        if content and self.command == "GET":
            attachment = attachments.get(int(content.group(1)))
            if self.user() is None or attachment is None:
                return 404, error(404, "NotFound", "The requested resource could not be found.")[1]
            self.send_response(200)
            self.send_header("Content-Type", attachment["contentType"])
            self.send_header("Content-Length", str(len(attachment["bytes"])))
            self.end_headers()
            self.wfile.write(attachment["bytes"])
            return "sent"
        if url.path == "/_fake/seed_query":
            request = json.loads(body)
            with self.lock:
                qid = new_id()
                QUERIES[qid] = {"name": request["name"], "filters": [{"project": {"operator": "=", "values": [str(request["project"])]}}]}
            return 200, {"id": qid}
        if url.path == "/_fake/seed":
            request = json.loads(body)
            with self.lock:
                for number in range(request["count"]):
                    self.add_work_package(request["project"], {"subject": f"Seeded {number}"}, 1)
            return 200, {"count": len(work_packages)}
        return None

    def user(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            name, _, key = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return None
        uid = KEYS.get(key) if name == "apikey" else None
        return uid if uid and USERS[uid]["status"] == "active" else None

    def add_work_package(self, project, request, author):
        links = request.get("_links") or {}

        def linked(name, default=None):
            href = (links.get(name) or {}).get("href")
            return int(href.rsplit("/", 1)[1]) if href else default

        wid = new_id()
        work_packages[wid] = {
            "id": wid, "project": project, "subject": request["subject"], "description": (request.get("description") or {}).get("raw", ""),
            "type": linked("type", 1), "status": linked("status", 1), "priority": linked("priority", 1), "assignee": linked("assignee"),
            "author": author, "lockVersion": 0, "startDate": request.get("startDate"), "dueDate": request.get("dueDate"),
            "percentageDone": request.get("percentageDone"), "updatedAt": NOW,
        }
        return work_packages[wid]

    def respond(self, url, body, query):
        uid = self.user()
        if uid is None:
            return error(401, "Unauthenticated", "You did not provide the correct credentials.")
        self.raw_body = body
        request = json.loads(body) if body and self.headers.get("Content-Type", "").startswith("application/json") else {}
        parts = url.path[len(API):].strip("/").split("/") if url.path != API else []
        method = self.command
        admin = USERS[uid]["admin"]
        if not parts:
            return 200, {"_type": "Root", "instanceName": "Stand-in OpenProject", "coreVersion": "17.0.0" if admin else None,
                         "_links": {name: link(f"{API}/{target}") for name, target in (
                             ("self", ""), ("configuration", "configuration"), ("memberships", "memberships"), ("priorities", "priorities"),
                             ("relations", "relations"), ("statuses", "statuses"), ("time_entries", "time_entries"), ("types", "types"),
                             ("user", f"users/{uid}"), ("userPreferences", "my_preferences"), ("workPackages", "work_packages"))}}
        head = parts[0]
        if head == "projects":
            return self.projects(parts[1:], method, request, query, uid, admin)
        if head == "work_packages":
            return self.work_packages(parts[1:], method, request, query, uid)
        if head == "statuses" and len(parts) == 1:
            return 200, plain_collection([status_json(s) for s in STATUSES], f"{API}/statuses")
        if head == "types" and len(parts) == 1:
            return 200, plain_collection([type_json(t) for t in TYPES], f"{API}/types")
        if head == "priorities" and len(parts) == 1:
            return 200, plain_collection([priority_json(p) for p in PRIORITIES], f"{API}/priorities")
        if head == "roles" and len(parts) == 1:
            return 200, plain_collection([role_json(r) for r in ROLES], f"{API}/roles")
        if head == "attachments" and len(parts) == 2 and parts[1].isdigit() and method == "DELETE":
            if attachments.pop(int(parts[1]), None) is None:
                return error(404, "NotFound", "The requested resource could not be found.")
            return 204, None
        if head == "relations":
            return self.relations(parts[1:], method, query)
        if head == "versions" and len(parts) == 1 and method == "POST":
            project = int((((request.get("_links") or {}).get("definingProject") or {}).get("href") or "/0").rsplit("/", 1)[1])
            if project not in projects or not request.get("name"):
                return error(422, "PropertyConstraintViolation", "Name can't be blank.", "name")
            vid = new_id()
            versions[vid] = {"id": vid, "project": project, "name": request["name"], "startDate": request.get("startDate"),
                             "endDate": request.get("endDate")}
            return 201, version_json(versions[vid])
        if head == "queries" and len(parts) == 1:
            return 200, plain_collection([{"_type": "Query", "id": qid, "name": q["name"], "createdAt": NOW, "updatedAt": NOW,
                                           "_links": {"self": link(f"{API}/queries/{qid}", q["name"])}} for qid, q in QUERIES.items()], f"{API}/queries")
        if head == "queries" and len(parts) == 2 and parts[1].isdigit():
            saved = QUERIES.get(int(parts[1]))
            if saved is None:
                return error(404, "NotFound", "The requested resource could not be found.")
            shown = {p for p in projects if self.visible(uid, projects[p])}
            status, results = self.list_work_packages({**query, "filters": json.dumps(saved["filters"])}, shown, f"{API}/work_packages")
            return 200, {"_type": "Query", "id": int(parts[1]), "name": saved["name"], "createdAt": NOW, "updatedAt": NOW,
                         "_embedded": {"results": results}, "_links": {"self": link(f"{API}/queries/{parts[1]}", saved["name"])}}
        if head == "memberships":
            return self.memberships(parts[1:], method, request, query, admin)
        if head == "time_entries" and len(parts) == 1:
            return self.time_entries(method, request, query, uid)
        if head == "users":
            return self.users(parts[1:], method, request, query, uid, admin)
        return error(404, "NotFound", "The requested resource could not be found.")

    def visible(self, uid, project):
        return USERS[uid]["admin"] or project["public"] or any(m["project"] == project["id"] and m["principal"] == uid for m in memberships.values())

    def projects(self, rest, method, request, query, uid, admin):
        if not rest and method == "GET":
            found = [p for p in sorted(projects) if self.visible(uid, projects[p])]
            return 200, paged(found, f"{API}/projects", query, lambda pid: project_json(projects[pid]))
        if not rest and method == "POST":
            if not admin:
                return error(403, "MissingPermission", "You are not authorized to access this resource.")
            identifier = request.get("identifier") or ""
            if not request.get("name"):
                return error(422, "PropertyConstraintViolation", "Name can't be blank.", "name")
            if any(p["identifier"] == identifier for p in projects.values()):
                return error(422, "PropertyConstraintViolation", "Identifier has already been taken.", "identifier")
            parent = ((request.get("_links") or {}).get("parent") or {}).get("href")
            pid = new_id()
            projects[pid] = {"id": pid, "identifier": identifier, "name": request["name"], "active": request.get("active", True),
                             "public": request.get("public", False), "description": (request.get("description") or {}).get("raw", ""),
                             "parent": int(parent.rsplit("/", 1)[1]) if parent else None}
            return 201, project_json(projects[pid])
        project = projects.get(int(rest[0])) if rest and rest[0].isdigit() else None
        if project is None or not self.visible(uid, project):
            return error(404, "NotFound", "The requested resource could not be found.")
        if len(rest) == 1 and method == "GET":
            return 200, project_json(project)
        if len(rest) == 1 and method == "PATCH":
            if not admin:
                return error(403, "MissingPermission", "You are not authorized to access this resource.")
            for key in ("name", "active", "public"):
                if key in request:
                    project[key] = request[key]
            return 200, project_json(project)
        if len(rest) == 1 and method == "DELETE":
            if not admin:
                return error(403, "MissingPermission", "You are not authorized to access this resource.")
            del projects[project["id"]]
            for store in (work_packages, memberships):
                for key in [k for k, v in store.items() if v["project"] == project["id"]]:
                    del store[key]
            return 204, None
        if rest[1:] == ["versions"] and method == "GET":
            return 200, plain_collection([version_json(v) for v in versions.values() if v["project"] == project["id"]], f"{API}/projects/{project['id']}/versions")
        if rest[1:] == ["work_packages"] and method == "GET":
            return self.list_work_packages(query, {project["id"]}, f"{API}/projects/{project['id']}/work_packages")
        if rest[1:] == ["work_packages"] and method == "POST":
            if not request.get("subject"):
                return error(422, "PropertyConstraintViolation", "Subject can't be blank.", "subject")
            return 200, wp_json(self.add_work_package(project["id"], request, uid))
        return error(404, "NotFound", "The requested resource could not be found.")

    def list_work_packages(self, query, projects_shown, path):
        filters = json.loads(query["filters"]) if "filters" in query else [{"status": {"operator": "o", "values": []}}]
        sort_by = json.loads(query["sortBy"]) if "sortBy" in query else [["id", "asc"]]
        try:
            found = [w for w in work_packages.values() if w["project"] in projects_shown and matches(w, filters)]
        except (ValueError, KeyError, TypeError) as failure:
            return error(400, "InvalidQuery", str(failure))
        for field, direction in reversed(sort_by):
            found.sort(key=lambda w: (w.get(field) is None, w.get(field) if field in w else w["id"]), reverse=direction == "desc")
        return 200, paged(found, path, query, wp_json)

    def work_packages(self, rest, method, request, query, uid):
        if not rest and method == "GET":
            visible = {p for p in projects if self.visible(uid, projects[p])}
            return self.list_work_packages(query, visible, f"{API}/work_packages")
        wp = work_packages.get(int(rest[0])) if rest and rest[0].isdigit() else None
        if wp is None or not self.visible(uid, projects[wp["project"]]):
            return error(404, "NotFound", "The requested resource could not be found.")
        if len(rest) == 1 and method == "GET":
            return 200, wp_json(wp)
        if len(rest) == 1 and method == "PATCH":
            if request.get("lockVersion") != wp["lockVersion"]:
                return error(409, "UpdateConflict", "Your changes could not be saved, because the resource was changed in the meantime.")
            if "subject" in request and not request["subject"]:
                return error(422, "PropertyConstraintViolation", "Subject can't be blank.", "subject")
            for key in ("subject", "startDate", "dueDate", "percentageDone"):
                if key in request:
                    wp[key] = request[key]
            if "description" in request:
                wp["description"] = (request["description"] or {}).get("raw", "")
            for name, target in (("status", "status"), ("assignee", "assignee"), ("priority", "priority"), ("type", "type")):
                href = ((request.get("_links") or {}).get(name) or {}).get("href") if name in (request.get("_links") or {}) else "keep"
                if href != "keep":
                    wp[target] = int(href.rsplit("/", 1)[1]) if href else None
            wp["lockVersion"] += 1
            wp["updatedAt"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            return 200, wp_json(wp)
        if len(rest) == 1 and method == "DELETE":
            del work_packages[wp["id"]]
            return 204, None
        if rest[1:] == ["attachments"] and method == "GET":
            found = [attachment_json(a) for a in attachments.values() if a["workPackage"] == wp["id"]]
            return 200, plain_collection(found, f"{API}/work_packages/{wp['id']}/attachments")
        if rest[1:] == ["attachments"] and method == "POST":
            return self.attach(wp, uid)
        if rest[1:] == ["relations"] and method == "POST":
            target = int((((request.get("_links") or {}).get("to") or {}).get("href") or "/0").rsplit("/", 1)[1])
            if target not in work_packages or target == wp["id"]:
                return error(422, "PropertyConstraintViolation", "Related work package is invalid.", "to")
            if any({r["from"], r["to"]} == {wp["id"], target} for r in relations.values()):
                return error(409, "UpdateConflict", "A relation between these work packages exists already.")
            rid = new_id()
            relations[rid] = {"id": rid, "from": wp["id"], "to": target, "type": request.get("type", "relates")}
            return 201, relation_json(relations[rid])
        if rest[1:] == ["activities"] and method == "GET":
            found = [activity_json(a) for a in activities.values() if a["workPackage"] == wp["id"]]
            return 200, plain_collection(found, f"{API}/work_packages/{wp['id']}/activities")
        if rest[1:] == ["activities"] and method == "POST":
            aid = new_id()
            activities[aid] = {"id": aid, "workPackage": wp["id"], "user": uid, "comment": (request.get("comment") or {}).get("raw", ""),
                               "createdAt": NOW}
            return 201, activity_json(activities[aid])
        return error(404, "NotFound", "The requested resource could not be found.")

    def attach(self, wp, uid):
        """A multipart upload: `metadata` (JSON with fileName) and `file`."""
        head = f"Content-Type: {self.headers.get('Content-Type', '')}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + self.raw_body)
        fields = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
        if "metadata" not in fields or "file" not in fields:
            return error(422, "PropertyConstraintViolation", "File and metadata are required.", "file")
        metadata = json.loads(fields["metadata"].get_payload(decode=True))
        aid = new_id()
        attachments[aid] = {"id": aid, "workPackage": wp["id"], "author": uid, "fileName": metadata["fileName"],
                            "description": (metadata.get("description") or {}).get("raw", ""),
                            "contentType": fields["file"].get_content_type(), "bytes": fields["file"].get_payload(decode=True) or b""}
        return 200, attachment_json(attachments[aid])

    def relations(self, rest, method, query):
        if not rest and method == "GET":
            filters = json.loads(query.get("filters") or "[]")
            involved = [int(v) for c in filters if "involved" in c for v in c["involved"]["values"]]
            found = [relation_json(r) for r in relations.values() if not involved or r["from"] in involved or r["to"] in involved]
            return 200, plain_collection(found, f"{API}/relations")
        relation = relations.get(int(rest[0])) if rest and rest[0].isdigit() else None
        if relation is None:
            return error(404, "NotFound", "The requested resource could not be found.")
        if method == "DELETE":
            del relations[relation["id"]]
            return 204, None
        return 200, relation_json(relation)

    def memberships(self, rest, method, request, query, admin):
        if not admin:
            return error(403, "MissingPermission", "You are not authorized to access this resource.")
        if not rest and method == "GET":
            filters = json.loads(query.get("filters") or "[]")
            wanted = [c["project"]["values"] for c in filters if "project" in c]
            found = [m for m in sorted(memberships) if not wanted or str(memberships[m]["project"]) in wanted[0]]
            return 200, paged(found, f"{API}/memberships", query, lambda mid: membership_json(memberships[mid]))
        if not rest and method == "POST":
            links = request.get("_links") or {}
            try:
                project = int(links["project"]["href"].rsplit("/", 1)[1])
                principal = int(links["principal"]["href"].rsplit("/", 1)[1])
                roles = [int(role["href"].rsplit("/", 1)[1]) for role in links.get("roles") or []]
            except (KeyError, ValueError, AttributeError):
                return error(422, "PropertyConstraintViolation", "Project, principal and roles are required.", "principal")
            if project not in projects or principal not in USERS or not roles or any(r not in ROLES for r in roles):
                return error(422, "PropertyConstraintViolation", "Principal or roles are invalid.", "roles")
            if any(m["project"] == project and m["principal"] == principal for m in memberships.values()):
                return error(422, "PropertyConstraintViolation", "User has already been taken.", "user")
            mid = new_id()
            memberships[mid] = {"id": mid, "project": project, "principal": principal, "roles": roles}
            return 201, membership_json(memberships[mid])
        membership = memberships.get(int(rest[0])) if rest and rest[0].isdigit() else None
        if membership is None:
            return error(404, "NotFound", "The requested resource could not be found.")
        if method == "GET":
            return 200, membership_json(membership)
        if method == "DELETE":
            del memberships[membership["id"]]
            return 204, None
        return error(404, "NotFound", "The requested resource could not be found.")

    def time_entries(self, method, request, query, uid):
        if method == "GET":
            filters = json.loads(query.get("filters") or "[]")
            wanted = [c["entity_id"]["values"] for c in filters if "entity_id" in c]
            found = [t for t in sorted(time_entries) if not wanted or str(time_entries[t]["workPackage"]) in wanted[0]]
            return 200, paged(found, f"{API}/time_entries", query, lambda tid: time_entry_json(time_entries[tid]))
        links = request.get("_links") or {}
        href = (links.get("entity") or links.get("workPackage") or {}).get("href")
        wp = work_packages.get(int(href.rsplit("/", 1)[1])) if href else None
        if wp is None:
            return error(422, "PropertyConstraintViolation", "Work package is invalid.", "entity")
        if not request.get("hours") or not request["hours"].startswith("PT"):
            return error(422, "PropertyConstraintViolation", "Hours is invalid.", "hours")
        tid = new_id()
        activity_href = (links.get("activity") or {}).get("href")
        time_entries[tid] = {"id": tid, "workPackage": wp["id"], "project": wp["project"], "user": uid, "hours": request["hours"],
                             "spentOn": request.get("spentOn") or NOW[:10], "comment": (request.get("comment") or {}).get("raw", ""),
                             "activity": int(activity_href.rsplit("/", 1)[1]) if activity_href else 1}
        return 201, time_entry_json(time_entries[tid])

    def users(self, rest, method, request, query, uid, admin):
        if rest == ["me"] and method == "GET":
            return 200, user_json(uid)
        if not admin:
            return error(403, "MissingPermission", "You are not authorized to access this resource.")
        if not rest and method == "GET":
            filters = json.loads(query.get("filters") or "[]")
            logins = [c["login"]["values"] for c in filters if "login" in c]
            found = [u for u in sorted(USERS) if not logins or USERS[u]["login"] in logins[0]]
            return 200, paged(found, f"{API}/users", query, user_json)
        if not rest and method == "POST":
            if any(u["login"] == request["login"] for u in USERS.values()):
                return error(422, "PropertyConstraintViolation", "Username has already been taken.", "login")
            new = new_id()
            USERS[new] = {key: request[key] for key in ("login", "firstName", "lastName", "email", "admin")}
            USERS[new]["status"] = request.get("status") or "active"
            return 201, user_json(new)
        target = int(rest[0]) if rest and rest[0].isdigit() and int(rest[0]) in USERS else None
        if target is None:
            return error(404, "NotFound", "The requested resource could not be found.")
        if len(rest) == 1 and method == "GET":
            return 200, user_json(target)
        if len(rest) == 1 and method == "DELETE":
            del USERS[target]
            return 202, None
        if rest[1:] == ["lock"]:
            USERS[target]["status"] = "locked" if method == "POST" else "active"
            return 200, user_json(target)
        return error(404, "NotFound", "The requested resource could not be found.")


def main():
    port, specs = int(sys.argv[1]), sys.argv[2]
    Handler.openapi = load_document(f"{specs}/openproject/openapi-bundled.json", server="/")
    serve(Handler, port)


if __name__ == "__main__":
    main()
