#!/usr/bin/env python3
"""Generates a community for the recommendations benchmark, straight into the database.

    recs_seed.py [--residents N] [--orders N] [--tokens N] [--seed S] sqlite -- PATH.db
    recs_seed.py [--residents N] [--orders N] [--tokens N] [--seed S] mysql -- MYSQL_CMD...

(--tokens-file: the residents' bearer tokens, one a line; --manager-token-file: the
community manager's.)

The schema must exist (start courtyard on the database once: migrations run at start-up).
Defaults: 10,000 residents, 1,000,000 completed orders (issue 12's size); smaller sizes by
argument (--residents 1000 --orders 50000 for a quick run).

Writes, in batched multi-row INSERTs (no API calls: this measures reads, not checkout):
one community with 10 buildings and a unit per resident; the residents (accounts and
resident memberships; the first --tokens of them with a bearer session each, tokens printed
to TOKENS_FILE); 20 approved merchants with 100 products each (5% of them created in the
last 30 days; each shop sells one of 8 categories); a manager with a bearer session; the
completed orders with 1-3 items each, from each resident's basket of about 25 products of 3
favourite shops (popularity skewed, so some pairs have thousands of buyers and most have
few), spread over the last 365 days; and the tables the order.completed subscribers maintain,
computed here with the subscribers' rules (the server's own maintenance is exercised by the
CTest suites, not by this script):
  recommendations  rec_orders, rec_profiles, rec_buyer_products, rec_pairs,
                   rec_building_products
  members          members_facts (building, last order), members_fact_spend (cents per
                   category and UTC day) and members_fact_spend_period (per 30-day period),
                   members_fact_customers, members_fact_merchant_spend(_period)
Prints `COMMUNITY=<id>`, `BUILDING=<id>` (the first), `MERCHANT=<id>` (the first, owned by the
first resident) and `CATEGORY=<name>`.
"""
import argparse
import hashlib
import json
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
ap.add_argument("--manager-token-file", default="manager_token.txt")
ap.add_argument("--seed", type=int, default=12)
ap.add_argument("--replay", type=int, default=20_000,
                help="the last N orders reach the tables through the server's own subscribers")
args = ap.parse_args()
rng = random.Random(args.seed)

BUILDINGS, MERCHANTS, PER_MERCHANT, BASKET, FAVOURITES = 10, 20, 100, 25, 3
CATEGORIES = ["bakery", "grocery", "baby", "dairy", "produce", "household", "drinks", "pets"]
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
manager = a0 + R
insert("accounts", ["id", "email", "display_name", "password_hash", "is_admin", "created_at"],
       [(manager, f"manager-{tag}@bench.test", "Bench manager", "!", 0, now)])
insert("memberships", ["id", "account_id", "community_id", "role", "unit_id", "merchant_id", "created_at"],
       [(m0 + R, manager, cid, "manager", 0, 0, now)])
manager_token = f"recs-{tag}-manager-{secrets.token_hex(16)}"
insert("sessions", ["id", "token_hash", "account_id", "created_at", "expires_at"],
       [(s0 + len(tokens), hashlib.sha256(manager_token.encode()).hexdigest(), manager, now, now + 30 * DAY)])
log(f"{R} residents in {BUILDINGS} buildings, a manager")

# ---- shops: merchants owned by the first residents, products with skewed popularity
mid0, p0 = max_id("merchants") + 1, max_id("products") + 1
merchants = [mid0 + i for i in range(MERCHANTS)]
insert("merchants", ["id", "community_id", "owner_id", "name", "category", "status", "rating_sum", "rating_count",
                     "created_at", "approved_at", "approved_by"],
       [(m, cid, account_of[i], f"Shop {i}", CATEGORIES[i % len(CATEGORIES)], "approved", 0, 0, now - 400 * DAY,
         now - 400 * DAY, 0) for i, m in enumerate(merchants)])
category_of = {}
products, price = {}, {}
rows = []
for i, m in enumerate(merchants):
    products[m] = []
    for j in range(PER_MERCHANT):
        pid = p0 + i * PER_MERCHANT + j
        created = now - rng.randrange(1, 30) * DAY if rng.random() < 0.05 else now - 400 * DAY
        price[pid] = rng.randrange(100, 3000)
        products[m].append(pid)
        category_of[pid] = CATEGORIES[i % len(CATEGORIES)]
        rows.append((pid, cid, m, f"Product {pid}", category_of[pid], price[pid], 1_000_000, 1, created, created))
insert("products", ["id", "community_id", "merchant_id", "name", "category", "price_cents", "stock", "active",
                    "created_at", "updated_at"], rows)
merchant_of = {p: m for m in merchants for p in products[m]}
# The first resident (tokens[0]) runs the first shop: a merchant membership for its segments.
insert("memberships", ["id", "account_id", "community_id", "role", "unit_id", "merchant_id", "created_at"],
       [(m0 + R + 1, account_of[0], cid, "merchant", 0, merchants[0], now)])
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
last_order = {}  # resident -> last order time
spend = Counter()  # (resident, category, day) -> cents
merchant_spend = Counter()  # (merchant, resident, category, day) -> cents
customers = {}  # (merchant, resident) -> [orders, cents, last order]
order_rows, item_rows, rec_order_rows = [], [], []
ORDER_COLS = ["id", "community_id", "merchant_id", "buyer_id", "unit_id", "status", "fulfilment", "subtotal_cents",
              "discount_cents", "total_cents", "created_at", "updated_at", "completed_at"]
ITEM_COLS = ["id", "community_id", "order_id", "product_id", "name", "category", "unit_price_cents", "quantity",
             "line_cents"]
oid, iid = o0, it0
P = max(0, args.orders - args.replay)  # orders before P: derived here; from P on: replayed
tail = []  # (resident, merchant, order id, products, time, total) of the replayed orders


def apply_order(i, m, items, at, total):
    for pid in items:
        spend[(i, category_of[pid], at // DAY)] += price[pid]
        merchant_spend[(m, i, category_of[pid], at // DAY)] += price[pid]
    last_order[i] = max(last_order.get(i, 0), at)
    c = customers.setdefault((m, i), [0, 0, 0])
    c[0] += 1
    c[1] += total
    c[2] = max(c[2], at)


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
        item_rows.append((iid, cid, oid, pid, f"Product {pid}", category_of[pid], price[pid], 1, price[pid]))
        iid += 1
        if n < P:
            key = (i, pid)
            if key not in first_at or at < first_at[key]:
                first_at[key] = at
    order_rows.append((oid, cid, m, account_of[i], unit_of[i], "completed", "pickup", total, 0, total, at, at, at))
    if n < P:
        apply_order(i, m, items, at, total)
        rec_order_rows.append((oid, cid, account_of[i], 1, at))
    else:
        tail.append((i, m, oid, items, at, total))
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
log(f"read model: {len(first_at)} buyer products, {len(pairs)} pairs "
    f"({sum(1 for v in pairs.values() if v >= 5)} with 5+ buyers), {len(by_building)} building products")

# ---- member facts, as members.facts_order (and members.facts_resident) leave them: a facts
# row per resident, cents per category and UTC day and per 30-day period (the community's
# and each merchant's), the merchants' customers.
insert("members_facts", ["community_id", "account_id", "building_id", "last_order_at", "updated_at"],
       ((cid, account_of[i], building_of[i], last_order.get(i), now) for i in range(R)))
insert("members_fact_spend", ["community_id", "category", "day", "account_id", "cents"],
       ((cid, k, d, account_of[i], v) for (i, k, d), v in spend.items()))
PERIOD = 30  # logic::kSpendPeriodDays: the same cents summed per 30-day period


def per_period(counter):
    out = Counter()
    for key, v in counter.items():
        out[key[:-1] + (key[-1] - key[-1] % PERIOD,)] += v
    return out


insert("members_fact_spend_period", ["community_id", "category", "period_day", "account_id", "cents"],
       ((cid, k, d, account_of[i], v) for (i, k, d), v in per_period(spend).items()))
insert("members_fact_merchant_spend_period",
       ["community_id", "merchant_id", "category", "period_day", "account_id", "cents"],
       ((cid, m, k, d, account_of[i], v) for (m, i, k, d), v in per_period(merchant_spend).items()))
insert("members_fact_customers", ["community_id", "merchant_id", "account_id", "orders", "cents", "last_order_at"],
       ((cid, m, account_of[i], c[0], c[1], c[2]) for (m, i), c in customers.items()))
insert("members_fact_merchant_spend", ["community_id", "merchant_id", "category", "day", "account_id", "cents"],
       ((cid, m, k, d, account_of[i], v) for (m, i, k, d), v in merchant_spend.items()))
log(f"member facts: {R} members, {len(spend)} spend rows, {len(merchant_spend)} merchant spend rows, "
    f"{len(customers)} customers")

# ---- the replayed tail: each order.completed in the outbox with a pending delivery to the two
# subscribers measured here (recommendations.order_completed, members.facts_order), which the
# server applies when it starts. What the tables must hold afterwards, by the subscribers'
# rules, is printed as EXPECT lines (recs_bench.sh compares them with the database).
e0 = max_id("events") + 1
d0 = max_id("event_deliveries") + 1
event_rows, delivery_rows = [], []
for k, (i, m, o, items, at, total) in enumerate(tail):
    payload = {"community_id": cid, "order_id": o, "merchant_id": m, "buyer_id": account_of[i], "total_cents": total,
               "points_spent": 0, "points_cents": 0, "tier_discount_cents": 0, "fulfilment": "pickup",
               "unit_id": unit_of[i], "status": "completed", "group_buy_id": 0}
    event_rows.append((e0 + k, "order.completed", cid, json.dumps(payload), at))
    for j, sub in enumerate(["recommendations.order_completed", "members.facts_order"]):
        delivery_rows.append((d0 + 2 * k + j, e0 + k, sub, "order.completed", "pending", 0, now, 0))
    apply_order(i, m, items, at, total)
    have = set(owned.get(i, []))
    for pid in items:
        if pid in have:
            continue
        by_building[(building_of[i], pid)] += 1
        pairs.update(a * SHIFT + pid for a in have)
        pairs.update(pid * SHIFT + a for a in have)
        have.add(pid)
    owned[i] = sorted(have)
insert("events", ["id", "topic", "community_id", "payload", "created_at"], event_rows)
insert("event_deliveries", ["id", "event_id", "subscriber", "topic", "status", "attempts", "due_at", "lease_until"],
       delivery_rows)
done()
log(f"replay: {len(tail)} order.completed events pending for 2 subscribers")
expect = {
    "rec_orders": args.orders,
    "rec_buyer_products": sum(len(ps) for ps in owned.values()),
    "rec_pairs_rows": len(pairs),
    "rec_pairs_buyers": sum(pairs.values()),
    "rec_building_products_buyers": sum(by_building.values()),
    "members_fact_spend_rows": len(spend),
    "members_fact_spend_cents": sum(spend.values()),
    "members_fact_merchant_spend_cents": sum(merchant_spend.values()),
    "members_fact_spend_period_rows": len(per_period(spend)),
    "members_fact_spend_period_cents": sum(spend.values()),
    "members_fact_merchant_spend_period_rows": len(per_period(merchant_spend)),
    "members_fact_customers_orders": sum(c[0] for c in customers.values()),
    "members_fact_customers_cents": sum(c[1] for c in customers.values()),
    "members_facts_last_order_at": sum(last_order.values()),
}
for k, v in expect.items():
    print(f"EXPECT {k}={v}")
with open(args.tokens_file, "w") as f:
    f.write("\n".join(tokens) + "\n")
with open(args.manager_token_file, "w") as f:
    f.write(manager_token + "\n")
print(f"COMMUNITY={cid}")
print(f"BUILDING={buildings[0]}")
print(f"MERCHANT={merchants[0]}")
print(f"CATEGORY={CATEGORIES[0]}")
