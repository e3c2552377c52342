#!/usr/bin/env python3
"""verify_mock.py - end-to-end check of oaiusage-mock (stdlib only).

Starts `oaiusage-mock serve` on a free port, then:
  * pages through /usage/completions and /costs for many windows, widths,
    groupings, filters and array encodings, aggregates the pages the way the
    client must (CSV contract in server/README.md) and compares the result
    byte for byte with `oaiusage-mock truth`;
  * checks 400/401/403/404/405 errors, the list endpoints and cursors;
  * starts a second server with one --fault per request and checks each one;
  * stops both servers with SIGTERM and checks they exit 0.

usage: verify_mock.py PATH/TO/oaiusage-mock [--valgrind]
Prints 'N passed, N failed' and exits non-zero on any failure.
"""
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import datetime, timedelta, timezone
from decimal import Decimal

BIN = sys.argv[1] if len(sys.argv) > 1 else "oaiusage-mock"
WRAP = ["valgrind", "--leak-check=full", "--error-exitcode=99",
        "--errors-for-leak-kinds=definite,indirect"] if "--valgrind" in sys.argv else []
NOW = 1737208663          # 2025-01-18T13:57:43Z, fixed for reproducibility
ADMIN = "sk-admin-verify"
PASSED = 0
FAILED = 0

COMPLETION_METRICS = [
    "input_tokens", "input_cached_tokens", "input_cache_write_tokens",
    "input_uncached_tokens", "output_tokens", "input_text_tokens",
    "output_text_tokens", "input_cached_text_tokens", "input_audio_tokens",
    "input_cached_audio_tokens", "output_audio_tokens", "input_image_tokens",
    "input_cached_image_tokens", "output_image_tokens", "num_model_requests"]


def check(cond, what):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print("FAIL:", what)


# ---- server process ---------------------------------------------------------

class Server:
    def __init__(self, *args):
        self.dir = tempfile.mkdtemp(prefix="oaimock-")
        self.port_file = os.path.join(self.dir, "port")
        self.log = os.path.join(self.dir, "log")
        cmd = WRAP + [BIN, "serve", "--port", "0", "--port-file",
                      self.port_file, "--log", self.log] + list(args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        deadline = time.time() + 30
        while not os.path.exists(self.port_file):
            if time.time() > deadline or self.proc.poll() is not None:
                raise SystemExit("server did not start")
            time.sleep(0.05)
        self.port = int(open(self.port_file).read())
        line = self.proc.stdout.readline()
        check(line == "oaiusage-mock listening on http://127.0.0.1:%d/v1\n"
              % self.port, "listening line: %r" % line)

    def get(self, path, params=None, key=ADMIN, raw_query=None, method="GET"):
        """returns (status, headers, body bytes); body None if dropped"""
        q = raw_query if raw_query is not None else urllib.parse.urlencode(
            params or [], doseq=True)
        url = path + ("?" + q if q else "")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Authorization": "Bearer " + key} if key else {}
        try:
            conn.request(method, url, headers=headers)
            r = conn.getresponse()
            try:
                body = r.read()
            except http.client.IncompleteRead as e:
                return r.status, dict(r.getheaders()), ("INCOMPLETE", e.partial)
            return r.status, dict(r.getheaders()), body
        except (http.client.RemoteDisconnected, ConnectionResetError):
            return None, {}, None
        finally:
            conn.close()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=60)
        check(rc == 0, "server exit status %r" % rc)
        return rc

    def log_lines(self):
        return open(self.log).read().splitlines()


# ---- client-side aggregation (the CSV contract) ---------------------------------

def rfc3339(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def period_start(per, t):
    d = datetime.fromtimestamp(t, timezone.utc)
    if per == "bucket":
        return t
    day = d.replace(hour=0, minute=0, second=0, microsecond=0)
    if per == "week":
        day -= timedelta(days=day.weekday())
    elif per == "month":
        day = day.replace(day=1)
    return int(day.timestamp())


def csv_field(v):
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    v = str(v)
    if any(c in v for c in ',"\r\n'):
        return '"' + v.replace('"', '""') + '"'
    return v


def dec_str(d):
    if d == 0:
        return "0"
    s = format(d.normalize(), "f")
    return s


def fetch_all(srv, path, params):
    """follow next_page; returns list of buckets"""
    buckets, page, seen = [], None, 0
    while True:
        p = list(params) + ([("page", page)] if page else [])
        st, _, body = srv.get(path, p)
        if st != 200:
            raise AssertionError("status %s for %s: %s" % (st, p, body))
        doc = json.loads(body, parse_float=Decimal)
        buckets.extend(doc["data"])
        seen += 1
        if not doc["has_more"]:
            assert doc["next_page"] is None
            return buckets, seen
        page = doc["next_page"]
        assert isinstance(page, str) and page.startswith("page_")


def aggregate(buckets, costs, group_by, per=None, records=False):
    rows = {}
    order_metrics = ["amount", "quantity"] if costs else COMPLETION_METRICS
    li = costs and "line_item" in group_by

    def row_for(prefix):
        if prefix not in rows:
            rows[prefix] = {"m": [Decimal(0)] * len(order_metrics), "unit": None}
        return rows[prefix]

    if not group_by and not records:
        if per is None:
            row_for(())
        else:
            for b in buckets:
                row_for((rfc3339(period_start(per, b["start_time"])),))
    for b in buckets:
        for r in b["results"]:
            if records:
                prefix = (rfc3339(b["start_time"]), rfc3339(b["end_time"]))
            elif per:
                prefix = (rfc3339(period_start(per, b["start_time"])),)
            else:
                prefix = ()
            prefix += tuple(csv_field(r[g]) for g in group_by)
            row = row_for(prefix)
            if costs:
                row["m"][0] += Decimal(str(r["amount"]["value"]))
                if li:
                    row["m"][1] += Decimal(str(r["quantity"]))
                    row["unit"] = r["quantity_unit"]
            else:
                for i, k in enumerate(COMPLETION_METRICS):
                    row["m"][i] += r[k]
    lines = []
    for prefix, row in rows.items():
        if costs:
            vals = [dec_str(row["m"][0]), "usd",
                    dec_str(row["m"][1]) if li else "",
                    (row["unit"] or "") if li else ""]
        else:
            vals = [str(int(v)) for v in row["m"]]
        lines.append(",".join(list(prefix) + vals))
    head = (["start_time", "end_time"] if records else
            ["period_start"] if per else []) + list(group_by) + (
        ["amount", "currency", "quantity", "quantity_unit"] if costs
        else COMPLETION_METRICS)
    return "\r\n".join([",".join(head)] + sorted(lines, key=lambda s: s.encode())) + "\r\n"


def truth(ep, start, end, width, group_by, per, records, filters):
    cmd = [BIN, "truth", ep, "--start-time", str(start), "--now", str(NOW)]
    if end is not None:
        cmd += ["--end-time", str(end)]
    if width:
        cmd += ["--bucket-width", width]
    if group_by:
        cmd += ["--group-by", ",".join(group_by)]
    if per:
        cmd += ["--per", per]
    if records:
        cmd.append("--records")
    for k, v in filters.items():
        flag = "--" + k.replace("_", "-")
        cmd += [flag, v if isinstance(v, str) else ",".join(v)]
    return subprocess.run(cmd, check=True, capture_output=True).stdout.decode()


def encode_array(name, values, style):
    if style == "brackets":
        return [(name + "[]", v) for v in values]
    if style == "repeat":
        return [(name, v) for v in values]
    return [(name, ",".join(values))]


def compare(srv, ep, start, end=None, width=None, limit=None, group_by=(),
            per=None, records=False, filters=None, style="brackets"):
    filters = filters or {}
    params = [("start_time", start)]
    if end is not None:
        params.append(("end_time", end))
    if width:
        params.append(("bucket_width", width))
    if limit:
        params.append(("limit", limit))
    for k, v in filters.items():
        params += [(k, v)] if isinstance(v, str) else encode_array(k, v, style)
    if group_by:
        params += encode_array("group_by", list(group_by), style)
    path = "/v1/organization/" + ("costs" if ep == "costs" else "usage/completions")
    buckets, npages = fetch_all(srv, path, params)
    got = aggregate(buckets, ep == "costs", list(group_by), per, records)
    want = truth(ep, start, end, width, list(group_by), per, records, filters)
    label = "%s start=%s end=%s width=%s group=%s per=%s records=%s filters=%s style=%s" % (
        ep, start, end, width, ",".join(group_by), per, records, filters, style)
    check(got == want, "pages != truth: " + label)
    if got != want:
        gl, wl = got.splitlines(), want.splitlines()
        for a, b in zip(gl, wl):
            if a != b:
                print("  pages:", a, "\n  truth:", b)
                break
        print("  lines: pages %d truth %d" % (len(gl), len(wl)))
    else:
        print("ok  %-4d rows %3d pages  %s" % (len(want.splitlines()) - 1, npages, label))
    return buckets


# ---- test groups -------------------------------------------------------------------

def dataset_ids(srv):
    st, _, body = srv.get("/v1/organization/projects", [("include_archived", "true")])
    projects = [p["id"] for p in json.loads(body)["data"]]
    st, _, body = srv.get("/v1/organization/users", [("limit", 100)])
    users = [u["id"] for u in json.loads(body)["data"]]
    st, _, body = srv.get("/v1/organization/projects/%s/api_keys" % projects[0])
    keys = [k["id"] for k in json.loads(body)["data"]]
    return projects, users, keys


def test_sums(srv):
    s = 1736616663                       # 2025-01-11T17:31:03Z
    projects, users, keys = dataset_ids(srv)
    compare(srv, "completions", s, group_by=["model"], limit=3, style="brackets")
    compare(srv, "completions", s, group_by=["model", "batch"], per="day", limit=2, style="repeat")
    compare(srv, "completions", s, group_by=["project_id", "user_id"], style="comma")
    compare(srv, "completions", s, per="day")
    compare(srv, "completions", s)
    compare(srv, "completions", s, records=True, group_by=["service_tier"])
    compare(srv, "completions", s, end=s + 2 * 86400, width="1h", limit=24,
            group_by=["user_id", "api_key_id"], per="bucket", style="repeat")
    compare(srv, "completions", s, end=s + 86400 + 1234, width="1h", limit=50,
            records=True, group_by=["project_id", "model", "batch", "service_tier"])
    compare(srv, "completions", s + 3600 * 5, end=s + 3600 * 8, width="1m", limit=60,
            group_by=["api_key_id", "service_tier"], style="repeat")
    compare(srv, "completions", s + 3600 * 5, end=s + 3600 * 6 + 17, width="1m", limit=1440,
            records=True, group_by=["model"], style="comma")
    compare(srv, "completions", s + 3600 * 5, end=s + 3600 * 7, width="1m", per="bucket")
    compare(srv, "completions", 1733000000, width="1d", limit=31, per="week",
            group_by=["model"])
    compare(srv, "completions", 1733000000, width="1d", limit=31, per="month")
    compare(srv, "completions", s, group_by=["user_id"],
            filters={"user_ids": users[:3]}, style="brackets")
    compare(srv, "completions", s, group_by=["project_id", "batch"],
            filters={"project_ids": projects[:2], "batch": "true"}, style="comma")
    compare(srv, "completions", s, per="day", group_by=["model"],
            filters={"models": ["gpt-4o-mini-2024-07-18", "gpt-5-2025-08-07"],
                     "batch": "false"}, style="repeat")
    compare(srv, "completions", s, records=True, group_by=["api_key_id"],
            filters={"api_key_ids": keys}, style="brackets")
    # window before the data starts / entirely in the future
    compare(srv, "completions", 1700000000, end=1700100000)
    compare(srv, "completions", NOW + 100)
    compare(srv, "completions", NOW + 100, per="day")
    # costs
    compare(srv, "costs", s, group_by=["line_item", "project_id"], limit=3, style="repeat")
    compare(srv, "costs", s, group_by=["line_item"], per="day", style="comma")
    compare(srv, "costs", s, per="day")
    compare(srv, "costs", s)
    compare(srv, "costs", s, records=True, group_by=["project_id", "api_key_id", "line_item"])
    compare(srv, "costs", 1727000000, end=1736000000, limit=180, per="month",
            group_by=["project_id"])
    compare(srv, "costs", 1727000000, end=1736000000, limit=30, per="week")
    compare(srv, "costs", s, group_by=["api_key_id"], filters={"api_key_ids": keys},
            style="brackets")
    compare(srv, "costs", s, records=True, group_by=["line_item"],
            filters={"project_ids": projects[1:3]}, style="repeat")


def page_json(srv, path, params):
    st, hdr, body = srv.get(path, params)
    return st, hdr, json.loads(body, parse_float=Decimal) if body else None


def test_shapes(srv):
    s = 1736616663
    st, hdr, doc = page_json(srv, "/v1/organization/usage/completions",
                             [("start_time", s), ("limit", 2)])
    check(st == 200 and hdr.get("Content-Type") == "application/json", "200 json")
    check(doc["data"][0]["start_time"] == 1736616660 and
          doc["data"][0]["end_time"] == 1736640000, "partial first usage bucket")
    check(doc["data"][1]["start_time"] == 1736640000 and
          doc["data"][1]["end_time"] == 1736726400, "aligned second bucket")
    r = doc["data"][0]["results"][0]
    check(list(r.keys()) == ["object"] + COMPLETION_METRICS +
          ["project_id", "user_id", "api_key_id", "model", "batch", "service_tier"],
          "completions result fields")
    check(all(r[k] is None for k in ["project_id", "user_id", "api_key_id", "model",
                                     "batch", "service_tier"]), "explicit nulls")
    check(r["input_tokens"] == r["input_uncached_tokens"] + r["input_cached_tokens"]
          + r["input_cache_write_tokens"], "input_tokens identity")
    check(doc["has_more"] is True and doc["next_page"].startswith("page_"), "has_more")
    # last bucket truncated at now
    st, _, doc = page_json(srv, "/v1/organization/usage/completions",
                           [("start_time", NOW - 3600), ("bucket_width", "1h"), ("limit", 5)])
    check(doc["data"][-1]["end_time"] == NOW and doc["has_more"] is False
          and doc["next_page"] is None, "last bucket truncated at now")
    # empty buckets are present
    st, _, doc = page_json(srv, "/v1/organization/usage/completions",
                           [("start_time", 1703980800), ("end_time", 1704153600)])
    check([len(b["results"]) for b in doc["data"]][0] == 0 and len(doc["data"]) == 2,
          "dense buckets with empty results before 2024")
    # start (floored to the minute) >= now: empty page
    st, _, doc = page_json(srv, "/v1/organization/usage/completions",
                           [("start_time", NOW + 100)])
    check(doc == {"object": "page", "data": [], "has_more": False, "next_page": None},
          "empty page")
    # costs: day-floored, grouped line_item has quantity, string amounts appear
    st, _, doc = page_json(srv, "/v1/organization/costs",
                           [("start_time", s), ("group_by[]", "line_item"), ("limit", 7)])
    check(doc["data"][0]["start_time"] == 1736553600, "costs first bucket floored to day")
    res = [r for b in doc["data"] for r in b["results"]]
    check(all(r["quantity"] is not None for r in res), "quantity when grouped by line_item")
    check(any(r["quantity_unit"] is None for r in res) and
          any(r["quantity_unit"] == "tokens" for r in res), "quantity_unit values")
    kinds = {type(r["amount"]["value"]).__name__ for r in res}
    check(kinds == {"str", "Decimal"}, "mixed amounts: %s" % kinds)
    st, _, body = srv.get("/v1/organization/costs",
                          [("start_time", s), ("group_by", "line_item,project_id,api_key_id"),
                           ("limit", 7)])
    check(b"e-0" in body, "tiny amounts use exponent form")
    st, _, doc = page_json(srv, "/v1/organization/costs", [("start_time", s)])
    r = doc["data"][1]["results"][0]
    check(r["quantity"] is None and r["quantity_unit"] is None and r["line_item"] is None,
          "ungrouped costs nulls")
    # cursor bound to the query
    st, _, doc = page_json(srv, "/v1/organization/usage/completions",
                           [("start_time", s), ("limit", 1)])
    cur = doc["next_page"]
    st, _, _ = srv.get("/v1/organization/usage/completions",
                       [("start_time", s), ("limit", 2), ("page", cur)])
    check(st == 400, "cursor for another query -> 400")
    st, _, _ = srv.get("/v1/organization/usage/completions",
                       [("start_time", s), ("limit", 1), ("page", cur)])
    check(st == 200, "same query + cursor -> 200")
    st, _, _ = srv.get("/v1/organization/usage/completions",
                       [("start_time", s), ("limit", 1), ("page", "page_garbage!")])
    check(st == 400, "malformed cursor -> 400")
    # encodings are equivalent, cursor works across encodings
    bodies = []
    for q in ["group_by%5B%5D=model&group_by%5B%5D=project_id",
              "group_by=model&group_by=project_id", "group_by=model%2Cproject_id",
              "group_by=model,project_id", "group_by[]=model&group_by=project_id"]:
        st, _, body = srv.get("/v1/organization/usage/completions",
                              raw_query="start_time=%d&limit=2&" % s + q)
        bodies.append(body)
    check(len(set(bodies)) == 1 and bodies[0] and b'"project_id":"proj_' in bodies[0],
          "all array encodings give the same page")


def test_errors(srv):
    U = "/v1/organization/usage/completions"
    C = "/v1/organization/costs"
    s = 1736616663

    def err(path, params, status, param, key=ADMIN, method="GET"):
        st, hdr, body = srv.get(path, params, key=key, method=method)
        doc = json.loads(body) if body else {}
        e = doc.get("error", {})
        ok = (st == status and set(e) == {"message", "type", "param", "code"}
              and e.get("param") == param and hdr.get("Content-Type") == "application/json")
        check(ok, "expected %s param=%s for %s %s: got %s %s" % (status, param, path, params, st, body))
        return e

    err(U, [], 400, "start_time")
    err(U, [("start_time", "abc")], 400, "start_time")
    err(U, [("start_time", s), ("end_time", "x")], 400, "end_time")
    err(U, [("start_time", s), ("end_time", s)], 400, "end_time")
    err(U, [("start_time", s), ("bucket_width", "2d")], 400, "bucket_width")
    err(C, [("start_time", s), ("bucket_width", "1h")], 400, "bucket_width")
    err(U, [("start_time", s), ("limit", 32)], 400, "limit")
    err(U, [("start_time", s), ("bucket_width", "1h"), ("limit", 169)], 400, "limit")
    err(U, [("start_time", s), ("bucket_width", "1m"), ("limit", 1441)], 400, "limit")
    err(U, [("start_time", s), ("limit", 0)], 400, "limit")
    err(C, [("start_time", s), ("limit", 181)], 400, "limit")
    err(U, [("start_time", s), ("group_by", "line_item")], 400, "group_by")
    err(C, [("start_time", s), ("group_by[]", "model")], 400, "group_by")
    err(C, [("start_time", s), ("models", "gpt-4o-2024-08-06")], 400, "models")
    err(C, [("start_time", s), ("user_ids[]", "user-x")], 400, "user_ids")
    err(U, [("start_time", s), ("batch", "yes")], 400, "batch")
    st, _, _ = srv.get(U, [("start_time", s), ("bucket_width", "1m"), ("limit", 1440),
                           ("unknown_param", "1")])
    check(st == 200, "unknown params ignored, max limit ok")
    e = err(U, [("start_time", s)], 401, None, key=None)
    check(e["code"] == "invalid_api_key", "missing key code")
    secret = "sk-wrong-supersecretvalue1234"
    e = err(U, [("start_time", s)], 401, None, key=secret)
    check("supersecret" not in e["message"] and "sk-...1234" in e["message"],
          "401 message redacts key: %s" % e["message"])
    e = err(U, [("start_time", s)], 403, None, key="sk-proj-abcdefghijklmnop")
    check(e["message"] == "You have insufficient permissions for this operation. "
          "Missing scopes: api.usage.read.", "403 message")
    err("/v1/organization/usage/embeddings", [("start_time", s)], 404, None)
    err("/v1/nothing", [], 404, None)
    err(U, [("start_time", s)], 405, None, method="POST")
    err("/v1/organization/projects/proj_doesnotexist/api_keys", [], 404, None)
    err("/v1/organization/projects", [("limit", 101)], 400, "limit")


def test_lists(srv, org):
    st, _, body = srv.get("/v1/organization/projects")
    doc = json.loads(body)
    check(doc["object"] == "list" and set(doc) == {"object", "data", "first_id",
                                                   "last_id", "has_more"}, "list envelope")
    active = doc["data"]
    st, _, body = srv.get("/v1/organization/projects",
                          [("include_archived", "true"), ("limit", 100)])
    allp = json.loads(body)["data"]
    if org == "small":
        check(len(active) == 4 and len(allp) == 5, "small: 5 projects, 1 archived")
    check(any(p["status"] == "archived" and p["archived_at"] for p in allp), "archived project")
    p = allp[0]
    check(set(p) == {"id", "object", "name", "created_at", "archived_at", "status",
                     "external_key_id"} and p["object"] == "organization.project", "project fields")
    # pagination with after
    ids, after = [], None
    while True:
        st, _, body = srv.get("/v1/organization/users",
                              [("limit", 3)] + ([("after", after)] if after else []))
        d = json.loads(body)
        ids += [u["id"] for u in d["data"]]
        if not d["has_more"]:
            break
        after = d["last_id"]
    check(len(ids) == len(set(ids)) and len(ids) == (8 if org == "small" else 200),
          "users paginated: %d" % len(ids))
    st, _, body = srv.get("/v1/organization/users", [("limit", 100)])
    users = json.loads(body)["data"]
    u = users[0]
    check(set(u) == {"object", "id", "name", "email", "role", "added_at"}, "user fields")
    emails = [users[1]["email"], users[2]["email"]]
    for q in [[("emails[]", emails[0]), ("emails[]", emails[1])],
              [("emails", ",".join(emails))], [("emails", emails[0]), ("emails", emails[1])]]:
        st, _, body = srv.get("/v1/organization/users", q)
        check(sorted(x["email"] for x in json.loads(body)["data"]) == sorted(emails),
              "emails filter %s" % q)
    nkeys = 0
    for p in allp:
        st, _, body = srv.get("/v1/organization/projects/%s/api_keys" % p["id"])
        d = json.loads(body)
        check(st == 200 and d["object"] == "list", "api_keys list")
        for k in d["data"]:
            check(set(k) == {"object", "redacted_value", "name", "created_at",
                             "last_used_at", "id", "owner_project_access", "owner"}
                  and k["owner"]["type"] == "user" and k["id"].startswith("key_"),
                  "api key fields")
        nkeys += len(d["data"])
    if org == "small":
        check(nkeys == 12, "small: 12 listed keys")
    # the deleted project's key shows up in usage but in no list
    st, _, body = srv.get("/v1/organization/usage/completions",
                          [("start_time", 1736000000), ("limit", 31), ("group_by", "api_key_id,project_id")])
    used = {r["api_key_id"] for b in json.loads(body)["data"] for r in b["results"]}
    listed = set()
    for p in allp:
        st, _, body = srv.get("/v1/organization/projects/%s/api_keys" % p["id"], [("limit", 100)])
        listed |= {k["id"] for k in json.loads(body)["data"]}
    check(len(used - listed) == 1, "exactly one unlisted (deleted-project) key in usage")
    st, _, body = srv.get("/v1/organization/usage/completions",
                          [("start_time", 1736000000), ("limit", 31), ("group_by", "user_id")])
    check(any(r["user_id"] is None for b in json.loads(body)["data"] for r in b["results"]),
          "null user_id group appears")


FAULT_PLAN = [
    # (spec, check function name)
    ("1:429", "429"), ("2:429:7", "429_7"), ("3:500", "500"), ("4:502", "502"),
    ("5:503", "503"), ("6:503:4", "503_4"), ("7:drop", "drop"), ("8:truncate", "truncate"),
    ("9:malformed", "malformed"), ("10:notjson", "notjson"), ("11:wrongtype", "wrongtype"),
    ("12:nodata", "nodata"), ("13:repeatcursor", "repeatcursor"),
    ("14:repeatcursor", "repeatcursor2"), ("15:hasmore-nocursor", "hasmore_nocursor"),
    ("16:delay:400", "delay"), ("17:400", "400"), ("18:401", "401"), ("19:403", "403"),
    ("20:wrongtype", "wrongtype_costs"), ("22+:503:2", "503_2"),
]


def test_faults():
    args = []
    for spec, _ in FAULT_PLAN:
        args += ["--fault", spec]
    srv = Server("--now", str(NOW), *args)
    U = "/v1/organization/usage/completions"
    P = [("start_time", 1736616663), ("limit", 2)]

    def g(path=U, params=P):
        return srv.get(path, params)

    st, h, b = g()
    check(st == 429 and h.get("Retry-After") == "1" and json.loads(b)["error"]["code"]
          == "rate_limit_exceeded", "fault 429")
    st, h, b = g()
    check(st == 429 and h.get("Retry-After") == "7", "fault 429:7")
    st, h, b = g()
    check(st == 500 and "error" in json.loads(b), "fault 500")
    st, h, b = g()
    check(st == 502, "fault 502")
    st, h, b = g()
    check(st == 503 and "Retry-After" not in h, "fault 503")
    st, h, b = g()
    check(st == 503 and h.get("Retry-After") == "4", "fault 503:4")
    st, h, b = g()
    check(st is None and b is None, "fault drop")
    st, h, b = g()
    check(st == 200 and isinstance(b, tuple) and b[0] == "INCOMPLETE"
          and 0 < len(b[1]) < int(h["Content-Length"]), "fault truncate")
    st, h, b = g()
    ok = st == 200 and int(h["Content-Length"]) == len(b)
    try:
        json.loads(b)
        ok = False
    except ValueError:
        pass
    check(ok, "fault malformed")
    st, h, b = g()
    check(st == 200 and h["Content-Type"].startswith("text/html") and b.startswith(b"<html"),
          "fault notjson")
    st, h, b = g()
    doc = json.loads(b)
    vals = [r["input_tokens"] for bk in doc["data"] for r in bk["results"]]
    check(st == 200 and vals.count("abc") == 1, "fault wrongtype")
    st, h, b = g()
    check(json.loads(b) == {"object": "page", "has_more": False, "next_page": None},
          "fault nodata")
    st, h, b = g()
    doc = json.loads(b)
    first_cursor = doc["next_page"]
    check(doc["has_more"] is True and first_cursor.startswith("page_"), "fault repeatcursor (first page)")
    # request 14: the first-page cursor it returned refers to itself
    st, h, b = srv.get(U, P + [("page", first_cursor)])
    doc = json.loads(b)
    check(st == 200 and doc["next_page"] == first_cursor and doc["has_more"] is True,
          "fault repeatcursor (echoes page param)")
    st, h, b = g()
    doc = json.loads(b)
    check(doc["has_more"] is True and doc["next_page"] is None and doc["data"],
          "fault hasmore-nocursor")
    t0 = time.time()
    st, h, b = g()
    check(st == 200 and time.time() - t0 >= 0.39, "fault delay")
    st, h, b = g()
    check(st == 400, "fault 400")
    st, h, b = g()
    check(st == 401, "fault 401")
    st, h, b = g()
    check(st == 403, "fault 403")
    st, h, b = g("/v1/organization/costs", [("start_time", 1736616663)])
    doc = json.loads(b)
    vals = [r["amount"]["value"] for bk in doc["data"] for r in bk["results"]]
    check(vals.count("abc") == 1, "fault wrongtype costs")
    st, h, b = g()
    check(st == 200, "request 21 normal")
    for _ in range(3):
        st, h, b = g()
        check(st == 503 and h.get("Retry-After") == "2", "fault 22+")
    srv.stop()
    lines = srv.log_lines()
    check(len(lines) == 24, "log has one line per request (%d)" % len(lines))
    check(lines[0] == "1 GET /v1/organization/usage/completions?start_time=1736616663&limit=2 -> 429",
          "log line format: %r" % lines[0])
    check(lines[6].endswith("-> drop") and lines[7].endswith("-> 200"), "log drop/truncate")


def test_log_raw_query():
    srv = Server("--now", str(NOW))
    raw = "start_time=1736616663&group_by%5B%5D=model&group_by=batch&limit=1&x=%20y"
    srv.get("/v1/organization/usage/completions", raw_query=raw)
    srv.get("/v1/organization/projects", key="sk-proj-nope-nope-nope")
    srv.stop()
    lines = srv.log_lines()
    check(lines == ["1 GET /v1/organization/usage/completions?" + raw + " -> 200",
                    "2 GET /v1/organization/projects -> 403"], "raw log: %r" % lines)


def test_concurrency_latency():
    import threading
    srv = Server("--now", str(NOW), "--fault", "1:delay:1500", "--latency", "100")
    out = {}

    def slow():
        out["slow"] = srv.get("/v1/organization/projects")[0]

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.3)                     # request 1 is now sleeping
    t0 = time.time()
    st = srv.get("/v1/organization/users")[0]
    fast = time.time() - t0
    t.join()
    check(st == 200 and out.get("slow") == 200 and 0.1 <= fast < 1.0,
          "slow response does not block others (%.2fs)" % fast)
    # SIGINT is a clean shutdown too
    srv.proc.send_signal(signal.SIGINT)
    check(srv.proc.wait(timeout=60) == 0, "SIGINT exit status")


def main():
    srv = Server("--now", str(NOW), "--seed", "42")
    test_sums(srv)
    test_shapes(srv)
    test_errors(srv)
    test_lists(srv, "small")
    srv.stop()
    srv = Server("--now", str(NOW), "--amounts", "string", "--key", "sk-admin-only")
    st, _, body = srv.get("/v1/organization/costs", [("start_time", 1736616663)], key="sk-admin-only")
    vals = [r["amount"]["value"] for b in json.loads(body)["data"] for r in b["results"]]
    check(vals and all(isinstance(v, str) and len(v.split(".")[1]) >= 2 for v in vals),
          "--amounts string")
    st, _, _ = srv.get("/v1/organization/costs", [("start_time", 1736616663)], key="sk-admin-other")
    check(st == 401, "--key restricts admin keys")
    srv.stop()
    srv = Server("--now", str(NOW), "--amounts", "number", "--org", "large", "--seed", "7")
    st, _, body = srv.get("/v1/organization/costs", [("start_time", 1736616663), ("group_by", "line_item")])
    check(b'"value":"' not in body, "--amounts number")
    test_lists(srv, "large")
    s = 1736616663
    compare_large = [
        dict(ep="completions", start=s, group_by=["project_id", "model"], limit=7),
        dict(ep="costs", start=s, group_by=["line_item"], per="day"),
    ]
    for c in compare_large:
        ep = c.pop("ep")
        start = c.pop("start")
        # truth needs --seed/--org for the large org: run it by hand
        params = [("start_time", start), ("limit", c.get("limit", 7))]
        params += [("group_by[]", g) for g in c["group_by"]]
        path = "/v1/organization/" + ("costs" if ep == "costs" else "usage/completions")
        buckets, _ = fetch_all(srv, path, params)
        got = aggregate(buckets, ep == "costs", c["group_by"], c.get("per"))
        cmd = [BIN, "truth", ep, "--start-time", str(start), "--now", str(NOW), "--seed", "7",
               "--org", "large", "--group-by", ",".join(c["group_by"])]
        if c.get("per"):
            cmd += ["--per", c["per"]]
        want = subprocess.run(cmd, check=True, capture_output=True).stdout.decode()
        check(got == want, "large org pages == truth (%s)" % ep)
        print("ok  large org %s rows %d" % (ep, len(want.splitlines()) - 1))
    srv.stop()
    test_faults()
    test_log_raw_query()
    test_concurrency_latency()
    print("%d passed, %d failed" % (PASSED, FAILED))
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
