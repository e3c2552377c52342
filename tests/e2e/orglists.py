#!/usr/bin/env python3
"""orglists.py BASE KIND [PROJECT] - the organization's lists read straight
from the server with the standard library (an independent path from the
client's): prints one 'id<TAB>name' line per item, following after/limit.

KIND: projects, users, keys [PROJECT] (every key: owner_project_access=any,
the reference's advice), visible-keys [PROJECT] (the endpoint's default
visibility), service-accounts (every project's), project-status (id, name,
archived or active)."""
import json
import os
import sys
import urllib.request


def fetch(base, path, extra=""):
    items, after = [], None
    while True:
        q = "limit=7" + extra + (f"&after={after}" if after else "")
        req = urllib.request.Request(
            f"{base}{path}?{q}",
            headers={"Authorization": "Bearer " + os.environ["OPENAI_ADMIN_KEY"]})
        with urllib.request.urlopen(req) as r:
            page = json.load(r)
        items += page["data"]
        if not page["has_more"]:
            return items
        after = page["last_id"]


base, kind = sys.argv[1], sys.argv[2]
if kind == "projects":
    for p in fetch(base, "/organization/projects", "&include_archived=true"):
        print(f"{p['id']}\t{p['name']}")
elif kind == "project-status":
    for p in fetch(base, "/organization/projects", "&include_archived=true"):
        archived = p.get("archived_at") is not None or p.get("status") == "archived"
        print(f"{p['id']}\t{p['name']}\t{'archived' if archived else 'active'}")
elif kind == "users":
    for u in fetch(base, "/organization/users"):
        print(f"{u['id']}\t{u['email']}")
else:
    projects = [sys.argv[3]] if len(sys.argv) > 3 else [
        p["id"] for p in fetch(base, "/organization/projects", "&include_archived=true")]
    for pid in projects:
        if kind == "service-accounts":
            for a in fetch(base, f"/organization/projects/{pid}/service_accounts"):
                print(f"{a['id']}\t{a['name']}")
            continue
        extra = "&owner_project_access=any" if kind == "keys" else ""
        for k in fetch(base, f"/organization/projects/{pid}/api_keys", extra):
            print(f"{k['id']}\t{k['name']}")
