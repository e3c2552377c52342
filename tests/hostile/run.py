#!/usr/bin/env python3
"""Hostile-server tests for oaiusage: it leaks nothing and lies about nothing.

Usage: run.py PATH/TO/oaiusage        (OAIUSAGE_VALGRIND=1: under memcheck)

A tiny HTTP server on a free loopback port answers each request of the
current case from canned responses (by path, in order; raw body bytes, so
invalid UTF-8, NULs and control bytes can be sent). Every case runs the real
binary against it, twice: as given and once more with -v. For every run:

  * no 8-character piece of the admin key's secret part appears in stdout,
    stderr or any file the run leaves, compared case-insensitively and after
    deleting zero-width and format characters (also after undoing XML
    character references and JSON \\u escapes);
  * stdout and stderr are valid UTF-8, and the key was really sent (in the
    Authorization header, so "nothing leaked" is not vacuous);
  * a failure: the documented exit code, nothing on stdout, exactly one line
    on stderr starting "oaiusage: error: " (without -v), and the pre-existing
    -o file byte-for-byte untouched with nothing left beside it;
  * a success: exit 0, the numbers computed here from the crafted responses,
    and every SVG or HTML file well-formed (xmllint --noout).

Standard library only. Prints one line per case and "N passed, N failed";
exits non-zero on any failure.
"""

import csv
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional
from urllib.parse import parse_qs, urlsplit

# ---------------------------------------------------------------------------
# The key and the leak check
# ---------------------------------------------------------------------------

KEY = "sk-admin-Q7fZk2LmN9xRb4TcW8vYp3HdJ6sGa1UeK5oMi0Ey"
SECRET = KEY[len("sk-admin-"):]
FRAGMENTS = sorted({SECRET[i:i + 8].lower() for i in range(len(SECRET) - 7)})

# Zero-width and format characters a leak could hide behind.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\u00ad]")
JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def leaked_fragment(data: bytes) -> Optional[str]:
    """The first piece of the secret found in data, or None."""
    text = data.decode("utf-8", errors="replace")
    views = (text, html.unescape(text),
             JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))
    for view in views:
        flat = INVISIBLE.sub("", view).lower()
        for frag in FRAGMENTS:
            if frag in flat:
                return frag
    return None


# ---------------------------------------------------------------------------
# The hostile server
# ---------------------------------------------------------------------------

@dataclass
class Resp:
    """One canned response: the body is sent exactly as these bytes."""
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)


@dataclass
class Request:
    path: str
    query: dict
    authorization: Optional[str]


class HostileServer:
    """Answers each request from the current case's responses: per path, in
    order. A request with nothing left to answer is recorded (and fails the
    case) and gets a 404."""

    def __init__(self):
        self.lock = threading.Lock()
        self.routes: dict = {}
        self.requests: list = []
        self.unexpected: list = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.hostile = self
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return "http://127.0.0.1:%d/v1" % self.httpd.server_address[1]

    def load(self, responses: dict):
        with self.lock:
            self.routes = {p: list(rs) for p, rs in responses.items()}
            self.requests = []
            self.unexpected = []

    def take(self, path: str, query: str, authorization) -> Resp:
        with self.lock:
            self.requests.append(Request(path, parse_qs(query), authorization))
            queue = self.routes.get(path)
            if queue:
                return queue.pop(0)
            self.unexpected.append(path + ("?" + query if query else ""))
            return Resp(404, b'{"error":{"message":"no canned response"}}')

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (the http.server API)
        url = urlsplit(self.path)
        resp = self.server.hostile.take(url.path, url.query,
                                        self.headers.get("Authorization"))
        self.send_response(resp.status)
        headers = {"Content-Type": "application/json"}
        headers.update(resp.headers)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        self.wfile.write(resp.body)

    def log_message(self, *args):
        pass


# ---------------------------------------------------------------------------
# Building responses
# ---------------------------------------------------------------------------

DAY = 86400
HOUR = 3600
JAN1 = 1735689600  # 2025-01-01T00:00:00Z
W2 = ["--since", "2025-01-01", "--until", "2025-01-03"]  # two days

COMPLETIONS = "/v1/organization/usage/completions"
VECTOR_STORES = "/v1/organization/usage/vector_stores"
COSTS = "/v1/organization/costs"
PROJECTS = "/v1/organization/projects"

COMPLETION_METRICS = [
    "input_tokens", "input_cached_tokens", "input_cache_write_tokens",
    "input_cache_write_12h_tokens",
    "input_uncached_tokens", "output_tokens", "input_text_tokens",
    "output_text_tokens", "input_cached_text_tokens", "input_audio_tokens",
    "input_cached_audio_tokens", "output_audio_tokens", "input_image_tokens",
    "input_cached_image_tokens", "output_image_tokens", "num_model_requests"]

# Markers replaced in the encoded body: raw bytes, and number literals
# written exactly as given (num("3.5e-05") becomes 3.5e-05, unquoted).
NUL = "@NUL@"
ESC = "@ESC@"
_RAW = {NUL.encode(): b"\x00", ESC.encode(): b"\x1b"}
_NUM = re.compile(rb'"@num:([^"@]+)@"')


def num(literal: str) -> str:
    return "@num:%s@" % literal


def encode(obj) -> bytes:
    """JSON text as UTF-8 (non-ASCII raw), with the markers applied."""
    data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    for marker, raw in _RAW.items():
        data = data.replace(marker, raw)
    return _NUM.sub(lambda m: m.group(1), data)


def ok(obj) -> Resp:
    return Resp(200, encode(obj))


def api_error(status: int, message: str) -> Resp:
    return Resp(status, encode({"error": {
        "message": message, "type": "invalid_request_error",
        "param": None, "code": None}}))


def page(buckets, has_more=False, next_page=None, obj="page") -> dict:
    return {"object": obj, "data": buckets, "has_more": has_more,
            "next_page": next_page}


def bucket(start: int, end: int, results) -> dict:
    return {"object": "bucket", "start_time": start, "end_time": end,
            "results": results}


def days(*per_day) -> list:
    """Daily buckets from 2025-01-01, one per list of results."""
    return [bucket(JAN1 + i * DAY, JAN1 + (i + 1) * DAY, r)
            for i, r in enumerate(per_day)]


def hours(*per_hour) -> list:
    """The 48 hourly buckets of W2 (a report's window of one or two days
    is fetched hourly), the first ones holding the given results."""
    return [bucket(JAN1 + i * HOUR, JAN1 + (i + 1) * HOUR,
                   per_hour[i] if i < len(per_hour) else [])
            for i in range(48)]


def comp(model=None, project_id=None, obj="organization.usage.completions.result",
         **metrics) -> dict:
    result = {"object": obj}
    for m in COMPLETION_METRICS:
        result[m] = metrics.pop(m, 0)
    result.update({"project_id": project_id, "user_id": None,
                   "api_key_id": None, "model": model, "batch": None,
                   "service_tier": None})
    result.update(metrics)  # extra (hostile) members
    return result


def cost(value, currency="usd", line_item=None, project_id=None) -> dict:
    return {"object": "organization.costs.result",
            "amount": {"value": value, "currency": currency},
            "line_item": line_item, "project_id": project_id,
            "api_key_id": None, "quantity": None, "quantity_unit": None}


def vstore(usage_bytes: int, project_id=None) -> dict:
    return {"object": "organization.usage.vector_stores.result",
            "usage_bytes": usage_bytes, "project_id": project_id}


def plain_completions(hourly=False) -> Resp:
    """A complete, harmless two-day completions page (hourly: in 1h
    buckets, as a report of two days asks)."""
    return ok(page((hours if hourly else days)([comp("gpt-4o", input_tokens=10, output_tokens=5,
                              num_model_requests=1)],
                        [comp("gpt-4o", input_tokens=20, output_tokens=7,
                              num_model_requests=2)])))


def plain_costs() -> Resp:
    return ok(page(days([cost(num("1.25"), line_item="gpt-4o, input")],
                        [cost(num("0.75"), line_item="gpt-4o, input")])))


# ---------------------------------------------------------------------------
# Reading outputs
# ---------------------------------------------------------------------------

def parse_csv(data: bytes) -> list:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def rfc3339(t: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def csv_cell(s: str) -> str:
    """RFC 4180: quoted when it holds a comma, a quote or a line break."""
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def xhtml(data: bytes) -> ET.Element:
    root = ET.fromstring(data)
    for el in root.iter():
        if isinstance(el.tag, str):
            el.tag = el.tag.rsplit("}", 1)[-1]
    return root


def table_after_heading(root: ET.Element, heading: str):
    """The rows (lists of cell texts) of the first table after an h2."""
    seen = False
    for el in root.iter():
        if el.tag == "h2" and "".join(el.itertext()).strip() == heading:
            seen = True
        elif seen and el.tag == "table":
            return [["".join(c.itertext()).strip() for c in tr
                     if c.tag in ("td", "th")] for tr in el.iter("tr")]
    return None


def decimal_in(text: str) -> Optional[Decimal]:
    m = re.search(r"-?[0-9][0-9,]*(\.[0-9]+)?", text)
    return Decimal(m.group(0).replace(",", "")) if m else None


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

@dataclass
class Run:
    rc: int
    out: bytes
    err: bytes
    files: dict          # name -> bytes, everything left in the case's dir
    requests: list
    verbose: bool

    @property
    def err_text(self) -> str:
        return self.err.decode("utf-8", errors="replace")


@dataclass
class Case:
    name: str
    args: list
    responses: dict                     # path -> [Resp, ...]
    exit: int = 0
    check: Optional[Callable] = None    # Run -> [problem, ...]
    output: Optional[str] = None        # success: -o into the case's dir
    stderr_re: Optional[str] = None     # failure: the error line matches
    retries0: bool = True               # add --retries 0


CASES: list = []


def case(*args, **kwargs):
    CASES.append(Case(*args, **kwargs))


# ---- checks shared by several cases ----------------------------------------

def byte_offset(marker: bytes, body: bytes) -> Callable:
    """The error names the byte offset of marker's first byte in body."""
    where = body.index(marker)

    def check(run: Run) -> list:
        offsets = [int(x) for x in re.findall(r"offset (\d+)", run.err_text)]
        if not offsets:
            return ["the error names no byte offset"]
        if offsets[-1] not in (where, where + 1):
            return ["the error names offset %d, the byte is at %d"
                    % (offsets[-1], where)]
        return []
    return check


def no_chars(chars: str, where: str = "out") -> Callable:
    def check(run: Run) -> list:
        text = (run.out if where == "out" else run.err).decode(
            "utf-8", errors="replace")
        found = sorted({"U+%04X" % ord(c) for c in text if c in chars})
        return ["%s holds %s" % (where, ", ".join(found))] if found else []
    return check


def all_of(*checks) -> Callable:
    def check(run: Run) -> list:
        return [p for c in checks for p in c(run)]
    return check


# ---- 1. key leaks ------------------------------------------------------------

def add_key_leak_cases():
    good_days = days([comp("gpt-4o", input_tokens=1)],
                     [comp("gpt-4o", input_tokens=2)])
    case("leak: page object is 'Bearer <key>'",
         ["completions"] + W2,
         {COMPLETIONS: [ok(page(good_days, obj="Bearer " + KEY))]}, exit=4)
    # An unknown result type is schema drift (2026-11 reference, section
    # 8): its known fields count and the type is named in a warning, so the
    # warning must name it without the key.
    case("leak: a result's object is the key",
         ["completions", "--format", "csv"] + W2,
         {COMPLETIONS: [ok(page(days([comp("gpt-4o", obj=KEY,
                                           input_tokens=5)],
                                     [comp("gpt-4o", input_tokens=7)])))]},
         exit=0,
         check=lambda run: ([] if "[key hidden]" in run.err_text
                            and "results of type" in run.err_text
                            else ["no scrubbed drift warning"])
         + ([] if run.out.decode().splitlines()[-1].startswith("12,")
            else ["the known fields were not counted: %r" % run.out]))
    case("leak: costs amount.value is the key as a string",
         ["costs"] + W2,
         {COSTS: [ok(page(days([cost(KEY)], [cost(num("1.5"))])))]}, exit=4)

    zwsp = KEY[:20] + "\u200b" + KEY[20:]
    formats = (KEY[:15] + "\u00ad" + KEY[15:30] + "\u2060" + KEY[30:40]
               + "\ufeff" + KEY[40:])
    messages = [
        ("the whole key",
         "Incorrect API key provided: %s. You can find your API key at "
         "https://platform.openai.com/account/api-keys." % KEY),
        ("the secret part alone", "Unknown credential %s for org" % SECRET),
        ("a 10-character fragment", "key ...%s... revoked" % SECRET[13:23]),
        ("the last 10 characters", "key ending in %s is revoked" % SECRET[-10:]),
        ("the key upper-cased", "bad key %s" % KEY.upper()),
        ("the key with U+200B inside", "bad key %s here" % zwsp),
        ("the key with U+00AD, U+2060, U+FEFF inside", "bad key %s" % formats),
        ("the key at the end of 600 characters",
         "x" * (600 - len(KEY)) + KEY),
        ("the key at the end of 600 characters, no spaces",
         "Invalid:" + "a" * (600 - 8 - len(KEY)) + KEY),
    ]
    for what, message in messages:
        case("leak: HTTP 400 message holds %s" % what,
             ["completions"] + W2,
             {COMPLETIONS: [api_error(400, message)]}, exit=1,
             stderr_re=r"400")

    # A cursor that is the key: followed, and logged only as length + hash.
    first = page(days([comp("gpt-4o", input_tokens=100, output_tokens=10,
                            num_model_requests=3)]),
                 has_more=True, next_page=KEY)
    second = page([bucket(JAN1 + DAY, JAN1 + 2 * DAY,
                          [comp("gpt-4o", input_tokens=23, output_tokens=4,
                                num_model_requests=1)])])

    def cursor_check(run: Run) -> list:
        problems = []
        rows = parse_csv(run.out) if run.rc == 0 else []
        if [(r["input_tokens"], r["output_tokens"], r["num_model_requests"])
                for r in rows] != [("123", "14", "4")]:
            problems.append("wrong totals: %r" % rows)
        pages = [r.query.get("page") for r in run.requests]
        if pages != [None, [KEY]]:
            problems.append("the cursor was not followed as sent: %r"
                            % [p and len(p[0]) for p in pages])
        if not re.search(r"page=[^\n&]*\b%d\b[^\n&]*\b[0-9a-f]{8}\b"
                         % len(KEY), run.err_text):
            problems.append("the -v log does not show the cursor as its "
                            "length (%d) and a hash" % len(KEY))
        return problems

    case("leak: next_page is the key (-v, two pages)",
         ["completions", "-v", "--format", "csv"] + W2,
         {COMPLETIONS: [ok(first), ok(second)]}, check=cursor_check)


# ---- 2. raw control bytes inside JSON ---------------------------------------

def add_control_byte_cases():
    def raw_case(name, body, marker):
        case("raw bytes: " + name, ["completions", "--group-by", "model"] + W2,
             {COMPLETIONS: [Resp(200, body)]}, exit=4,
             stderr_re=r"offset \d+", check=byte_offset(marker, body))

    body = encode(page(days([comp("gpt" + NUL + "A", input_tokens=1)],
                            [comp("gpt-4o", input_tokens=1)])))
    raw_case("NUL in a model name", body, b"\x00")

    body = encode(page(days([comp("gpt-4o", **{"input_tokens" + NUL + "junk": 5})],
                            [comp("gpt-4o")])))
    raw_case("NUL in a member name", body, b"\x00")

    body = encode(page(days([comp("gpt" + ESC + "[31mred", input_tokens=1)],
                            [comp("gpt-4o")])))
    raw_case("ESC in a string", body, b"\x1b")

    good = encode(page(days([comp("gpt-4o", input_tokens=1)],
                            [comp("gpt-4o", input_tokens=2)])))
    raw_case("0x0B between tokens", good.replace(b'"has_more": ', b'"has_more":\x0b', 1),
             b"\x0b")
    raw_case("0x0C between tokens", good.replace(b', "data"', b',\x0c"data"', 1),
             b"\x0c")
    raw_case("0x0C before the first member", b"{\x0c" + good[1:], b"\x0c")

    # Invalid UTF-8 in a string: a stray byte, an overlong "/", a surrogate.
    for what, bad in (("0xFF", b"\xff"), ("overlong C0 AF", b"\xc0\xaf"),
                      ("surrogate ED A0 80", b"\xed\xa0\x80"),
                      ("truncated E2 82", b"\xe2\x82")):
        body = encode(page(days([comp("gpt@BAD@x", input_tokens=1)],
                                [comp("gpt-4o")]))).replace(b"@BAD@", bad)
        raw_case("invalid UTF-8 (%s) in a model name" % what, body, bad)


# ---- 3. terminal escapes -----------------------------------------------------

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
C1 = "".join(chr(c) for c in range(0x80, 0xA0))
C0 = "".join(chr(c) for c in range(0x20) if c != 0x0A) + "\x7f"

HOSTILE_MODELS = {
    "csi\u009b31mred": 7000,
    "osc\u009d0;pwned\u009c": 6000,
    "bidi\u202eevil.exe": 5000,
    "iso\u2066fsi\u2069": 4000,
    "esc\u001b[2Jclear": 3000,
    "bell\u0007tab\tcr\rnl\n": 2000,
    "gpt-4o": 1000,
}


def hostile_model_page() -> Resp:
    """Each model on both days: input = n + n//10, output = n//100."""
    return ok(page(days(
        [comp(m, input_tokens=n, output_tokens=n // 100, num_model_requests=1)
         for m, n in HOSTILE_MODELS.items()],
        [comp(m, input_tokens=n // 10, num_model_requests=2)
         for m, n in HOSTILE_MODELS.items()])))


def expected_models() -> dict:
    return {m: (n + n // 10, n // 100, 3) for m, n in HOSTILE_MODELS.items()}


def table_numbers(run: Run) -> list:
    """Each table row whose line ends in numbers: its numbers, as ints
    (the title line above the header is not a row)."""
    rows = []
    lines = run.out.decode("utf-8", errors="replace").splitlines()
    if len(lines) > 1 and lines[1] == "" and " UTC" in lines[0]:
        lines = lines[2:]
    for line in lines:
        nums = re.findall(r"(?<![\w.])-?\d{1,3}(?:,\d{3})*(?![\w.])", line)
        if nums and not set(line) <= set("- "):
            rows.append((line, [int(x.replace(",", "")) for x in nums]))
    return rows


def model_table_check(run: Run) -> list:
    """Rows: input, cached input, output, requests (the headline columns)."""
    want = sorted((i, 0, o, r) for i, o, r in expected_models().values())
    total = tuple(map(sum, zip(*want)))
    got, got_total = [], None
    for line, nums in table_numbers(run):
        if len(nums) < 4:
            continue
        row = tuple(nums[-4:])
        if line.startswith("TOTAL"):
            got_total = row
        else:
            got.append(row)
    problems = []
    if sorted(got) != want:
        problems.append("table rows %r, wanted %r" % (sorted(got), want))
    if got_total != total:
        problems.append("TOTAL %r, wanted %r" % (got_total, total))
    return problems


def model_json_check(run: Run) -> list:
    doc = json.loads(run.out)
    got = {r["model"]: (r["input_tokens"], r["output_tokens"],
                        r["num_model_requests"]) for r in doc["data"]}
    want = expected_models()
    return [] if got == want else ["JSON rows %r, wanted %r" % (got, want)]


def add_terminal_cases():
    banned = C0 + C1 + BIDI
    case("terminal: C1/bidi/ESC model names in a table",
         ["completions", "--group-by", "model"] + W2,
         {COMPLETIONS: [hostile_model_page()]},
         check=all_of(no_chars(banned), model_table_check))
    case("terminal: C1/bidi/ESC model names with --chart",
         ["completions", "--group-by", "model", "--chart"] + W2,
         {COMPLETIONS: [hostile_model_page()]},
         check=no_chars(banned))
    case("terminal: the same names in JSON are exact",
         ["completions", "--group-by", "model", "--format", "json"] + W2,
         {COMPLETIONS: [hostile_model_page()]}, check=model_json_check)
    case("terminal: an error message with ESC, CSI, OSC and U+202E",
         ["completions"] + W2,
         {COMPLETIONS: [api_error(400, "bad \u001b[31mred\u001b[0m \u009b2J "
                                       "\u009d0;title\u0007 \u202eevil "
                                       "\u2066x\u2069 \r\nsecond line")]},
         exit=1, stderr_re=r"bad",
         check=no_chars(C0 + C1 + BIDI, where="err"))


# ---- 4. SVG and HTML well-formed ---------------------------------------------

XML_HOSTILE = [
    "\u00e9" * 60,
    "\u6a21\u578b" * 40,
    "\u00e9" * 25 + "\U0001F600" * 20,
    "bad\ufffeone\uffff",
    "ctl\u0001\u0008\u001fx\u007f",
    "amp&<lt>\"q'",
    "]]>cdata",
    "\ud7ff\ue000\U0010FFFD",
    "",
]


def xml_page(group_project=False, hourly=False) -> Resp:
    results = []
    for i, m in enumerate(XML_HOSTILE):
        results.append(comp(m, project_id=("proj_" + m) if group_project else None,
                            input_tokens=1000 * (i + 1), output_tokens=i,
                            num_model_requests=i + 1))
    return ok(page((hours if hourly else days)(results, results)))


def xml_costs_page() -> Resp:
    return ok(page(days(
        [cost(num("0.%d" % (i + 1)), line_item=m, project_id="proj_" + m)
         for i, m in enumerate(XML_HOSTILE)],
        [cost(num("1.%d" % (i + 1)), currency="eur" if i % 2 else "usd",
              line_item=m, project_id="proj_" + m)
         for i, m in enumerate(XML_HOSTILE)])))


def add_xml_cases():
    for fmt_args, label in ((["--group-by", "model"], "bars"),
                            (["--group-by", "model", "--per", "day"], "stacked")):
        case("svg: long multibyte, U+FFFE/U+FFFF, controls (%s)" % label,
             ["completions", "--format", "svg"] + fmt_args + W2,
             {COMPLETIONS: [xml_page()]}, output="out.svg")
    case("svg: costs by hostile line items in two currencies",
         ["costs", "--group-by", "line_item", "--format", "svg"] + W2,
         {COSTS: [xml_costs_page()]}, output="costs.svg")
    case("html: report with hostile model, project and line item names",
         ["report"] + W2,
         {COMPLETIONS: [xml_page(group_project=True, hourly=True)],
          COSTS: [xml_costs_page()]},
         output="r.html")


# ---- 5. HTML money and int64 overflow ----------------------------------------

MONEY = [  # (day, line item, literal, currency)
    (0, "gpt-4o, input", "0.1", "usd"),
    (0, "gpt-4o, output", "0.2", "usd"),
    (0, "file search", "1.005", "eur"),
    (1, "gpt-4o, input", "12.345678901234567891", "usd"),
    (1, "file search", "3.5e-05", "eur"),
    (1, "gpt-4o, output", "\"0.30\"", "usd"),   # a numeric string
    (1, "credits", "-2.5", "usd"),
    (1, "storage", "1E+2", "eur"),
]


def money_value(literal: str) -> Decimal:
    return Decimal(literal.strip('"'))


def money_costs_page() -> Resp:
    per_day = [[], []]
    for d, item, literal, cur in MONEY:
        value = literal.strip('"') if literal.startswith('"') else num(literal)
        per_day[d].append(cost(value, currency=cur, line_item=item,
                               project_id="proj_a"))
    return ok(page(days(*per_day)))


def money_check(run: Run) -> list:
    rows = table_after_heading(xhtml(run.files["r.html"]), "Costs by line item")
    if rows is None:
        return ["no 'Costs by line item' table"]
    want_totals, want_items = {}, {}
    for _, item, literal, cur in MONEY:
        want_totals[cur] = want_totals.get(cur, 0) + money_value(literal)
        want_items[(item, cur)] = want_items.get((item, cur), 0) + money_value(literal)
    got_totals, got_items, problems = {}, {}, []
    for cells in rows:
        if len(cells) < 3 or cells[0] == "line item":
            continue
        amount, cur = decimal_in(cells[1]), cells[2]
        if cells[0] == "TOTAL":
            if cur in got_totals:
                problems.append("two TOTAL rows for %s" % cur)
            got_totals[cur] = amount
        else:
            got_items[(cells[0], cur)] = amount
    if got_totals != want_totals:
        problems.append("TOTAL rows %r, wanted %r" % (got_totals, want_totals))
    if got_items != want_items:
        problems.append("line items %r, wanted %r" % (got_items, want_items))
    return problems


BIG = num("9223372036854775000")


def floor_400(message: str) -> Resp:
    return Resp(400, encode({"error": {
        "message": message, "type": "invalid_request_error",
        "param": "start_time", "code": None}}))


def add_floor_cases():
    """The api_key_id floor (reference 2026-11, section 4) as a hostile
    server could state it: no start, a start outside the window, a start
    beyond any time, and a refusal repeated after the split. Each must fail
    cleanly (exit 1, one line), never loop or print partial data."""
    args = ["costs", "--group-by", "api_key_id"] + W2
    lead = ("group_by=api_key_id is not available for this time range. "
            "Try a start_time on or after ")
    case("floor: a refusal naming no start",
         args, {COSTS: [floor_400("group_by=api_key_id is not available "
                                  "for this time range.")]},
         exit=1, stderr_re=r"without naming a start time")
    case("floor: a start before the window",
         args, {COSTS: [floor_400(lead + "%d." % (JAN1 - DAY))]},
         exit=1, stderr_re=r"without naming a start time")
    case("floor: a start beyond any time",
         args, {COSTS: [floor_400(lead + "9" * 40 + ".")]},
         exit=1, stderr_re=r"without naming a start time")
    case("floor: refused again after the split",
         args, {COSTS: [floor_400(lead + "%d." % (JAN1 + DAY))] * 3},
         exit=1, stderr_re=r"HTTP 400")


def add_money_cases():
    case("html: costs TOTAL per currency, exact (usd, eur)",
         ["report"] + W2,
         {COMPLETIONS: [plain_completions(hourly=True)],
          COSTS: [money_costs_page()]},
         output="r.html", check=money_check)
    same_model = ok(page(days([comp("gpt-4o", "proj_a", input_tokens=BIG)],
                              [comp("gpt-4o", "proj_a", input_tokens=BIG)])))
    two_models = ok(page(days([comp("gpt-4o", "proj_a", input_tokens=BIG)],
                              [comp("o3", "proj_a", input_tokens=BIG)])))
    case("overflow: completions --group-by model, one group beyond int64",
         ["completions", "--group-by", "model"] + W2,
         {COMPLETIONS: [same_model]}, exit=4)
    case("overflow: completions --group-by model, only the TOTAL beyond int64",
         ["completions", "--group-by", "model"] + W2,
         {COMPLETIONS: [two_models]}, exit=4)
    case("overflow: completions, ungrouped total beyond int64",
         ["completions", "--format", "csv"] + W2,
         {COMPLETIONS: [two_models]}, exit=4)
    same_model_h = ok(page(hours([comp("gpt-4o", "proj_a", input_tokens=BIG)],
                                 [comp("gpt-4o", "proj_a", input_tokens=BIG)])))
    two_models_h = ok(page(hours([comp("gpt-4o", "proj_a", input_tokens=BIG)],
                                 [comp("o3", "proj_a", input_tokens=BIG)])))
    case("overflow: report, input tokens beyond int64",
         ["report"] + W2,
         {COMPLETIONS: [same_model_h], COSTS: [plain_costs()]}, exit=4,
         stderr_re=r"overflows a 64-bit integer")
    case("overflow: report, two models whose sum is beyond int64",
         ["report"] + W2,
         {COMPLETIONS: [two_models_h], COSTS: [plain_costs()]}, exit=4,
         stderr_re=r"overflows a 64-bit integer")


# ---- 6. missing data ---------------------------------------------------------

def add_missing_data_cases():
    two_of_four = ok(page(days([comp("gpt-4o", input_tokens=5)],
                               [comp("gpt-4o", input_tokens=6)])))
    case("missing data: 4-day past window, the API sends 2 days",
         ["completions", "--since", "2025-01-01", "--until", "2025-01-05"],
         {COMPLETIONS: [two_of_four]}, exit=4)
    case("missing data: the same as CSV",
         ["completions", "--format", "csv", "--group-by", "model",
          "--since", "2025-01-01", "--until", "2025-01-05"],
         {COMPLETIONS: [two_of_four]}, exit=4)
    case("missing data: costs, 4-day past window, 2 days sent",
         ["costs", "--since", "2025-01-01", "--until", "2025-01-05"],
         {COSTS: [ok(page(days([cost(num("1"))], [cost(num("2"))])))]}, exit=4)


# ---- 7. vector-store levels --------------------------------------------------

def vs_levels() -> list:
    """48 hourly buckets: {project: level} per bucket (absent = not sent).

    proj_a: every hour of day 1 (1000 + h), day 2 but not its last hour;
    proj_b: day 1 but not its last hour (5000), every hour of day 2 (7000 + h);
    proj_c: day 2 hours 5..10 only."""
    levels = []
    for h in range(48):
        day, hour = divmod(h, 24)
        lv = {}
        if day == 0 or hour != 23:
            lv["proj_a"] = 1000 + h
        if day == 1 or hour != 23:
            lv["proj_b"] = 5000 if day == 0 else 7000 + h
        if day == 1 and 5 <= hour <= 10:
            lv["proj_c"] = 300 + hour
        levels.append(lv)
    return levels


def vs_page(grouped: bool) -> Resp:
    buckets = []
    for h, lv in enumerate(vs_levels()):
        if grouped:
            results = [vstore(b, p) for p, b in lv.items()]
        else:
            results = [vstore(sum(lv.values()))] if lv else []
        buckets.append(bucket(JAN1 + h * HOUR, JAN1 + (h + 1) * HOUR, results))
    return ok(page(buckets))


def vs_expected() -> dict:
    """{(day start, project): level in the day's last bucket (0 if absent)}."""
    levels = vs_levels()
    want = {}
    for d in range(2):
        last = levels[d * 24 + 23]
        for p in ("proj_a", "proj_b", "proj_c"):
            want[(rfc3339(JAN1 + d * DAY), p)] = last.get(p, 0)
    return want


def vs_seen() -> set:
    """{(day start, project)} for every project with a result that day."""
    return {(rfc3339(JAN1 + (h // 24) * DAY), p)
            for h, lv in enumerate(vs_levels()) for p in lv}


def vs_grouped_check(run: Run) -> list:
    """A project seen in a day has a row: its level in the day's last
    bucket, 0 when absent there; any other row must be 0."""
    want = vs_expected()
    got = {}
    for r in parse_csv(run.out):
        got[(r["period_start"], r["project_id"])] = int(r["usage_bytes"])
    problems = []
    for k, v in got.items():
        if want.get(k) != v:
            problems.append("%s %s: %d, wanted %r" % (k[0], k[1], v, want.get(k)))
    for k in sorted(vs_seen()):
        if k not in got:
            problems.append("%s %s: no row, wanted %d" % (k[0], k[1], want[k]))
    for d in range(2):
        day = rfc3339(JAN1 + d * DAY)
        level = sum(v for (p, _), v in want.items() if p == day)
        rows = sum(v for (p, _), v in got.items() if p == day)
        if rows != level:
            problems.append("%s: rows add up to %d, the level is %d"
                            % (day, rows, level))
    return problems


def vs_ungrouped_check(run: Run) -> list:
    want = {}
    for (day, _), v in vs_expected().items():
        want[day] = want.get(day, 0) + v
    got = {r["period_start"]: int(r["usage_bytes"]) for r in parse_csv(run.out)}
    return [] if got == want else ["per-day levels %r, wanted %r" % (got, want)]


def vs_window_check(run: Run) -> list:
    want = {p: v for (d, p), v in vs_expected().items()
            if d == rfc3339(JAN1 + DAY)}
    got = {r["project_id"]: int(r["usage_bytes"]) for r in parse_csv(run.out)}
    problems = ["%s: %d, wanted %d" % (p, v, want.get(p, 0))
                for p, v in got.items() if want.get(p, 0) != v]
    problems += ["%s: no row, wanted %d" % (p, v)
                 for p, v in want.items() if v and p not in got]
    return problems


def add_vector_store_cases():
    base = ["vector-stores", "--bucket", "1h", "--format", "csv"] + W2
    case("levels: vector stores by project per day",
         base + ["--group-by", "project_id", "--per", "day"],
         {VECTOR_STORES: [vs_page(grouped=True)]}, check=vs_grouped_check)
    case("levels: vector stores per day, ungrouped",
         base + ["--per", "day"],
         {VECTOR_STORES: [vs_page(grouped=False)]}, check=vs_ungrouped_check)
    case("levels: vector stores by project, the window's end",
         base + ["--group-by", "project_id"],
         {VECTOR_STORES: [vs_page(grouped=True)]}, check=vs_window_check)


# ---- 8. messages -------------------------------------------------------------

def add_message_cases():
    for literal in ("99999999999999999999", "-99999999999999999999",
                    "9223372036854775808"):
        case("message: input_tokens %s is out of range" % literal,
             ["completions"] + W2,
             {COMPLETIONS: [ok(page(days([comp("gpt-4o", input_tokens=num(literal))],
                                         [comp("gpt-4o")])))]},
             exit=4, stderr_re=r"out of range|too large|overflow",
             check=lambda run: ["the message says 'expected an integer'"]
             if "expected an integer" in run.err_text else [])
    case("message: HTTP 200 with an error body shows the API's text",
         ["completions"] + W2,
         {COMPLETIONS: [ok({"error": {"message": "Quota exceeded",
                                      "type": "insufficient_quota"}})]},
         exit=1, stderr_re=r"Quota exceeded")
    # The key around the 512-byte cut, after multibyte padding.
    for start, pad in ((462, "\u20ac"), (470, "\u00e9"), (480, "\U0001F600"),
                       (490, "\u20ac"), (494, "\u00e9"), (500, "\u00e9"),
                       (505, "\u20ac"), (508, "\U0001F600"), (511, "\u00e9"),
                       (512, "a")):
        unit = len(pad.encode())
        lead = pad * (start // unit) + "x" * (start % unit)
        message = lead + KEY + " " + "\u20ac" * 100
        case("message: the key at byte %d of the message (%d-byte padding)"
             % (start, unit),
             ["completions"] + W2,
             {COMPLETIONS: [api_error(400, message)]}, exit=1)


# ---- 9. CSV formula injection ------------------------------------------------

FORMULA_NAMES = ['=HYPERLINK("http://x","click")', "+1", "-2", "@cmd",
                 "\tx", "\rx", "=1+1\n", "Normal project"]


def projects_list() -> Resp:
    data = []
    for i, name in enumerate(FORMULA_NAMES):
        archived = i == 2
        data.append({"object": "organization.project", "id": "proj_%02d" % i,
                     "name": name, "created_at": JAN1 + i * HOUR,
                     "archived_at": JAN1 + DAY if archived else None,
                     "status": "archived" if archived else "active"})
    return ok({"object": "list", "data": data, "first_id": "proj_00",
               "last_id": "proj_%02d" % (len(data) - 1), "has_more": False})


def expected_projects_csv(safe: bool) -> bytes:
    lines = ["id,name,status,created_at,archived_at"]
    for i, name in enumerate(FORMULA_NAMES):
        archived = i == 2
        if safe and name[:1] in ("=", "+", "-", "@", "\t", "\r"):
            name = "'" + name
        lines.append(",".join([
            "proj_%02d" % i, csv_cell(name),
            "archived" if archived else "active", rfc3339(JAN1 + i * HOUR),
            rfc3339(JAN1 + DAY) if archived else ""]))
    return ("\r\n".join(lines) + "\r\n").encode()


def exact_output(expected: bytes) -> Callable:
    def check(run: Run) -> list:
        if run.out == expected:
            return []
        return ["stdout %r, wanted %r" % (run.out[:400], expected[:400])]
    return check


def formula_usage_page() -> Resp:
    return ok(page(days(
        [comp("=SUM(A1:A9)", input_tokens=300, output_tokens=30),
         comp("-gpt", input_tokens=200, output_tokens=-20),
         comp("+x", input_tokens=150),
         comp("@y", input_tokens=-120, num_model_requests=-1),
         comp("gpt-4o", input_tokens=100, output_tokens=10)],
        [comp("=SUM(A1:A9)", input_tokens=3)])))


def formula_usage_check(run: Run) -> list:
    want = {"'=SUM(A1:A9)": ("303", "30"), "'-gpt": ("200", "-20"),
            "'+x": ("150", "0"), "'@y": ("-120", "0"), "gpt-4o": ("100", "10")}
    rows = parse_csv(run.out)
    got = {r["model"]: (r["input_tokens"], r["output_tokens"]) for r in rows}
    problems = [] if got == want else ["rows %r, wanted %r" % (got, want)]
    for r in rows:
        for m in COMPLETION_METRICS:
            if not re.fullmatch(r"-?[0-9]+", r[m]):
                problems.append("%s of %s is %r" % (m, r["model"], r[m]))
    return problems


def formula_costs_page() -> Resp:
    return ok(page(days(
        [cost(num("-1.50"), line_item="-credit"),
         cost(num("2.25"), line_item="=cmd|' /C calc'!A0")],
        [cost(num("-0.5"), line_item="-credit"),
         cost(num("1"), line_item="gpt-4o, input")])))


def formula_costs_check(run: Run) -> list:
    want = {"'-credit": "-2.00", "'=cmd|' /C calc'!A0": "2.25",
            "gpt-4o, input": "1"}
    got = {r["line_item"]: r["amount"] for r in parse_csv(run.out)}
    problems = []
    if set(got) != set(want):
        problems.append("line items %r, wanted %r" % (sorted(got), sorted(want)))
    for item, amount in got.items():
        if item in want and (not re.fullmatch(r"-?[0-9.]+", amount)
                             or Decimal(amount) != Decimal(want[item])):
            problems.append("%s: amount %r, wanted %s" % (item, amount, want[item]))
    return problems


def add_csv_cases():
    case("csv: project names as the API sent them",
         ["projects", "--format", "csv"], {PROJECTS: [projects_list()]},
         check=exact_output(expected_projects_csv(safe=False)))
    case("csv: --csv-safe projects (OWASP quote prefix)",
         ["projects", "--format", "csv", "--csv-safe"],
         {PROJECTS: [projects_list()]},
         check=exact_output(expected_projects_csv(safe=True)))
    case("csv: --csv-safe usage report, token columns untouched",
         ["completions", "--group-by", "model", "--format", "csv",
          "--csv-safe"] + W2,
         {COMPLETIONS: [formula_usage_page()]}, check=formula_usage_check)
    case("csv: --csv-safe costs, negative amounts untouched",
         ["costs", "--group-by", "line_item", "--format", "csv",
          "--csv-safe"] + W2,
         {COSTS: [formula_costs_page()]}, check=formula_costs_check)
    case("csv: --csv-safe with --format json is a usage error",
         ["projects", "--format", "json", "--csv-safe"],
         {PROJECTS: [projects_list()]}, exit=2, stderr_re=r"--csv-safe",
         check=lambda run: (["a request was made"] if run.requests else [])
         + (["--csv-safe is not known"] if "unknown option" in run.err_text
            else []))


# ---- budget: the spend limits ---------------------------------------------------

SPEND_LIMIT = "/v1/organization/spend_limit"


def spend_limit(amount) -> dict:
    return {"object": "organization.spend_limit", "threshold_amount": amount,
            "currency": "USD", "interval": "month",
            "enforcement": {"status": "enforcing"}}


def no_projects() -> Resp:
    return ok({"object": "list", "data": [], "first_id": None,
               "last_id": None, "has_more": False})


def add_budget_cases():
    """budget without --amount reads the organization's limit: a hostile
    answer fails the run (never "no limit", never "under budget")."""
    for name, resp, code, pattern in (
            ("an error in a 200 body, the key in it",
             ok({"error": {"message": "denied for " + KEY}}), 1,
             r"organization spend limit: the API answered HTTP 200"),
            ("a negative amount", ok(spend_limit(num("-100"))), 4,
             r"threshold_amount: negative"),
            ("an amount as text", ok(spend_limit("10000")), 4,
             r"threshold_amount: expected a number"),
            ("an amount out of range", ok(spend_limit(num("1e999"))), 4,
             r"threshold_amount"),
            ("a list instead of an object", ok([spend_limit(100)]), 4,
             r"expected an object"),
            ("the currency as a number", ok(dict(spend_limit(100),
                                                 currency=5)), 4,
             r"currency: expected a string"),
            ("403, the key in the message",
             api_error(403, "key " + KEY + " lacks api.usage.read"), 3,
             r"HTTP 403"),
            ("500", api_error(500, "boom " + KEY), 1, r"HTTP 500"),
            ("not JSON", Resp(200, b"<html>" + KEY.encode()), 4,
             r"organization spend limit")):
        # One request at a time: the organization's limit is the first,
        # and its failure ends the run before the project list is asked
        # for (concurrently, a list request of the plain run could reach
        # the server after the -v run's responses were loaded).
        case("budget: spend limit: " + name, ["budget", "--concurrency", "1"],
             {SPEND_LIMIT: [resp], PROJECTS: [no_projects()]},
             exit=code, stderr_re=pattern)
    # One project's limit is hostile, the organization's fine: the run
    # fails naming that project, never skips it.
    one_project = ok({"object": "list", "data": [
        {"object": "organization.project", "id": "proj_bad", "name": "P",
         "created_at": JAN1, "archived_at": None, "status": "active"}],
        "first_id": "proj_bad", "last_id": "proj_bad", "has_more": False})
    case("budget: a project's spend limit is negative",
         ["budget", "--concurrency", "1"],
         {SPEND_LIMIT: [ok(spend_limit(100))], PROJECTS: [one_project],
          PROJECTS + "/proj_bad/spend_limit": [ok(dict(
              spend_limit(num("-5")), object="project.spend_limit"))]},
         exit=4, stderr_re=r"project proj_bad spend limit: threshold_amount: "
                           r"negative")


# ---- xlsx: text is text --------------------------------------------------------

def xlsx_strings_check(run: Run) -> list:
    """The workbook (a zip of XML, read with the standard library) holds
    every project name as a string cell, never a formula."""
    import zipfile
    problems = []
    data = run.files.get("p.xlsx")
    if data is None:
        return ["no workbook written"]
    z = zipfile.ZipFile(io.BytesIO(data))
    sheet = z.read("xl/worksheets/sheet1.xml").decode()
    if "<f>" in sheet or "<f " in sheet:
        problems.append("the sheet has a formula")
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    # OOXML writes a control character as _xHHHH_ (ECMA-376 ST_Xstring).
    unescape = lambda t: re.sub(r"_x([0-9A-Fa-f]{4})_",
                                lambda m: chr(int(m.group(1), 16)), t)
    shared = [unescape(si.findtext("m:t", namespaces=ns) or "") for si in
              ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns)]
    root = ET.fromstring(sheet)
    names = []
    for c in root.iter("{%s}c" % ns["m"]):
        if c.get("r", "").startswith("B") and c.get("r") != "B1":
            if c.get("t") != "s":
                problems.append("cell %s is not a string" % c.get("r"))
            else:
                names.append(shared[int(c.findtext("m:v", namespaces=ns))])
    if sorted(names) != sorted(FORMULA_NAMES):
        problems.append("names %r, wanted %r" % (names, FORMULA_NAMES))
    return problems


def add_xlsx_cases():
    case("xlsx: project names that look like formulas stay text",
         ["projects", "--format", "xlsx"], {PROJECTS: [projects_list()]},
         output="p.xlsx", check=xlsx_strings_check)


# ---- the names cache ----------------------------------------------------------

def names_check(run: Run) -> list:
    rows = {r["project_id"]: (r["project_name"], r["input_tokens"])
            for r in parse_csv(run.out)}
    want = {"proj_00": (FORMULA_NAMES[0], "10"), "proj_zz": ("", "20")}
    return [] if rows == want else ["rows %r, wanted %r" % (rows, want)]


def add_names_cases():
    case("names: --names writes a cache without the key",
         ["completions", "--group-by", "project_id", "--names",
          "--format", "csv"] + W2,
         {COMPLETIONS: [ok(page(days([comp(None, "proj_00", input_tokens=10)],
                                     [comp(None, "proj_zz", input_tokens=20)])))],
          PROJECTS: [projects_list()]}, check=names_check)


# ---------------------------------------------------------------------------
# Running a case
# ---------------------------------------------------------------------------

EXISTING = "existing.out"
EXISTING_BYTES = b"the previous report\r\nmust survive a failed run\n"
VALGRIND = ["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
            "--show-leak-kinds=definite,indirect",
            "--errors-for-leak-kinds=definite,indirect"]


class Runner:
    def __init__(self, binary: str):
        self.binary = os.path.abspath(binary)
        self.server = HostileServer()
        self.valgrind = bool(os.environ.get("OAIUSAGE_VALGRIND"))
        self.xmllint = shutil.which("xmllint")
        self.env = dict(os.environ, OPENAI_ADMIN_KEY=KEY, LC_ALL="C",
                        TZ="UTC", NO_COLOR="1")
        self.env.pop("OAIUSAGE_BASE_URL", None)

    def execute(self, c: Case, verbose: bool) -> tuple:
        """Run the binary once for c; (Run, problems)."""
        work = tempfile.mkdtemp(prefix="oaiusage-hostile.")
        outdir = os.path.join(work, "out")
        os.mkdir(outdir)
        try:
            return self._execute(c, verbose, work, outdir)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _execute(self, c: Case, verbose: bool, work: str, outdir: str):
        argv = [self.binary] + c.args + ["--base-url", self.server.base_url]
        if c.retries0:
            argv += ["--retries", "0"]
        if verbose and "-v" not in c.args:
            argv.append("-v")
        before = None
        if c.exit != 0:
            with open(os.path.join(outdir, EXISTING), "wb") as f:
                f.write(EXISTING_BYTES)
            os.utime(os.path.join(outdir, EXISTING), ns=(10**18, 10**18))
            before = os.stat(os.path.join(outdir, EXISTING))
            argv += ["-o", os.path.join(outdir, EXISTING)]
        elif c.output:
            argv += ["-o", os.path.join(outdir, c.output)]
        if self.valgrind:
            argv = VALGRIND + ["--log-file=%s/valgrind.%%p.log" % work] + argv
        env = dict(self.env, XDG_CACHE_HOME=os.path.join(work, "cache"))

        self.server.load(c.responses)
        try:
            proc = subprocess.run(argv, env=env, capture_output=True,
                                  stdin=subprocess.DEVNULL,
                                  timeout=600 if self.valgrind else 30)
            rc, out, err = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as e:
            rc, out, err = -1, e.stdout or b"", e.stderr or b""
        except OSError as e:  # e.g. the binary is being relinked
            rc, out, err = -2, b"", ("cannot run: %s\n" % e).encode()
        files = {}
        for name in os.listdir(outdir):
            with open(os.path.join(outdir, name), "rb") as f:
                files[name] = f.read()
        run = Run(rc, out, err, files, list(self.server.requests), verbose)

        problems = self.common_checks(run, work)
        problems += self.tree_leaks(work)
        if c.exit != 0:
            problems += self.failure_checks(c, run)
            if before is not None and EXISTING in files:
                after = os.stat(os.path.join(outdir, EXISTING))
                if (after.st_ino, after.st_mtime_ns, after.st_mode) != \
                        (before.st_ino, before.st_mtime_ns, before.st_mode):
                    problems.append("the -o file was replaced or touched")
        else:
            problems += self.success_checks(c, run, outdir)
        if c.check is not None and (rc == c.exit or c.exit == 0 and rc == 0):
            try:
                problems += c.check(run)
            except Exception as e:  # a malformed output is a failure too
                problems.append("check raised %s: %s" % (type(e).__name__, e))
        return run, problems

    def common_checks(self, run: Run, work: str) -> list:
        problems = []
        if run.rc == -1:
            problems.append("timed out")
        if run.rc == -2:
            problems.append(run.err_text.strip())
        if self.valgrind and run.rc == 99:
            logs = "".join(open(os.path.join(work, n), errors="replace").read()
                           for n in os.listdir(work) if n.startswith("valgrind"))
            problems.append("valgrind: " + logs[:2000])
        for where, data in (("stdout", run.out), ("stderr", run.err)):
            frag = leaked_fragment(data)
            if frag is not None:
                problems.append("KEY LEAK: %r in %s" % (frag, where))
        for where, data in (("stdout", run.out), ("stderr", run.err)):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as e:
                problems.append("%s is not valid UTF-8 (%s)" % (where, e.reason))
        if any(r.authorization != "Bearer " + KEY for r in run.requests):
            problems.append("a request did not carry the key")
        if self.server.unexpected:
            problems.append("unexpected requests: %s"
                            % ", ".join(self.server.unexpected[:3]))
        return problems

    @staticmethod
    def tree_leaks(work: str) -> list:
        """Every file the run left (the names cache included): its path
        and its contents. valgrind's own logs are not the tool's."""
        problems = []
        for top, _, names in os.walk(work):
            for name in names:
                path = os.path.join(top, name)
                if name.startswith("valgrind."):
                    continue
                with open(path, "rb") as f:
                    data = f.read()
                for what in (os.path.relpath(path, work).encode(), data):
                    frag = leaked_fragment(what)
                    if frag is not None:
                        problems.append("KEY LEAK: %r in %s"
                                        % (frag, os.path.relpath(path, work)))
        return problems

    def failure_checks(self, c: Case, run: Run) -> list:
        problems = []
        if run.rc != c.exit:
            problems.append("exit %d, wanted %d" % (run.rc, c.exit))
        if run.out:
            problems.append("stdout not empty: %r" % run.out[:200])
        lines = run.err_text.split("\n")
        last = lines[-2] if len(lines) >= 2 else ""
        if not run.verbose and (not run.err.endswith(b"\n") or len(lines) != 2
                                or "\r" in run.err_text):
            problems.append("wanted one line on stderr, got %r" % run.err_text[:600])
        if not last.startswith("oaiusage: error: "):
            problems.append("the last stderr line is not an error: %r" % last[:300])
        elif c.stderr_re and not re.search(c.stderr_re, last):
            problems.append("the error does not match /%s/: %r"
                            % (c.stderr_re, last[:300]))
        if run.files != {EXISTING: EXISTING_BYTES}:
            if run.files.get(EXISTING) != EXISTING_BYTES:
                problems.append("the -o file was changed")
            extra = sorted(set(run.files) - {EXISTING})
            if extra:
                problems.append("left beside the -o file: %s" % ", ".join(extra))
        return problems

    def success_checks(self, c: Case, run: Run, outdir: str) -> list:
        problems = []
        if run.rc != 0:
            problems.append("exit %d, wanted 0: %s" % (run.rc, run.err_text[-400:]))
            return problems
        if c.output:
            if set(run.files) != {c.output}:
                problems.append("files left: %s, wanted %s"
                                % (sorted(run.files), c.output))
            if run.out:
                problems.append("stdout not empty with -o")
        for name in run.files:
            if name.endswith((".svg", ".html")) and self.xmllint:
                lint = subprocess.run([self.xmllint, "--noout",
                                       os.path.join(outdir, name)],
                                      capture_output=True)
                if lint.returncode != 0:
                    problems.append("xmllint %s: %s" % (
                        name, lint.stderr.decode(errors="replace")[:400]))
        return problems

    def run_case(self, c: Case) -> list:
        first, problems = self.execute(c, verbose="-v" in c.args)
        if "-v" in c.args:
            return problems
        second, again = self.execute(c, verbose=True)
        problems += ["-v: " + p for p in again]
        if c.exit == 0 and first.rc == 0 and second.rc == 0:
            # (the HTML report carries the time it was made: not compared)
            same = {n: d for n, d in first.files.items() if not n.endswith(".html")}
            if second.out != first.out or same != {
                    n: d for n, d in second.files.items() if n in same}:
                problems.append("-v changed the output")
        return problems


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: run.py PATH/TO/oaiusage", file=sys.stderr)
        return 2
    for add in (add_key_leak_cases, add_control_byte_cases, add_terminal_cases,
                add_xml_cases, add_money_cases, add_missing_data_cases,
                add_vector_store_cases, add_message_cases, add_csv_cases,
                add_names_cases, add_floor_cases, add_budget_cases,
                add_xlsx_cases):
        add()
    runner = Runner(sys.argv[1])
    if runner.xmllint is None:
        print("note: xmllint not found; SVG/HTML well-formedness not checked")
    passed = failed = 0
    try:
        for c in CASES:
            problems = runner.run_case(c)
            if problems:
                failed += 1
                print("FAIL %s: %s" % (c.name, "; ".join(problems)))
            else:
                passed += 1
                print("PASS %s" % c.name)
            sys.stdout.flush()
    finally:
        runner.server.close()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
