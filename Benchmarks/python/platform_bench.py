"""The platform clients' benchmark, the reference side (scripts/bench-platforms runs it beside
PlatformBench against the stand-ins):
    platform_bench.py nextcloud-users BASE_URL USER PASSWORD PAGE_SIZE
        every user id by nc-py-api (Nextcloud's own client), in pages of PAGE_SIZE
    platform_bench.py openproject-work-packages BASE_URL API_KEY PROJECT_ID PAGE_SIZE
        every work package of a project by requests, following nextByOffset (OpenProject has
        no client of its own on PyPI)
    platform_bench.py zulip-users BASE_URL EMAIL API_KEY
        every user by the zulip package (Zulip's own client)
Each prints one JSON line: the tool, the seconds, the client's own CPU seconds (user and
system, the process's whole life: imports included), the count, and the peak RSS in KiB.
"""
import json
import resource
import sys
import time


def report(tool, task, seconds, count):
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"tool": tool, "task": task, "seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime, "count": count,
                      "peak_rss_kib": usage.ru_maxrss}), flush=True)


def nextcloud_users(url, user, password, page):
    from nc_py_api import Nextcloud

    start = time.perf_counter()
    nc = Nextcloud(nextcloud_url=url, nc_auth_user=user, nc_auth_pass=password)
    ids, offset = [], 0
    while True:
        chunk = nc.users.get_list(limit=page, offset=offset)
        ids += chunk
        offset += len(chunk)
        if len(chunk) < page:
            break
    report("nc-py-api", "nextcloud-users", time.perf_counter() - start, len(set(ids)))


def openproject_work_packages(url, key, project, page):
    import requests

    start = time.perf_counter()
    session = requests.Session()
    session.auth = ("apikey", key)
    base = url.rstrip("/")
    link = f"/api/v3/projects/{project}/work_packages?pageSize={page}&filters=[]"
    count = 0
    while link:
        answer = session.get(base + link, headers={"Accept": "application/hal+json"})
        answer.raise_for_status()
        document = answer.json()
        count += len(document["_embedded"]["elements"])
        link = (document["_links"].get("nextByOffset") or {}).get("href")
    report("python-requests", "openproject-work-packages", time.perf_counter() - start, count)


def zulip_users(url, email, key):
    import zulip

    start = time.perf_counter()
    client = zulip.Client(email=email, api_key=key, site=url)
    answer = client.get_members()
    if answer.get("result") != "success":
        raise SystemExit(f"zulip: {answer}")
    report("python-zulip", "zulip-users", time.perf_counter() - start, len(answer["members"]))


if __name__ == "__main__":
    task, arguments = sys.argv[1], sys.argv[2:]
    if task == "nextcloud-users":
        nextcloud_users(arguments[0], arguments[1], arguments[2], int(arguments[3]))
    elif task == "openproject-work-packages":
        openproject_work_packages(arguments[0], arguments[1], int(arguments[2]), int(arguments[3]))
    elif task == "zulip-users":
        zulip_users(arguments[0], arguments[1], arguments[2])
    else:
        raise SystemExit(__doc__)
