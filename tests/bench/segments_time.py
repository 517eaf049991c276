#!/usr/bin/env python3
"""Times segment-size reads for tests/bench/recs_bench.sh (issue 12: a segment count < 200 ms).

    segments_time.py BASE_URL COMMUNITY BUILDING MERCHANT CATEGORY MANAGER_TOKEN MERCHANT_TOKEN [N]

Creates the segments below through the API (the manager's, and the first merchant's over its
own customers), then reads each one N times (default 20) over one keep-alive connection:
`GET …/segments/{id}` answers the segment with its size, counted when read. Prints one line
per segment: the size and the wall time of the request (min, p50, p90, max) in ms.
"""
import http.client
import json
import sys
import time
import urllib.parse

base, cid, building, merchant, category, manager, merchant_token = sys.argv[1:8]
n = int(sys.argv[8]) if len(sys.argv) > 8 else 20
url = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
cid, building, merchant = int(cid), int(building), int(merchant)


def call(method, path, token, body=None):
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body)
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        sys.exit(f"segments_time: {method} {path} -> {r.status} {data[:300]!r}")
    return json.loads(data)


community = f"/v1/communities/{cid}/segments"
shop = f"/v1/communities/{cid}/merchants/{merchant}/segments"
cases = [
    ("manager: building_in (one of 10 buildings)", community, manager, {"building_in": [building]}),
    ("manager: last_order_within_days 30", community, manager, {"last_order_within_days": 30}),
    (f"manager: category_spend {category} 90 days >= 50.00", community, manager,
     {"category_spend": {"category": category, "days": 90, "min_cents": 5000}}),
    (f"manager: category_spend {category} 365 days >= 200.00", community, manager,
     {"category_spend": {"category": category, "days": 365, "min_cents": 20000}}),
    ("manager: building + last order 30 days + category_spend 90 days", community, manager,
     {"building_in": [building], "last_order_within_days": 30,
      "category_spend": {"category": category, "days": 90, "min_cents": 1000}}),
    (f"merchant: own customers, category_spend {category} 90 days", shop, merchant_token,
     {"category_spend": {"category": category, "days": 90, "min_cents": 1000}}),
    ("merchant: own customers, last_order_within_days 30", shop, merchant_token, {"last_order_within_days": 30}),
]
for name, path, token, rule in cases:
    seg = call("POST", path, token, {"name": name[:80], "rule": rule})
    times = []
    for _ in range(n):
        t = time.perf_counter()
        got = call("GET", f"{path}/{seg['id']}", token)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    size = got["size"] if got.get("size") is not None else got.get("size_band")
    print(f"SEGMENT {name}: size={size} min_ms={times[0]:.1f} p50_ms={times[len(times) // 2]:.1f} "
          f"p90_ms={times[int(len(times) * 0.9) - 1]:.1f} max_ms={times[-1]:.1f}")
