#!/usr/bin/env python3
"""Analytics benchmark: a generated community, then report latencies (p50/p99).

    analytics_bench.py COURTYARD_BIN (sqlite | mysql://root@127.0.0.1:PORT/) [--orders N] [--requests R]

Starts courtyard with --demo on a fresh database (the demo community "Maple Court", its
manager and the Corner Bakery owned by carol), stops it, and generates through SQL, in
batches of 1,000 rows: 49 more merchants, 500 products for the bakery and 100 for each other
merchant, residents' ids 1..10,000 as buyers, N orders (default 1,000,000, the issue's size)
over the two years before today with 1-3 lines each, their sale stock movements (plus a weekly
purchase per product), and the analytics rollups those orders make (computed here exactly as
services/analytics would, in the community's zone), so no backfill is needed. Then it starts
courtyard again and measures R requests (default 200) of:
  - a merchant report for 90 days (GET …/merchants/{bakery}/analytics/overview),
  - the manager dashboard for 90 days,
  - a purchase-sale-stock report for the bakery's 500 products for a month.
Prints one Markdown table row per measurement. Keep N small on a shared machine.
"""
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import zoneinfo

args = sys.argv[1:]
if len(args) < 2:
    sys.exit(__doc__)
BIN, BACKEND = args[0], args[1]
ORDERS = int(args[args.index("--orders") + 1]) if "--orders" in args else 1_000_000
REQUESTS = int(args[args.index("--requests") + 1]) if "--requests" in args else 200
RESIDENTS, MERCHANTS, DAYS, BATCH = 10_000, 50, 730, 1000
ZONE = zoneinfo.ZoneInfo("Europe/London")
work = tempfile.mkdtemp(prefix="courtyard-analytics-bench-")
env = dict(os.environ, COURTYARD_ADMIN_EMAIL="admin@bench.test", COURTYARD_ADMIN_PASSWORD="bench-admin-password-1")

if BACKEND == "sqlite":
    db_url = f"sqlite3://{work}/bench.db"
else:
    m = re.match(r"mysql://([^@]*)@([^:/]+):(\d+)/?", BACKEND)
    if not m:
        sys.exit("backend: sqlite or mysql://user@host:port/")
    user, host, port = m.groups()
    schema = "courtyard_analytics_bench"
    mysql = ["mariadb", "--no-defaults", "-u" + user.split(":")[0], "-h" + host, "-P" + port]
    subprocess.run(mysql + ["-e", f"DROP DATABASE IF EXISTS {schema}; CREATE DATABASE {schema}"], check=True)
    db_url = f"mysql://{user}@{host}:{port}/{schema}"


def start():
    services = "identity,wallet,property,shops,clubs,delivery,notifications,webhooks,members,analytics"
    p = subprocess.Popen([BIN, "--listen", "127.0.0.1:0", "--db", db_url, "--demo", "--log-level", "warn",
                          "--services", services],
                         stdout=subprocess.PIPE, stderr=open(f"{work}/server.log", "a"), env=env, text=True)
    for line in p.stdout:
        if "listening on" in line:
            return p, line.split("listening on")[1].strip()
    sys.exit("courtyard did not start; see " + work + "/server.log")


def call(base, method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"{}")


server, base = start()
manager = call(base, "POST", "/v1/auth/login", {"email": "manager@demo.courtyard.local", "password": "courtyard-demo"})["token"]
carol = call(base, "POST", "/v1/auth/login", {"email": "carol@demo.courtyard.local", "password": "courtyard-demo"})["token"]
me = call(base, "GET", "/v1/me", token=carol)
cid = me["roles"][0]["community_id"]
bakery = [r for r in me["roles"] if r["role"] == "merchant"][0]["merchant_id"]
server.terminate()
server.wait()

# ---- generation (SQL in batches)
if BACKEND == "sqlite":
    import sqlite3
    conn = sqlite3.connect(f"{work}/bench.db")

    def insert(table, cols, rows):
        for i in range(0, len(rows), BATCH):
            conn.executemany(f"INSERT INTO {table} ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                             rows[i:i + BATCH])
        conn.commit()
else:
    def insert(table, cols, rows):
        def lit(v):
            return "NULL" if v is None else str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'"
        p = subprocess.Popen(mysql + [schema], stdin=subprocess.PIPE, text=True)
        for i in range(0, len(rows), BATCH):
            p.stdin.write(f"INSERT INTO {table} ({','.join(cols)}) VALUES " +
                          ",".join("(" + ",".join(lit(v) for v in r) + ")" for r in rows[i:i + BATCH]) + ";\n")
        p.stdin.close()
        if p.wait():
            sys.exit(f"insert into {table} failed")

t0 = time.time()
rng = random.Random(14)
now = int(time.time() * 1000)
start_ms = now - DAYS * 86_400_000
MID0 = 100_000  # generated merchants' ids
merchants = [bakery] + [MID0 + i for i in range(1, MERCHANTS)]
insert("merchants", ["id", "community_id", "owner_id", "name", "category", "status", "created_at"],
       [(m, cid, 1, f"Bench shop {m}", rng.choice(["grocery", "bakery", "drinks", "household"]), "approved", start_ms)
        for m in merchants[1:]])
categories = ["bread", "cakes", "drinks", "fruit", "vegetables", "dairy", "snacks", "household"]
products, pid = {}, 1_000_000
prows = []
for m in merchants:
    products[m] = []
    for _ in range(500 if m == bakery else 100):
        pid += 1
        cat, price = rng.choice(categories), rng.randint(100, 3000)
        products[m].append((pid, cat, price))
        prows.append([pid, cid, m, f"Product {pid}", cat, price, 0, 1, start_ms, start_ms])
stock = {p[0]: 0 for m in merchants for p in products[m]}
orders, items, moves = [], [], []
merchant_days, product_days, category_days, customer_days, resident_days, resident_months = {}, {}, {}, {}, set(), set()
cohort = {}


def add(d, key, *vals):
    cur = d.get(key)
    d[key] = tuple(a + b for a, b in zip(cur, vals)) if cur else tuple(vals)


def local_day(ms):
    d = dt.datetime.fromtimestamp(ms / 1000, ZONE).date()
    return (d - dt.date(1970, 1, 1)).days


def month_of(day):
    d = dt.date(1970, 1, 1) + dt.timedelta(days=day)
    return d.year * 12 + d.month - 1


weights = [10 if m == bakery else 1 for m in merchants]
oid, iid, mvid = 10_000_000, 10_000_000, 10_000_000
for n in range(ORDERS):
    at = start_ms + (n * (DAYS * 86_400_000)) // ORDERS + rng.randint(0, 60_000)
    m = rng.choices(merchants, weights)[0]
    buyer = rng.randint(1, RESIDENTS)
    lines = rng.sample(products[m], rng.randint(1, 3))
    oid += 1
    sub = 0
    day = local_day(at)
    cats = {}
    for (p, cat, price) in lines:
        q = rng.randint(1, 3)
        iid += 1
        sub += q * price
        items.append((iid, cid, oid, p, f"Product {p}", cat, price, q, q * price))
        if stock[p] < q:  # a weekly-ish restock keeps the ledger realistic
            mvid += 1
            stock[p] += 50
            moves.append((mvid, cid, m, p, 50, "purchase", None, 1, stock[p], at - 1))
        stock[p] -= q
        mvid += 1
        moves.append((mvid, cid, m, p, -q, "sale", oid, buyer, stock[p], at))
        add(product_days, (m, p, day, cat), 1, q, q * price)
        c = cats.setdefault(cat, [0, 0])
        c[0] += q
        c[1] += q * price
    orders.append((oid, cid, m, buyer, 1, "completed", "pickup", sub, 0, sub, None, None, None, None, at, at))
    add(merchant_days, (m, day), 1, sum(i[7] for i in items[-len(lines):]), sub, 0, sub)
    for cat, (q, cents) in cats.items():
        add(category_days, (m, cat, day), 1, q, cents)
    add(customer_days, (m, buyer, day), 1, sub)
    resident_days.add((buyer, day))
    mo = month_of(day)
    resident_months.add((buyer, mo))
    cohort[buyer] = min(cohort.get(buyer, mo), mo)

for p in prows:
    p[6] = stock[p[0]]
insert("products", ["id", "community_id", "merchant_id", "name", "category", "price_cents", "stock", "active",
                    "created_at", "updated_at"], prows)
insert("orders", ["id", "community_id", "merchant_id", "buyer_id", "unit_id", "status", "fulfilment", "subtotal_cents",
                  "discount_cents", "total_cents", "coupon_id", "coupon_code", "redemption_code", "group_buy_id",
                  "created_at", "updated_at"], orders)
insert("order_items", ["id", "community_id", "order_id", "product_id", "name", "category", "unit_price_cents",
                       "quantity", "line_cents"], items)
insert("stock_movements", ["id", "community_id", "merchant_id", "product_id", "delta", "reason", "order_id", "actor",
                           "stock_after", "at"], moves)
# The demo's own orders may already be rolled up for the bakery's recent days: start the
# rollups from the generated orders alone (the demo's 200-odd orders are left out of them).
rollups = ["analytics_merchant_days", "analytics_product_days", "analytics_category_days", "analytics_customer_days",
           "analytics_resident_days", "analytics_resident_months", "analytics_resident_cohorts"]
if BACKEND == "sqlite":
    for table in rollups:
        conn.execute(f"DELETE FROM {table} WHERE community_id = ?", (cid,))
    conn.commit()
else:
    subprocess.run(mysql + [schema, "-e", ";".join(f"DELETE FROM {t} WHERE community_id = {cid}" for t in rollups)],
                   check=True)
insert("analytics_merchant_days", ["community_id", "merchant_id", "day", "orders", "items", "subtotal_cents",
                                   "discount_cents", "revenue_cents"],
       [(cid, m, d) + v for (m, d), v in merchant_days.items()])
insert("analytics_product_days", ["community_id", "merchant_id", "product_id", "day", "category", "orders", "quantity",
                                  "revenue_cents"],
       [(cid, m, p, d, c) + v for (m, p, d, c), v in product_days.items()])
insert("analytics_category_days", ["community_id", "merchant_id", "category", "day", "orders", "quantity",
                                   "revenue_cents"],
       [(cid, m, c, d) + v for (m, c, d), v in category_days.items()])
insert("analytics_customer_days", ["community_id", "merchant_id", "buyer_id", "day", "orders", "revenue_cents"],
       [(cid, m, b, d) + v for (m, b, d), v in customer_days.items()])
insert("analytics_resident_days", ["community_id", "account_id", "day"], [(cid, a, d) for a, d in resident_days])
insert("analytics_resident_months", ["community_id", "account_id", "month"], [(cid, a, mo) for a, mo in resident_months])
insert("analytics_resident_cohorts", ["community_id", "account_id", "cohort"], [(cid, a, c) for a, c in cohort.items()])
gen_s = time.time() - t0

# ---- measurement
server, base = start()
today = dt.datetime.now(ZONE).date()
d = lambda days: (today - dt.timedelta(days=days)).isoformat()
shop = f"/v1/communities/{cid}/merchants/{bakery}"
cases = [
    ("merchant overview, 90 days", shop + f"/analytics/overview?from={d(89)}&to={d(0)}", carol),
    ("merchant sales by week, 90 days", shop + f"/analytics/sales?from={d(89)}&to={d(0)}&grain=week", carol),
    ("manager dashboard, 90 days", f"/v1/communities/{cid}/analytics/dashboard?from={d(89)}&to={d(0)}", manager),
    ("purchase-sale-stock, 500 products, 1 month", shop + f"/analytics/stock?from={d(60)}&to={d(31)}", carol),
]
label = "SQLite" if BACKEND == "sqlite" else "MariaDB"
print(f"| backend | orders | generated in | report | p50 ms | p99 ms |")
for name, path, token in cases:
    call(base, "GET", path, token=token)  # warm
    lat = []
    for _ in range(REQUESTS):
        t = time.perf_counter()
        call(base, "GET", path, token=token)
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    print(f"| {label} | {ORDERS:,} | {gen_s:.0f} s | {name} | {p(0.5):.1f} | {p(0.99):.1f} |", flush=True)
server.terminate()
server.wait()
if BACKEND != "sqlite":
    subprocess.run(mysql + ["-e", f"DROP DATABASE IF EXISTS {schema}"])
shutil.rmtree(work, ignore_errors=True)
