#!/usr/bin/env python3
"""Tollgate's load driver for scripts/bench.sh (standard library only; not a test).

  bench_load.py paths BASE --viewer E --editor E --admin E --password P --token T --team T --query Q
      Steady-state latency of the paths people take, one after another: each path gets 60
      warm-up requests (so every pooled connection has run its statements more than five times
      and a plan-cache flip would show), then 100 measured ones. Prints `name p50_ms p90_ms`.
      The portfolio is measured with a write before every read (nothing can be served from
      memory), and the two writes themselves are timed.
  bench_load.py mixed BASE ... --users 40 --seconds 60
      40 signed-in users, each on its own keep-alive connection, 90% reads (portfolio, list with
      filters, project page, API page) and 10% writes (a demo, a project update). Prints
      `mixed req_per_s p50_ms p99_ms errors conflicts` (a conflict is a save refused because
      someone else saved the same project first: the designed answer, not an error).
  bench_load.py thresholds BASE --admin E --password P
      Changes a health threshold (every project's signals are recomputed) and puts it back;
      prints `thresholds seconds`.
"""

import argparse
import datetime
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse

WARMUP = 60
MEASURED = 100


class Client:
    """One signed-in person on one keep-alive connection."""

    def __init__(self, base, email=None, password=None, token=None):
        url = urllib.parse.urlsplit(base)
        self.origin = f"{url.scheme}://{url.netloc}"
        self.host, self.port = url.hostname, url.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.cookie = None
        self.token = token
        if email:
            status, _, headers = self.request("POST", "/api/login", {"email": email, "password": password})
            cookie = [v for k, v in headers if k.lower() == "set-cookie" and v.startswith("tollgate_session=")]
            if not cookie:
                sys.exit(f"bench_load: signing in as {email} answered {status} without a session")
            self.cookie = cookie[0].split(";")[0]

    def request(self, method, path, form=None):
        headers = {"Accept": "application/json" if path.startswith("/api/") else "text/html"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.token and path.startswith("/api/v1/"):
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, data, response.getheaders()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def get(self, path):
        return self.request("GET", path)

    def timed(self, method, path, form=None):
        started = time.perf_counter()
        status, data, _ = self.request(method, path, form)
        return time.perf_counter() - started, status, data


def project_ids(client, limit=1000):
    status, data, _ = client.get(f"/api/v1/projects?limit={limit}")
    if status != 200:
        sys.exit(f"bench_load: /api/v1/projects answered {status}: {data[:200]!r}")
    return [p["id"] for p in json.loads(data)["items"]]


EDITED = ("name", "team", "problem_statement", "success_metric", "success_target", "baseline_metric",
          "baseline_method", "data_readiness", "fallback_plan", "monitoring_owner", "risk_tier", "status")


def edit_form(client, project):
    """The edit form of a project as it stands, with a new summary (None if it can't be read)."""
    status, data, _ = client.request("POST", "/api/projects/get", {"id": project})
    if status != 200:
        return None
    p = json.loads(data)["project"]
    form = {"id": project, "version": p["version"]}
    form.update({f"input[{field}]": p[field] for field in EDITED})
    form["input[summary]"] = f"Benchmark edit {random.random():.6f}"
    return form


def update_project(client, project):
    """Reads a project and saves it with a new summary, the way the edit form does."""
    form = edit_form(client, project)
    if form is None:
        return "unreadable"
    return client.request("POST", "/api/projects/update", form)[0]


def add_demo(client, project, today):
    status, _, _ = client.request("POST", "/api/records/demo", {
        "project_id": project, "held_on": today, "summary": "Benchmark demo",
        "attendees": "Bench", "outcome": "continue",
    })
    return status


def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(p / 100 * len(ordered) + 0.999999) - 1))]


def report(name, seconds):
    print(f"{name} {percentile(seconds, 50) * 1000:.1f} {percentile(seconds, 90) * 1000:.1f}", flush=True)


ONLY = set()


def measure(name, step):
    """Warms `step` up, then times it; `step` returns (seconds, status). Skipped when `--only`
    names other paths."""
    if ONLY and name not in ONLY:
        return
    for _ in range(WARMUP):
        step()
    seconds = []
    for _ in range(MEASURED):
        took, status = step()
        if status not in (200, 302, 303):
            sys.exit(f"bench_load: {name} answered {status}")
        seconds.append(took)
    report(name, seconds)


def own(admin, owner_id, projects, wanted):
    """Makes `owner_id` the owner of the current stage of projects until they own `wanted` of
    them, through the assign-owner form as an admin would (returns how many were assigned)."""
    assigned = 0
    for project in projects:
        if assigned >= wanted:
            break
        status, data, _ = admin.request("POST", "/api/projects/get", {"id": project})
        if status != 200:
            continue
        detail = json.loads(data)
        p = detail["project"]
        if p["status"] in ("cancelled", "retired"):
            continue
        current = [o for o in detail["owners"] if o["stage"] == p["stage"]]
        if current and current[0].get("owner", {}).get("id") == owner_id:
            continue
        status, _, _ = admin.request("POST", "/api/projects/assign-owner", {
            "id": project, "version": p["version"], "stage": p["stage"], "owner_id": owner_id})
        if status in (200, 302, 303):
            assigned += 1
    return assigned


def paths(args):
    viewer = Client(args.base, args.viewer, args.password, args.token)
    editor = Client(args.base, args.editor, args.password, args.token)
    ids = project_ids(viewer)
    if args.own_more > 0:
        admin = Client(args.base, args.admin, args.password)
        print(f"# assigned {own(admin, args.editor_id, ids, args.own_more)} more projects to the editor",
              file=sys.stderr, flush=True)
    team = urllib.parse.quote(args.team)
    pick = lambda: random.choice(ids)  # noqa: E731
    for name, path in (
        ("list", "/projects"),
        ("list_flag", "/projects?flag=stalled"),
        ("list_team_stage", f"/projects?team={team}&stage=build"),
        ("list_search", f"/projects?q={urllib.parse.quote(args.query)}"),
    ):
        measure(name, lambda path=path: viewer.timed("GET", path)[:2])
    measure("project", lambda: viewer.timed("GET", f"/projects/{pick()}")[:2])
    measure("my_work", lambda: editor.timed("GET", "/")[:2])

    def portfolio_after_write():
        project = pick()
        status = add_demo(editor, project, args.today) if random.random() < 0.5 else update_project(editor, project)
        if status != 200:
            return 0.0, status
        return viewer.timed("GET", "/portfolio")[:2]

    measure("portfolio_after_write", portfolio_after_write)

    # The portfolio over time (a write before each read, as above): the page as of a day a
    # year ago, the 52-week trend from the API, the pipeline page.
    year_ago = (datetime.date.fromisoformat(args.today) - datetime.timedelta(days=365)).isoformat()

    def after_write(client, path):
        project = pick()
        status = add_demo(editor, project, args.today)
        if status != 200:
            return 0.0, status
        return client.timed("GET", path)[:2]

    measure("portfolio_year_ago", lambda: after_write(viewer, f"/portfolio?as_of={year_ago}"))
    measure("trend_52_weeks", lambda: after_write(viewer, "/api/v1/portfolio/trend?interval=week"))
    measure("pipeline", lambda: after_write(viewer, "/pipeline"))

    def timed_update():
        form = edit_form(editor, pick())
        if form is None:
            return 0.0, "unreadable"
        return editor.timed("POST", "/api/projects/update", form)[:2]

    measure("project_update", timed_update)
    measure("record_addition", lambda: editor.timed("POST", "/api/records/demo", {
        "project_id": pick(), "held_on": args.today, "summary": "Benchmark demo",
        "attendees": "Bench", "outcome": "continue"})[:2])


def mixed(args):
    seeder = Client(args.base, args.viewer, args.password, args.token)
    ids = project_ids(seeder)
    team = urllib.parse.quote(args.team)
    reads = [
        lambda c: c.get("/portfolio")[0],
        lambda c: c.get("/projects?flag=stalled")[0],
        lambda c: c.get(f"/projects?team={team}&stage=build")[0],
        lambda c: c.get(f"/projects/{random.choice(ids)}")[0],
        lambda c: c.get("/api/v1/projects?limit=100")[0],
    ]
    writes = [
        lambda c: add_demo(c, random.choice(ids), args.today),
        lambda c: update_project(c, random.choice(ids)),
    ]
    clients = [Client(args.base, args.editor, args.password, args.token) for _ in range(args.users)]
    stop = time.perf_counter() + args.seconds
    lock = threading.Lock()
    seconds, errors, conflicts = [], [], []

    def user(client):
        mine, failed, refused = [], [], []
        while time.perf_counter() < stop:
            action = random.choice(writes) if random.random() < 0.1 else random.choice(reads)
            started = time.perf_counter()
            try:
                status = action(client)
            except Exception as error:  # a dropped connection is an error too
                status = repr(error)
            mine.append(time.perf_counter() - started)
            if status == 409:
                # Two people saved the same project at once: the second is refused, by design.
                refused.append(status)
            elif status not in (200, 302, 303):
                failed.append(status)
        with lock:
            seconds.extend(mine)
            errors.extend(failed)
            conflicts.extend(refused)

    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - started
    print(f"mixed {len(seconds) / took:.1f} {percentile(seconds, 50) * 1000:.1f} "
          f"{percentile(seconds, 99) * 1000:.1f} {len(errors)} {len(conflicts)}", flush=True)
    if errors:
        print(f"bench_load: errors: {sorted(set(map(str, errors)))[:5]}", file=sys.stderr)


def thresholds(args):
    admin = Client(args.base, args.admin, args.password)
    status, data, _ = admin.request("POST", "/api/settings/thresholds", {})
    if status != 200:
        sys.exit(f"bench_load: reading thresholds answered {status}")
    t = json.loads(data)
    form = {k: str(v) for k, v in t.items()}
    changed = dict(form, stall_days=str(int(form["stall_days"]) + 1))
    took, status, data = admin.timed("POST", "/api/settings/thresholds/save", changed)
    if status != 200:
        sys.exit(f"bench_load: saving thresholds answered {status}: {data[:200]!r}")
    admin.request("POST", "/api/settings/thresholds/save", form)
    print(f"thresholds {took:.2f} {data.decode()}", flush=True)


def imports(args):
    """Previews and commits a generated spreadsheet of --rows new projects, then the same rows
    again with one field changed (every row an update); prints `import <what> <rows> <seconds>`."""
    admin = Client(args.base, args.admin, args.password)
    tag = f"{time.time():.0f}"

    def upload(rows):
        boundary = f"bench{tag}"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.csv\"\r\n"
                f"Content-Type: text/csv\r\n\r\n").encode() + rows.encode() + f"\r\n--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Origin": admin.origin,
                   "Cookie": admin.cookie}
        started = time.perf_counter()
        admin.conn.request("POST", "/projects/import", body=body, headers=headers)
        response = admin.conn.getresponse()
        response.read()
        took = time.perf_counter() - started
        location = response.getheader("Location") or ""
        if response.status != 303 or "/projects/import/" not in location or "error" in location:
            sys.exit(f"bench_load: the upload answered {response.status} {location}")
        return location.rsplit("/", 1)[1], took

    def commit(import_id):
        started = time.perf_counter()
        status, data, _ = admin.request("POST", "/api/imports/commit", {"id": import_id})
        if status != 200:
            sys.exit(f"bench_load: the commit answered {status}: {data[:200]!r}")
        while True:
            status, data, _ = admin.request("POST", "/api/imports/view", {"id": import_id})
            view = json.loads(data)
            if view["status"] in ("done", "failed"):
                if view["status"] == "failed":
                    sys.exit(f"bench_load: the import failed: {view.get('error')}")
                return time.perf_counter() - started
            time.sleep(0.2)

    for label, team in (("create", "Bench"), ("update", "Bench squad")):
        rows = ["name,team,risk_tier,stage,owner_email,problem_statement"]
        for n in range(args.rows):
            rows.append(f"Imported {tag} {n:05d},{team} {n % 40},{('low', 'medium', 'high')[n % 3]},"
                        f"{('define', 'design', 'build', 'deploy')[n % 4]},{args.admin},Problem {n}")
        import_id, preview = upload("\n".join(rows) + "\n")
        print(f"import preview-{label} {args.rows} {preview:.2f}", flush=True)
        print(f"import commit-{label} {args.rows} {commit(import_id):.2f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["paths", "mixed", "thresholds", "imports"])
    parser.add_argument("base")
    parser.add_argument("--viewer")
    parser.add_argument("--editor")
    parser.add_argument("--admin")
    parser.add_argument("--password")
    parser.add_argument("--token")
    parser.add_argument("--team", default="")
    parser.add_argument("--query", default="model")
    parser.add_argument("--today", default=datetime.date.today().isoformat())
    parser.add_argument("--editor-id", default="")
    parser.add_argument("--own-more", type=int, default=0)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rows", type=int, default=10_000, help="imports: rows in the file")
    parser.add_argument("--only", default="", help="paths: measure only these (comma-separated names)")
    args = parser.parse_args()
    ONLY.update(name for name in args.only.split(",") if name)
    {"paths": paths, "mixed": mixed, "thresholds": thresholds, "imports": imports}[args.mode](args)


if __name__ == "__main__":
    main()
