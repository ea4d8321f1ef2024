"""Commit-to-SSE latency (called by deploy/local/bench.sh during the create load).

    sse_latency.py BASE WATCHER_TOKEN CREATOR_TOKEN TEAM ASSIGNEE SECONDS RATE

Holds WATCHER's notification stream open, and meanwhile creates RATE tasks per second in TEAM
assigned to ASSIGNEE (the watcher), as CREATOR. For each `task_assigned` notification the
stream delivers, the latency is its arrival time minus its `createdAt` (the commit's time; the
server and this script share the machine's clock). Prints one line:

    SSE n=.. p50_ms=.. p99_ms=.. max_ms=.. lost=..

`lost`: tasks created (2xx) whose notification had not arrived 5 s after the last create.
Standard library only.
"""

import datetime
import http.client
import json
import sys
import threading
import time
import urllib.parse


def stream(base, token, arrivals, stop):
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    conn.request("GET", "/api/notifications/stream", headers={"Authorization": f"Bearer {token}"})
    resp = conn.getresponse()
    assert resp.status == 200, resp.status
    data = None
    while not stop.is_set():
        line = resp.fp.readline()
        if not line:
            return
        line = line.decode().rstrip("\n")
        if line.startswith("data: "):
            data = line[len("data: "):]
        elif line == "" and data is not None:
            now = time.time()
            event = json.loads(data)
            data = None
            if event.get("type") == "task_assigned":
                arrivals[event["data"]["taskId"]] = (now, event["createdAt"])


def created_at(raw):
    return datetime.datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()


def main():
    base, watcher, creator, team, assignee, seconds, rate = sys.argv[1:8]
    seconds, rate = float(seconds), float(rate)
    arrivals, stop = {}, threading.Event()
    reader = threading.Thread(target=stream, args=(base, watcher, arrivals, stop), daemon=True)
    reader.start()
    time.sleep(0.5)
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    created = []
    deadline = time.time() + seconds
    n = 0
    while time.time() < deadline:
        body = json.dumps({"teamId": team, "title": f"sse probe {n}", "assigneeId": assignee})
        conn.request("POST", "/api/tasks", body=body, headers={
            "Authorization": f"Bearer {creator}", "Content-Type": "application/json"})
        resp = conn.getresponse()
        payload = resp.read()
        if 200 <= resp.status < 300:
            created.append(json.loads(payload)["taskId"])
        n += 1
        time.sleep(max(0.0, 1.0 / rate))
    wait_until = time.time() + 5
    while time.time() < wait_until and any(t not in arrivals for t in created):
        time.sleep(0.05)
    stop.set()
    latencies = sorted((arrived - created_at(at)) * 1000 for t, (arrived, at) in arrivals.items() if t in created)
    lost = sum(1 for t in created if t not in arrivals)
    if not latencies:
        print(f"SSE n=0 p50_ms=nan p99_ms=nan max_ms=nan lost={lost}")
        return
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    print(f"SSE n={len(latencies)} p50_ms={pick(0.5):.1f} p99_ms={pick(0.99):.1f} "
          f"max_ms={latencies[-1]:.1f} lost={lost}")


if __name__ == "__main__":
    main()
