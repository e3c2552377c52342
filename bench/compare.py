#!/usr/bin/python3
"""compare.py OAIUSAGE.csv NOTEBOOK.csv GROUPS - do both print the same
totals? Integer metrics must be equal; money within 1e-9 relative (the
notebook adds floats, oaiusage exact decimals). Prints one line."""
import csv
import sys

ou_path, nb_path, groups = sys.argv[1], sys.argv[2], sys.argv[3].split(",")


def load(path, amount_col):
    rows = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            key = tuple((r[g] or "") if r[g] not in ("nan", "N/A") else ""
                        for g in groups)
            rows[key] = r
    return rows


ou = load(ou_path, "amount")
nb = load(nb_path, "amount_value")
if set(ou) != set(nb):
    print(f"DIFFERENT groups: {len(ou)} vs {len(nb)}")
    sys.exit(1)
checked = 0
unread = set()  # columns the notebook's flattening does not keep
for key, r in ou.items():
    n = nb[key]
    if "amount" in r:
        a, b = float(r["amount"]), float(n["amount_value"])
        if abs(a - b) > 1e-9 * max(1.0, abs(a)):
            print(f"DIFFERENT amount for {key}: {r['amount']} vs {n['amount_value']}")
            sys.exit(1)
        checked += 1
        continue
    for m, v in r.items():
        if m in groups:
            continue
        if m not in n:
            unread.add(m)
            continue
        if int(v) != int(float(n[m])):
            print(f"DIFFERENT {m} for {key}: {v} vs {n[m]}")
            sys.exit(1)
        checked += 1
extra = f"; {len(unread)} newer columns the notebook does not read" if unread else ""
print(f"same totals ({len(ou)} groups, {checked} numbers{extra})")
