#!/usr/bin/env python3
"""Generates a community for the recommendations benchmark, straight into the database.

    recs_seed.py [--residents N] [--orders N] [--tokens N] [--seed S] sqlite -- PATH.db
    recs_seed.py [--residents N] [--orders N] [--tokens N] [--seed S] mysql -- MYSQL_CMD...

The schema must exist (start courtyard on the database once: migrations run at start-up).
Defaults: 10,000 residents, 1,000,000 completed orders (issue 12's size); smaller sizes by
argument (--residents 1000 --orders 50000 for a quick run).

Writes, in batched multi-row INSERTs (no API calls: this measures reads, not checkout):
one community with 10 buildings and a unit per resident; the residents (accounts and
resident memberships; the first --tokens of them with a bearer session each, tokens printed
to TOKENS_FILE); 20 approved merchants with 100 products each (5% of them created in the
last 30 days); the completed orders with 1-3 items each, from each resident's basket of
about 25 products of 3 favourite shops (popularity skewed, so some pairs have thousands of
buyers and most have few); and the recommendation read model exactly as the
order.completed subscriber would have left it (rec_orders, rec_profiles,
rec_buyer_products, rec_pairs, rec_building_products). Prints `COMMUNITY=<id>`.
"""
import argparse
import hashlib
import random
import secrets
import sqlite3
import subprocess
import sys
import time
from collections import Counter

ap = argparse.ArgumentParser()
ap.add_argument("backend", choices=["sqlite", "mysql"])
ap.add_argument("target", nargs="+", help="sqlite: the database file; mysql: a mariadb command line")
ap.add_argument("--residents", type=int, default=10_000)
ap.add_argument("--orders", type=int, default=1_000_000)
ap.add_argument("--tokens", type=int, default=1000)
ap.add_argument("--tokens-file", default="tokens.txt")
ap.add_argument("--seed", type=int, default=12)
args = ap.parse_args()
rng = random.Random(args.seed)

BUILDINGS, MERCHANTS, PER_MERCHANT, BASKET, FAVOURITES = 10, 20, 100, 25, 3
DAY = 86_400_000
now = int(time.time() * 1000)
t0 = time.time()


def log(msg):
    print(f"recs_seed: {msg} ({time.time() - t0:.1f} s)", file=sys.stderr, flush=True)


# ---- the backend: a max-id query and batched inserts
if args.backend == "sqlite":
    con = sqlite3.connect(args.target[0], timeout=60)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")

    def max_id(table, col="id"):
        return con.execute(f"SELECT COALESCE(MAX({col}), 0) FROM {table}").fetchone()[0]

    def insert(table, cols, rows):
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        con.executemany(sql, rows)

    def done():
        con.commit()
else:
    mysql_cmd = args.target
    proc = None

    def max_id(table, col="id"):
        out = subprocess.run(mysql_cmd + ["-N", "-B", "-e", f"SELECT COALESCE(MAX({col}), 0) FROM {table}"],
                             capture_output=True, text=True, check=True).stdout
        return int(out.strip())

    def lit(v):
        if v is None:
            return "NULL"
        if isinstance(v, str):
            return "'" + v.replace("\\", "\\\\").replace("'", "''") + "'"
        return str(v)

    def insert(table, cols, rows):
        global proc
        if proc is None:
            proc = subprocess.Popen(mysql_cmd, stdin=subprocess.PIPE, text=True)
            proc.stdin.write("SET unique_checks=0; SET foreign_key_checks=0; SET autocommit=0;\n")
        head = f"INSERT INTO {table} ({', '.join(cols)}) VALUES "
        batch = []
        for r in rows:
            batch.append("(" + ",".join(lit(v) for v in r) + ")")
            if len(batch) == 5000:
                proc.stdin.write(head + ",".join(batch) + ";\n")
                batch = []
        if batch:
            proc.stdin.write(head + ",".join(batch) + ";\n")
        proc.stdin.write("COMMIT;\n")

    def done():
        if proc:
            proc.stdin.write("COMMIT;\n")
            proc.stdin.close()
            if proc.wait() != 0:
                sys.exit("recs_seed: mariadb failed")

# ---- places and people
cid = max_id("communities") + 1
insert("communities", ["id", "name", "address", "timezone", "created_at"],
       [(cid, f"Bench {cid}", "1 Bench Street", "UTC", now)])
b0 = max_id("buildings") + 1
buildings = [b0 + i for i in range(BUILDINGS)]
insert("buildings", ["id", "community_id", "name", "created_at"],
       [(b, cid, f"Block {chr(65 + i)}", now) for i, b in enumerate(buildings)])
u0, a0, m0 = max_id("units") + 1, max_id("accounts") + 1, max_id("memberships") + 1
R = args.residents
unit_of = [u0 + i for i in range(R)]
building_of = [buildings[i % BUILDINGS] for i in range(R)]
account_of = [a0 + i for i in range(R)]
insert("units", ["id", "community_id", "building_id", "unit_number", "created_at"],
       ((unit_of[i], cid, building_of[i], str(i + 1), now) for i in range(R)))
tag = secrets.token_hex(4)
insert("accounts", ["id", "email", "display_name", "password_hash", "is_admin", "created_at"],
       ((account_of[i], f"r{i}-{tag}@bench.test", f"Resident {i}", "!", 0, now) for i in range(R)))
insert("memberships", ["id", "account_id", "community_id", "role", "unit_id", "merchant_id", "created_at"],
       ((m0 + i, account_of[i], cid, "resident", unit_of[i], 0, now - rng.randrange(0, 1500) * DAY) for i in range(R)))
s0 = max_id("sessions") + 1
tokens = [f"recs-{tag}-{i}-{secrets.token_hex(16)}" for i in range(min(args.tokens, R))]
insert("sessions", ["id", "token_hash", "account_id", "created_at", "expires_at"],
       ((s0 + i, hashlib.sha256(t.encode()).hexdigest(), account_of[i], now, now + 30 * DAY) for i, t in enumerate(tokens)))
log(f"{R} residents in {BUILDINGS} buildings")

# ---- shops: merchants owned by the first residents, products with skewed popularity
mid0, p0 = max_id("merchants") + 1, max_id("products") + 1
merchants = [mid0 + i for i in range(MERCHANTS)]
insert("merchants", ["id", "community_id", "owner_id", "name", "category", "status", "rating_sum", "rating_count",
                     "created_at", "approved_at", "approved_by"],
       [(m, cid, account_of[i], f"Shop {i}", "grocery", "approved", 0, 0, now - 400 * DAY, now - 400 * DAY, 0)
        for i, m in enumerate(merchants)])
products, price = {}, {}
rows = []
for i, m in enumerate(merchants):
    products[m] = []
    for j in range(PER_MERCHANT):
        pid = p0 + i * PER_MERCHANT + j
        created = now - rng.randrange(1, 30) * DAY if rng.random() < 0.05 else now - 400 * DAY
        price[pid] = rng.randrange(100, 3000)
        products[m].append(pid)
        rows.append((pid, cid, m, f"Product {pid}", "grocery", price[pid], 1_000_000, 1, created, created))
insert("products", ["id", "community_id", "merchant_id", "name", "category", "price_cents", "stock", "active",
                    "created_at", "updated_at"], rows)
merchant_of = {p: m for m in merchants for p in products[m]}
merchant_weights = [1.0 / (k + 1) for k in range(MERCHANTS)]
product_weights = [1.0 / (k + 1) ** 0.8 for k in range(PER_MERCHANT)]
log(f"{MERCHANTS} merchants, {MERCHANTS * PER_MERCHANT} products")

# ---- baskets and orders
baskets = []
for i in range(R):
    favs = set()
    while len(favs) < FAVOURITES:
        favs.add(rng.choices(merchants, merchant_weights)[0])
    basket = {}
    for m in favs:
        for pid in rng.choices(products[m], product_weights, k=BASKET // FAVOURITES + 1):
            basket.setdefault(m, set()).add(pid)
    baskets.append({m: sorted(ps) for m, ps in basket.items()})

o0, it0 = max_id("orders") + 1, max_id("order_items") + 1
first_at = {}  # (resident, product) -> first purchase time
order_rows, item_rows, rec_order_rows = [], [], []
ORDER_COLS = ["id", "community_id", "merchant_id", "buyer_id", "unit_id", "status", "fulfilment", "subtotal_cents",
              "discount_cents", "total_cents", "created_at", "updated_at", "completed_at"]
ITEM_COLS = ["id", "community_id", "order_id", "product_id", "name", "category", "unit_price_cents", "quantity",
             "line_cents"]
oid, iid = o0, it0
for n in range(args.orders):
    i = n % R
    shops = list(baskets[i].keys())
    m = shops[rng.randrange(len(shops))]
    basket = baskets[i][m]
    items = rng.sample(basket, min(len(basket), rng.randint(1, 3)))
    at = now - rng.randrange(0, 365 * DAY)
    total = 0
    for pid in items:
        total += price[pid]
        item_rows.append((iid, cid, oid, pid, f"Product {pid}", "grocery", price[pid], 1, price[pid]))
        iid += 1
        key = (i, pid)
        if key not in first_at or at < first_at[key]:
            first_at[key] = at
    order_rows.append((oid, cid, m, account_of[i], unit_of[i], "completed", "pickup", total, 0, total, at, at, at))
    rec_order_rows.append((oid, cid, account_of[i], 1, at))
    oid += 1
    if len(order_rows) >= 100_000:
        insert("orders", ORDER_COLS, order_rows)
        insert("order_items", ITEM_COLS, item_rows)
        insert("rec_orders", ["order_id", "community_id", "account_id", "counted", "created_at"], rec_order_rows)
        order_rows, item_rows, rec_order_rows = [], [], []
        log(f"{n + 1} orders")
insert("orders", ORDER_COLS, order_rows)
insert("order_items", ITEM_COLS, item_rows)
insert("rec_orders", ["order_id", "community_id", "account_id", "counted", "created_at"], rec_order_rows)
log(f"{args.orders} orders, {iid - it0} items")

# ---- the read model, as the subscriber builds it
owned = {}
for (i, pid), at in first_at.items():
    owned.setdefault(i, []).append(pid)
insert("rec_profiles", ["community_id", "account_id", "updated_at"], ((cid, account_of[i], now) for i in owned))
insert("rec_buyer_products", ["community_id", "account_id", "product_id", "merchant_id", "building_id", "first_at"],
       ((cid, account_of[i], pid, merchant_of[pid], building_of[i], at) for (i, pid), at in first_at.items()))
pairs, by_building = Counter(), Counter()
SHIFT = 1 << 32
for i, ps in owned.items():
    ps.sort()
    b = building_of[i]
    by_building.update((b, p) for p in ps)
    pairs.update(a * SHIFT + c for a in ps for c in ps if a != c)
insert("rec_pairs", ["community_id", "product_id", "other_id", "buyers"],
       ((cid, k // SHIFT, k % SHIFT, v) for k, v in pairs.items()))
insert("rec_building_products", ["community_id", "building_id", "product_id", "buyers"],
       ((cid, b, p, v) for (b, p), v in by_building.items()))
done()
log(f"read model: {len(first_at)} buyer products, {len(pairs)} pairs "
    f"({sum(1 for v in pairs.values() if v >= 5)} with 5+ buyers), {len(by_building)} building products")
with open(args.tokens_file, "w") as f:
    f.write("\n".join(tokens) + "\n")
print(f"COMMUNITY={cid}")
