#!/usr/bin/env python3
"""`just bench-scale`'s load client: logs in as a seeded user of the biggest team, then times
each query shape sequentially (after a few warm-up requests) and prints one JSON object per
shape: {"shape", "status", "n", "p50", "p95", "p99"} in milliseconds; a shape whose route
answers 404 is reported as status 404 with no figures.

    scale_client.py BASE EMAIL PASSWORD TEAM SAMPLES
"""
import http.client
import json
import sys
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

base, email, password, team, samples = sys.argv[1:6]
samples = int(samples)
url = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)


def call(method, path, body=None, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
    r = conn.getresponse()
    data = r.read()
    return r.status, data


status, data = call("POST", "/api/auth/login", {"email": email, "password": password})
if status != 200:
    sys.exit(f"login as {email}: {status} {data[:200]!r}")
token = json.loads(data)["token"]
status, data = call("GET", "/api/users/me", token=token)
me = json.loads(data)["userId"]

now = datetime.now(timezone.utc)
iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
q = urllib.parse.quote


def deep_cursor(path, pages):
    """The cursor of page `pages` of `path` (limit 20), walked once before timing."""
    cursor = None
    for _ in range(pages - 1):
        status, data = call("GET", path + (f"&cursor={q(cursor)}" if cursor else ""), token=token)
        if status != 200:
            return None
        cursor = json.loads(data).get("nextCursor")
        if not cursor:
            return None
    return cursor


common, rare = sys.argv[6], sys.argv[7]
shapes = [
    ("list: every team (default sort)", "/api/tasks?limit=20"),
    ("list: teamId", f"/api/tasks?teamId={team}&limit=20"),
    ("list: status", f"/api/tasks?status=in_review&limit=20"),
    ("list: teamId + status", f"/api/tasks?teamId={team}&status=in_review&limit=20"),
    ("list: priority", "/api/tasks?priority=urgent&limit=20"),
    ("list: assigneeId=me", "/api/tasks?assigneeId=me&limit=20"),
    ("list: tag", "/api/tasks?tag=seo&limit=20"),
    ("list: dueAfter+dueBefore (7 days)",
     f"/api/tasks?dueAfter={iso(now)}&dueBefore={iso(now + timedelta(days=7))}&limit=20"),
    ("list: q common word", f"/api/tasks?q={common}&limit=20"),
    ("list: q rare word", f"/api/tasks?q={rare}&limit=20"),
]
for key in ["created", "-created", "due", "-due", "priority", "-priority", "updated", "-updated"]:
    shapes.append((f"list: sort={key}", f"/api/tasks?sort={key}&limit=20"))
deep_path = f"/api/tasks?teamId={team}&limit=20"
cursor = deep_cursor(deep_path, 50)
shapes.append(("list: teamId, page 50", deep_path + f"&cursor={q(cursor)}" if cursor else None))
shapes += [
    ("search: common word", f"/api/search?q={common}"),
    ("search: rare word", f"/api/search?q={rare}"),
    ("search: prefix", f"/api/search?q={common[:3]}"),
    ("dashboard: team", f"/api/teams/{team}/dashboard"),
    ("dashboard: personal", "/api/dashboard"),
]


def pct(sorted_ms, p):
    return sorted_ms[min(len(sorted_ms) - 1, int(round(p / 100 * (len(sorted_ms) - 1))))]


for shape, path in shapes:
    if path is None:
        print(json.dumps({"shape": shape, "status": "no page 50"}), flush=True)
        continue
    status, data = call("GET", path, token=token)
    if status != 200:
        print(json.dumps({"shape": shape, "status": status}), flush=True)
        continue
    for _ in range(5):
        call("GET", path, token=token)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        status, _ = call("GET", path, token=token)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            sys.exit(f"{shape}: {status}")
    times.sort()
    print(json.dumps({"shape": shape, "status": 200, "n": samples,
                      "p50": pct(times, 50), "p95": pct(times, 95), "p99": pct(times, 99)}),
          flush=True)
