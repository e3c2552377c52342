#!/usr/bin/python3
"""notebook.py BASE ENDPOINT START END WIDTH GROUPS OUT.csv

The seed notebook's pipeline (../shared/seeds, cookbook completions_usage_api):
requests.get page after page while next_page is set, every bucket kept in a
list, each result flattened into a record dict, a pandas DataFrame, then
grouped sums. Only the parameters differ from the notebook's cells: the
window and group_by of the benchmark query, and `limit` at the width's
maximum, as oaiusage sends (the notebook's limit=7 would only add pages).
Writes the grouped totals as CSV for comparison with oaiusage's."""
import os
import sys

import pandas as pd
import requests

COMPLETIONS_METRICS = [
    "input_tokens", "input_cached_tokens", "input_cache_write_tokens",
    "input_uncached_tokens", "output_tokens", "input_text_tokens",
    "output_text_tokens", "input_cached_text_tokens", "input_audio_tokens",
    "input_cached_audio_tokens", "output_audio_tokens", "input_image_tokens",
    "input_cached_image_tokens", "output_image_tokens", "num_model_requests",
]
LIMITS = {"1d": 31, "1h": 168, "1m": 1440}


def get_data(url, params):
    """The notebook's get_data(), with the key from the environment."""
    headers = {
        "Authorization": f"Bearer {os.environ['OPENAI_ADMIN_KEY']}",
        "Content-Type": "application/json",
    }
    all_data = []
    page_cursor = None
    while True:
        if page_cursor:
            params["page"] = page_cursor
        response = requests.get(url, headers=headers, params=params)
        if response.status_code == 200:
            data_json = response.json()
            all_data.extend(data_json.get("data", []))
            page_cursor = data_json.get("next_page")
            if not page_cursor:
                break
        else:
            print(f"Error: {response.status_code}", file=sys.stderr)
            sys.exit(1)
    return all_data


def main():
    base, endpoint, start, end, width, groups, out = sys.argv[1:8]
    groups = [g for g in groups.split(",") if g]
    costs = endpoint == "costs"
    url = f"{base}/organization/costs" if costs else \
        f"{base}/organization/usage/{endpoint}"
    params = {
        "start_time": int(start),
        "end_time": int(end),
        "bucket_width": width,
        "group_by": groups,
        "limit": 180 if costs else LIMITS[width],
    }
    usage_data = get_data(url, params)

    records = []
    for bucket in usage_data:
        start_time = bucket.get("start_time")
        end_time = bucket.get("end_time")
        for result in bucket.get("results", []):
            rec = {"start_time": start_time, "end_time": end_time}
            if costs:
                amount = result.get("amount") or {}
                rec["amount_value"] = float(amount.get("value", 0) or 0)
                rec["currency"] = amount.get("currency")
                for g in ("project_id", "line_item", "api_key_id"):
                    rec[g] = result.get(g, "N/A")
            else:
                for m in COMPLETIONS_METRICS:
                    rec[m] = result.get(m, 0)
                for g in ("project_id", "user_id", "api_key_id", "model",
                          "batch", "service_tier"):
                    rec[g] = result.get(g, "N/A")
            records.append(rec)
    df = pd.DataFrame(records)
    df["start_datetime"] = pd.to_datetime(df["start_time"], unit="s")
    df["end_datetime"] = pd.to_datetime(df["end_time"], unit="s")
    metrics = ["amount_value"] if costs else COMPLETIONS_METRICS
    totals = df.groupby(groups, dropna=False)[metrics].sum().reset_index()
    totals.to_csv(out, index=False)


main()
