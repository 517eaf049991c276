#!/usr/bin/env python3
"""Analytics and search benchmark on a generated community (issue #14's size by default).

    analytics_bench.py COURTYARD_BIN (sqlite | mysql://root@127.0.0.1:PORT/)
        [--orders N] [--requests R] [--drive-rate OPS] [--drive-seconds S] [--skip-search]
        [--work DIR] [--keep] [--reuse] [--no-backfill] [--schema NAME] [--dump FILE]

--keep leaves the database (SQLite: DIR/bench.db; MariaDB: schema courtyard_analytics_bench, or
NAME with --schema, so that two people's runs on one server do not drop each other's);
--reuse measures a kept one again (steps 4 and 5 only, e.g. with another binary): pass the
same --work DIR and --orders; it runs the backfill again unless --no-backfill is given.
--dump FILE writes each measured report's response (JSON; the CSV as text) to FILE, so two
binaries' answers on one kept database can be compared (diff).

1. Starts courtyard with --demo on a fresh database (the demo community "Maple Court", its
   manager, and carol's Corner Bakery), stops it.
2. Generates through SQL, in multi-row INSERT batches of 1,000 rows (no LOAD DATA): 10,000
   residents (accounts and memberships), 49 more merchants, 50,000 products (500 for the
   bakery, the rest spread over the others; 70 % Latin names, 30 % Chinese), 8 coupons per
   merchant, N orders (default 1,000,000) over the two years before today with 1-3 lines each
   (the bakery takes 10 shares of the orders, each other merchant one), 2 % of them cancelled,
   every stock movement they make (sale, cancel, a purchase of 50 when a product runs out,
   a monthly stock-take adjustment) and a review for one order in ten. No rollup and no
   search-index row is written here.
3. Starts courtyard again and fills the rollups and the index the way the server does:
   POST /v1/communities/{cid}/analytics/backfill (timed), then waits for the
   shops.index_products job to index every product (timed).
4. Measures R sequential requests (default 200) of every merchant report route for a
   90-day range (carol's token, the bakery), the manager dashboard for 90 days, the
   purchase-sale-stock report of the bakery's 500 products for one month, and product
   searches (a mix of Latin and Chinese queries, a quarter with a category filter) over the
   50,000 products. Python urllib over loopback: each figure includes ~1 ms of client. The
   server's CPU time per request (user + system of its process over the R requests, /proc)
   is printed beside the wall times: on a loaded machine it is the part that does not wait.
5. With --drive-rate OPS (default 500) and --drive-seconds S (default 30; 0 skips it):
   inserts orders (with their lines and sale movements) and their order.placed events with
   one delivery per subscriber the server registered for the topic -- what the order route's
   transaction writes -- at OPS per second into the live database, and samples the backlog of
   undelivered order.placed deliveries and the analytics rollup's lag every second, then
   until the backlog drains.
Prints the generation, backfill and index times and one Markdown row per measurement.
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
import threading
import time
import urllib.parse
import urllib.request
import zoneinfo

args = sys.argv[1:]
if len(args) < 2:
    sys.exit(__doc__)
BIN, BACKEND = args[0], args[1]


def opt(name, default):
    return type(default)(args[args.index(name) + 1]) if name in args else default


ORDERS = opt("--orders", 1_000_000)
REQUESTS = opt("--requests", 200)
DRIVE_RATE = opt("--drive-rate", 500)
DRIVE_SECONDS = opt("--drive-seconds", 30)
KEEP = "--keep" in args or "--reuse" in args
REUSE = "--reuse" in args
BACKFILL = "--no-backfill" not in args
SEARCH = "--skip-search" not in args
DUMP = opt("--dump", "")
RESIDENTS, MERCHANTS, PRODUCTS, BAKERY_PRODUCTS, DAYS, BATCH = 10_000, 50, 50_000, 500, 730, 1000
ZONE = zoneinfo.ZoneInfo("Europe/London")
work = opt("--work", "") or tempfile.mkdtemp(prefix="courtyard-analytics-bench-")
os.makedirs(work, exist_ok=True)
env = dict(os.environ, COURTYARD_ADMIN_EMAIL="admin@bench.test", COURTYARD_ADMIN_PASSWORD="bench-admin-password-1")
label = "SQLite" if BACKEND == "sqlite" else "MariaDB"

if BACKEND == "sqlite":
    import sqlite3
    db_url = f"sqlite3://{work}/bench.db"
else:
    m = re.match(r"mysql://([^@]*)@([^:/]+):(\d+)/?", BACKEND)
    if not m:
        sys.exit("backend: sqlite or mysql://user@host:port/")
    user, host, port = m.groups()
    schema = opt("--schema", "courtyard_analytics_bench")
    if not re.fullmatch(r"[A-Za-z0-9_]+", schema):
        sys.exit("--schema: letters, digits and _ only")
    mysql = ["mariadb", "--no-defaults", "-u" + user.split(":")[0], "-h" + host, "-P" + port]
    if not REUSE:
        subprocess.run(mysql + ["-e", f"DROP DATABASE IF EXISTS {schema}; CREATE DATABASE {schema}"], check=True)
    db_url = f"mysql://{user}@{host}:{port}/{schema}"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def start():
    services = "identity,wallet,property,shops,clubs,delivery,notifications,webhooks,members,analytics"
    p = subprocess.Popen([BIN, "--listen", "127.0.0.1:0", "--db", db_url, "--demo", "--log-level", "warn",
                          "--services", services, "--rate-limit-rps", "0"],
                         stdout=subprocess.PIPE, stderr=open(f"{work}/server.log", "a"), env=env, text=True)
    for line in p.stdout:
        if "listening on" in line:
            threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
            return p, line.split("listening on")[1].strip()
    sys.exit("courtyard did not start; see " + work + "/server.log")


def call(base, method, path, body=None, token=None, timeout=3600):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"{}")


# ---- SQL access: multi-row INSERTs in batches, and single queries
class Sql:
    def __init__(self):
        if BACKEND == "sqlite":
            self.conn = sqlite3.connect(f"{work}/bench.db", timeout=60, isolation_level=None)
            self.conn.execute("PRAGMA busy_timeout = 60000")
            self.conn.execute("PRAGMA synchronous = NORMAL")
        else:
            self.pipe = None

    def query(self, q):
        if BACKEND == "sqlite":
            return self.conn.execute(q).fetchall()
        out = subprocess.run(mysql + ["-N", "-B", schema, "-e", q], check=True, capture_output=True, text=True).stdout
        return [tuple(int(v) if re.fullmatch(r"-?\d+", v) else v for v in line.split("\t"))
                for line in out.splitlines()]

    def insert(self, table, cols, rows):
        """Multi-row INSERT statements of up to BATCH rows."""
        for i in range(0, len(rows), BATCH):
            chunk = rows[i:i + BATCH]
            if BACKEND == "sqlite":
                one = "(" + ",".join("?" * len(cols)) + ")"
                self.conn.execute(f"INSERT INTO {table} ({','.join(cols)}) VALUES " + ",".join([one] * len(chunk)),
                                  [v for r in chunk for v in r])
            else:
                self.mysql_pipe().stdin.write(f"INSERT INTO {table} ({','.join(cols)}) VALUES " +
                                              ",".join("(" + ",".join(lit(v) for v in r) + ")" for r in chunk) + ";\n")

    def begin(self):
        if BACKEND == "sqlite":
            self.conn.execute("BEGIN")
        else:
            self.mysql_pipe().stdin.write("START TRANSACTION;\n")

    def commit(self):
        if BACKEND == "sqlite":
            self.conn.execute("COMMIT")
        else:
            self.mysql_pipe().stdin.write("COMMIT;\n")
            self.mysql_pipe().stdin.flush()

    def mysql_pipe(self):
        if self.pipe is None:
            self.pipe = subprocess.Popen(mysql + [schema], stdin=subprocess.PIPE, text=True)
        return self.pipe

    def close(self):
        if BACKEND == "sqlite":
            self.conn.close()
        elif self.pipe is not None:
            self.pipe.stdin.close()
            if self.pipe.wait():
                sys.exit("mariadb client failed")
            self.pipe = None


def lit(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("\\", "\\\\").replace("'", "''") + "'"


if REUSE and BACKEND == "sqlite" and not os.path.exists(f"{work}/bench.db"):
    sys.exit(f"--reuse: no {work}/bench.db")
# ---- 1. the demo, for its community, manager and bakery
server, base = start()
manager = call(base, "POST", "/v1/auth/login", {"email": "manager@demo.courtyard.local", "password": "courtyard-demo"})["token"]
carol = call(base, "POST", "/v1/auth/login", {"email": "carol@demo.courtyard.local", "password": "courtyard-demo"})["token"]
me = call(base, "GET", "/v1/me", token=carol)
cid = me["roles"][0]["community_id"]
bakery = [r for r in me["roles"] if r["role"] == "merchant"][0]["merchant_id"]
server.terminate()
server.wait()

# ---- 2. generation
LATIN = ("organic fresh eggs milk bread rice apple banana tomato cheese butter yogurt coffee tea green red large small "
         "family pack sourdough rye noodles tofu soy sauce chicken beef pork fish salmon shrimp orange lemon garlic "
         "onion potato carrot cabbage spinach honey jam cereal oat flour sugar salt pepper olive oil wine beer juice "
         "water soap shampoo towel tissue battery charger cable lamp candle flower plant seed dog cat food toy").split()
CJK = ("有机 鸡蛋 牛奶 面包 大米 苹果 香蕉 番茄 奶酪 咖啡 绿茶 豆腐 酱油 鸡肉 牛肉 猪肉 鲜鱼 虾仁 橙子 柠檬 大蒜 洋葱 "
       "土豆 胡萝卜 白菜 菠菜 蜂蜜 果酱 燕麦 面粉").split()
CATEGORIES = ["grocery", "bakery", "dairy", "produce", "meat", "seafood", "drinks", "household", "electronics",
              "garden", "pets", "pharmacy"]
if not REUSE:
    t0 = time.time()
    sql = Sql()
    rng = random.Random(14)
    now = int(time.time() * 1000)
    start_ms = now - DAYS * 86_400_000
    A0, MID0, PID0, CPN0 = 2_000_000, 100_000, 1_000_000, 100_000
    unit = sql.query(f"SELECT MIN(id) FROM units WHERE community_id = {cid}")[0][0] or 0
    sql.begin()
    sql.insert("accounts", ["id", "email", "display_name", "password_hash", "is_admin", "created_at"],
               [(A0 + i, f"r{i}@bench.test", f"Resident {i}", "x", 0, start_ms) for i in range(1, RESIDENTS + 1)])
    sql.insert("memberships", ["account_id", "community_id", "role", "unit_id", "merchant_id", "created_at"],
               [(A0 + i, cid, "resident", unit, 0, start_ms) for i in range(1, RESIDENTS + 1)])
    merchants = [bakery] + [MID0 + i for i in range(1, MERCHANTS)]
    sql.insert("merchants", ["id", "community_id", "owner_id", "name", "category", "status", "created_at"],
               [(m, cid, A0 + i, f"Bench shop {m}", CATEGORIES[i % len(CATEGORIES)], "approved", start_ms)
                for i, m in enumerate(merchants) if i])
    products, prows, pid = {}, [], PID0
    per_other = (PRODUCTS - BAKERY_PRODUCTS) // (MERCHANTS - 1)
    for i, m in enumerate(merchants):
        products[m] = []
        n = BAKERY_PRODUCTS if m == bakery else per_other + (1 if i <= (PRODUCTS - BAKERY_PRODUCTS) % (MERCHANTS - 1) else 0)
        for _ in range(n):
            pid += 1
            cjk = rng.random() < 0.3
            words = [rng.choice(CJK if cjk else LATIN) for _ in range(rng.randint(2, 4))]
            name = ("".join(words) if cjk else " ".join(words)) + f" {pid - PID0}"
            cat, price = rng.choice(CATEGORIES), rng.randint(100, 3000)
            products[m].append((pid, cat, price, name))
            prows.append([pid, cid, m, name, cat, price, 0, 1, start_ms, start_ms])
    stock = {p[0]: 0 for m in merchants for p in products[m]}
    # 8 coupons per merchant, one per quarter, 10 % off
    coupons = {}
    crow, cpn = [], CPN0
    for m in merchants:
        for q in range(8):
            cpn += 1
            begin = start_ms + q * (DAYS // 8) * 86_400_000
            coupons.setdefault(m, []).append((cpn, f"Q{q}M{m}", begin, begin + (DAYS // 8) * 86_400_000))
    redemptions = {}

    weights = [10 if m == bakery else 1 for m in merchants]
    oid, iid, mvid, rid = 10_000_000, 10_000_000, 10_000_000, 10_000_000
    orders, items, moves, reviews = [], [], [], []
    last_stocktake = {}
    FLUSH = 20_000


    def flush():
        sql.insert("orders", ["id", "community_id", "merchant_id", "buyer_id", "unit_id", "status", "fulfilment",
                              "subtotal_cents", "discount_cents", "total_cents", "coupon_id", "coupon_code",
                              "redemption_code", "group_buy_id", "created_at", "updated_at", "cancelled_at"], orders)
        sql.insert("order_items", ["id", "community_id", "order_id", "product_id", "name", "category", "unit_price_cents",
                                   "quantity", "line_cents"], items)
        sql.insert("stock_movements", ["id", "community_id", "merchant_id", "product_id", "delta", "reason", "order_id",
                                       "actor", "stock_after", "at"], moves)
        sql.insert("reviews", ["id", "community_id", "merchant_id", "order_id", "buyer_id", "rating", "body",
                               "created_at"], reviews)
        sql.commit()
        sql.begin()
        for lst in (orders, items, moves, reviews):
            lst.clear()


    for n in range(ORDERS):
        at = start_ms + (n * (DAYS * 86_400_000)) // ORDERS + rng.randint(0, 60_000)
        m = rng.choices(merchants, weights)[0]
        buyer = A0 + rng.randint(1, RESIDENTS)
        lines = rng.sample(products[m], rng.randint(1, 3))
        oid += 1
        sub = 0
        cancelled = rng.random() < 0.02
        for (p, cat, price, name) in lines:
            q = rng.randint(1, 3)
            iid += 1
            sub += q * price
            items.append((iid, cid, oid, p, name, cat, price, q, q * price))
            if stock[p] < q:  # restock when a product runs out
                mvid += 1
                stock[p] += 50
                moves.append((mvid, cid, m, p, 50, "purchase", None, A0, stock[p], at - 1))
            month = at // (30 * 86_400_000)
            if last_stocktake.get(p) != month and stock[p] > q and rng.random() < 0.3:  # a stock-take finds one missing
                last_stocktake[p] = month
                mvid += 1
                stock[p] -= 1
                moves.append((mvid, cid, m, p, -1, "adjustment", None, A0, stock[p], at - 1))
            stock[p] -= q
            mvid += 1
            moves.append((mvid, cid, m, p, -q, "sale", oid, buyer, stock[p], at))
            if cancelled:
                stock[p] += q
                mvid += 1
                moves.append((mvid, cid, m, p, q, "cancel", oid, buyer, stock[p], at + 60_000))
        coupon = None
        if rng.random() < 0.1:
            coupon = next((c for c in coupons[m] if c[2] <= at < c[3]), None)
        discount = sub // 10 if coupon else 0
        if coupon:
            redemptions[coupon[0]] = redemptions.get(coupon[0], 0) + 1
        orders.append((oid, cid, m, buyer, unit, "cancelled" if cancelled else "completed", "pickup", sub, discount,
                       sub - discount, coupon[0] if coupon else None, coupon[1] if coupon else None, None, None, at, at,
                       at + 60_000 if cancelled else None))
        if not cancelled and rng.random() < 0.1:
            rid += 1
            reviews.append((rid, cid, m, oid, buyer, rng.choice([3, 4, 4, 5, 5, 5, 2, 1]), "", at + 86_400_000))
        if len(orders) >= FLUSH:
            flush()
            if n % 100_000 < FLUSH:
                log(f"  {n + 1:,} orders in {time.time() - t0:.0f} s")
    flush()
    for p in prows:
        p[6] = stock[p[0]]
    sql.insert("products", ["id", "community_id", "merchant_id", "name", "category", "price_cents", "stock", "active",
                            "created_at", "updated_at"], prows)
    sql.insert("coupons", ["id", "community_id", "merchant_id", "code", "percent_off", "amount_off_cents",
                           "min_spend_cents", "max_redemptions", "redemptions", "expires_at", "created_at"],
               [(c[0], cid, m, c[1], 10, None, 0, 1_000_000, redemptions.get(c[0], 0), c[3], c[2])
                for m in merchants for c in coupons[m]])
    sql.commit()
    sql.close()
    gen_s = time.time() - t0
    log(f"generated {ORDERS:,} orders, {iid - 10_000_000:,} lines, {mvid - 10_000_000:,} movements, "
        f"{rid - 10_000_000:,} reviews in {gen_s:.0f} s")

else:  # a kept database: what steps 4 and 5 need from it
    sql = Sql()
    rng = random.Random(15)
    A0 = 2_000_000
    unit = sql.query(f"SELECT MIN(id) FROM units WHERE community_id = {cid}")[0][0] or 0
    merchants = [bakery] + [r[0] for r in sql.query(f"SELECT id FROM merchants WHERE id >= 100000 ORDER BY id")]
    weights = [10 if m == bakery else 1 for m in merchants]
    products = {m: [] for m in merchants}
    for (p, m, cat, price, name) in sql.query("SELECT id, merchant_id, category, price_cents, name FROM products "
                                              "WHERE id > 1000000"):
        products[m].append((p, cat, price, name))
    oid, iid, mvid = (sql.query(f"SELECT MAX(id) FROM {t}")[0][0] for t in ("orders", "order_items", "stock_movements"))
    gen_s = 0

# ---- 3. the server's backfill and index build
server, base = start()
manager = call(base, "POST", "/v1/auth/login", {"email": "manager@demo.courtyard.local", "password": "courtyard-demo"})["token"]
carol = call(base, "POST", "/v1/auth/login", {"email": "carol@demo.courtyard.local", "password": "courtyard-demo"})["token"]
t1 = time.time()
counted = {} if not BACKFILL else call(base, "POST", f"/v1/communities/{cid}/analytics/backfill", {}, token=manager)
backfill_s = time.time() - t1
log(f"backfill: {counted} in {backfill_s:.0f} s")
sql = Sql()
t1 = time.time()
total_products = sql.query("SELECT COUNT(*) FROM products WHERE active = 1")[0][0]
indexed = 0
while SEARCH:
    indexed = sql.query("SELECT COUNT(*) FROM product_search_state")[0][0]
    if indexed >= total_products:
        break
    time.sleep(1)
index_s = time.time() - t1  # includes up to one job interval of waiting for the first run
log(f"search index: {indexed:,} products in {index_s:.0f} s")
print(f"\n{label}: {ORDERS:,} orders generated in {gen_s:.0f} s; backfill {backfill_s:.0f} s ({counted}); "
      f"search index of {indexed:,} products {index_s:.0f} s; load {open('/proc/loadavg').read().split()[:3]}")

# ---- 4. measurement
today = dt.datetime.now(ZONE).date()
d = lambda days: (today - dt.timedelta(days=days)).isoformat()
shop = f"/v1/communities/{cid}/merchants/{bakery}"
r90 = f"from={d(89)}&to={d(0)}"
cases = [(f"merchant {name}, 90 days", shop + f"/analytics/{name}?{r90}", carol)
         for name in ["overview", "sales", "products", "categories", "promotions", "ratings"]]
cases += [
    ("merchant sales by week, 90 days", shop + f"/analytics/sales?{r90}&grain=week", carol),
    ("merchant products, 90 days, CSV", shop + f"/analytics/products?{r90}&format=csv", carol),
    ("manager dashboard, 90 days", f"/v1/communities/{cid}/analytics/dashboard?{r90}", manager),
    ("purchase-sale-stock, 500 products, 1 month", shop + f"/analytics/stock?from={d(60)}&to={d(31)}", carol),
    ("purchase-sale-stock, 500 products, 1 month, CSV (streamed)",
     shop + f"/analytics/stock?from={d(60)}&to={d(31)}&format=csv", carol),
]
srng = random.Random(7)


def search_path():
    kind = srng.randrange(5)
    if kind == 0:
        q = srng.choice(LATIN)
    elif kind == 1:
        q = srng.choice(LATIN) + " " + srng.choice(LATIN)
    elif kind == 2:
        q = srng.choice(CJK)
    elif kind == 3:
        q = srng.choice(CJK) + srng.choice(CJK)
    else:
        q = srng.choice(["unicorn", "spaceship", "独角兽"])
    p = f"/v1/communities/{cid}/products?q={urllib.parse.quote(q)}"
    return p + (f"&category={srng.choice(CATEGORIES)}" if srng.random() < 0.25 else "")


def get_raw(path, token):
    req = urllib.request.Request(base + path)
    req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.read()


def server_cpu_ms():
    """CPU time (user + system) the server process has used, in ms (the kernel's 10 ms ticks)."""
    fields = open(f"/proc/{server.pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


print(f"| backend | orders | report | requests | p50 ms | p99 ms | max ms | server CPU ms/request | load |")
print(f"| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
searches = [("product search, 50,000 products, Latin and Chinese", None, carol)] if SEARCH else []
dumped = {}
for name, path, token in (cases + searches) if REQUESTS > 0 else []:
    body = get_raw(path or search_path(), token)  # warm
    if path:
        dumped[name] = body.decode()
    lat = []
    cpu0 = server_cpu_ms()
    for _ in range(REQUESTS):
        p = path or search_path()
        t = time.perf_counter()
        get_raw(p, token)
        lat.append((time.perf_counter() - t) * 1000)
    cpu = (server_cpu_ms() - cpu0) / REQUESTS
    lat.sort()
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    load = open("/proc/loadavg").read().split()[0]
    print(f"| {label} | {ORDERS:,} | {name} | {REQUESTS} | {p(0.5):.1f} | {p(0.99):.1f} | {lat[-1]:.1f} | {cpu:.1f} "
          f"| {load} |", flush=True)
if DUMP:  # and some other ranges, answered once each (not timed)
    for a, b in [(200, 150), (45, 44), (729, 0), (33, 3), (400, 17)]:
        rng_q = f"from={d(a)}&to={d(b)}"
        for name, path, token in [("overview", shop + f"/analytics/overview?{rng_q}", carol),
                                  ("products", shop + f"/analytics/products?{rng_q}", carol),
                                  ("dashboard", f"/v1/communities/{cid}/analytics/dashboard?{rng_q}", manager)]:
            dumped[f"{name} {rng_q}"] = get_raw(path, token).decode()
    with open(DUMP, "w") as f:
        json.dump(dumped, f, indent=1, sort_keys=True)

# ---- 5. rollups under a stream of orders
if DRIVE_SECONDS > 0:
    subs = [r[0] for r in sql.query("SELECT subscriber FROM event_subscribers WHERE topic = 'order.placed'")]
    if not subs:
        subs = ["analytics.order_placed"]
    ev0 = sql.query("SELECT COALESCE(MAX(id), 0) FROM events")[0][0] + 1_000_000
    dv0 = sql.query("SELECT COALESCE(MAX(id), 0) FROM event_deliveries")[0][0] + 1_000_000
    sent = [0]
    stop = [False]

    def driver():
        nonlocal_state = {"oid": oid + 1_000_000, "iid": iid + 1_000_000, "mv": mvid + 1_000_000, "ev": ev0, "dv": dv0}
        drive = Sql()  # its own connection, in this thread
        tick = 0.1
        per_tick = DRIVE_RATE * tick
        due = 0.0
        t_start = time.time()
        while not stop[0] and time.time() - t_start < DRIVE_SECONDS:
            due += per_tick
            k = int(due) - sent[0]
            if k > 0:
                o, it, mv, ev, dv = [], [], [], [], []
                at = int(time.time() * 1000)
                for _ in range(k):
                    s = nonlocal_state
                    s["oid"] += 1
                    m = rng.choices(merchants, weights)[0]
                    buyer = A0 + rng.randint(1, RESIDENTS)
                    sub = 0
                    for (p, cat, price, name) in rng.sample(products[m], rng.randint(1, 3)):
                        q = rng.randint(1, 3)
                        s["iid"] += 1
                        s["mv"] += 1
                        sub += q * price
                        it.append((s["iid"], cid, s["oid"], p, name, cat, price, q, q * price))
                        mv.append((s["mv"], cid, m, p, -q, "sale", s["oid"], buyer, 0, at))
                    o.append((s["oid"], cid, m, buyer, unit, "placed", "pickup", sub, 0, sub, at, at))
                    s["ev"] += 1
                    ev.append((s["ev"], "order.placed", cid, json.dumps({"order_id": s["oid"], "merchant_id": m}), at))
                    for sub_name in subs:
                        s["dv"] += 1
                        dv.append((s["dv"], s["ev"], sub_name, "order.placed", "pending", 0, at, 0))
                drive.begin()
                drive.insert("orders", ["id", "community_id", "merchant_id", "buyer_id", "unit_id", "status",
                                        "fulfilment", "subtotal_cents", "discount_cents", "total_cents", "created_at",
                                        "updated_at"], o)
                drive.insert("order_items", ["id", "community_id", "order_id", "product_id", "name", "category",
                                             "unit_price_cents", "quantity", "line_cents"], it)
                drive.insert("stock_movements", ["id", "community_id", "merchant_id", "product_id", "delta", "reason",
                                                 "order_id", "actor", "stock_after", "at"], mv)
                drive.insert("events", ["id", "topic", "community_id", "payload", "created_at"], ev)
                drive.insert("event_deliveries", ["id", "event_id", "subscriber", "topic", "status", "attempts",
                                                  "due_at", "lease_until"], dv)
                drive.commit()
                sent[0] += k
            time.sleep(max(0.0, t_start + (sent[0] / DRIVE_RATE) - time.time()))
        drive.close()

    print(f"\nDriving order.placed at {DRIVE_RATE}/s for {DRIVE_SECONDS} s ({len(subs)} subscribers: {', '.join(subs)})")
    print("| t s | orders sent | pending order.placed deliveries | pending analytics.order_placed | load |")
    print("| --- | --- | --- | --- | --- |")
    th = threading.Thread(target=driver)
    t_start = time.time()
    th.start()
    samples, printed = [], [0]
    ana_drained = [None]  # seconds after the last order when analytics' backlog was first empty
    while True:
        time.sleep(1)
        t = time.time() - t_start
        pend = sql.query(f"SELECT subscriber, COUNT(*) FROM event_deliveries WHERE status = 'pending' "
                         f"AND event_id > {ev0} GROUP BY subscriber")
        total = sum(r[1] for r in pend)
        ana = sum(r[1] for r in pend if r[0] == "analytics.order_placed")
        load = open("/proc/loadavg").read().split()[0]
        samples.append((t, sent[0], total, ana))
        if int(t) // 5 != printed[0] or not th.is_alive():
            printed[0] = int(t) // 5
            print(f"| {t:.0f} | {sent[0]:,} | {total:,} | {ana:,} | {load} |", flush=True)
        if not th.is_alive() and ana == 0 and ana_drained[0] is None:
            ana_drained[0] = max(0.0, t - DRIVE_SECONDS)
        # Every subscriber's backlog, not only the rollups': all of them share the dispatcher.
        if not th.is_alive() and (total == 0 or t > DRIVE_SECONDS * 4):
            break
    th.join()
    rate = sent[0] / min(DRIVE_SECONDS, samples[-1][0])
    print(f"sent {sent[0]:,} orders in {DRIVE_SECONDS} s ({rate:.0f}/s); the analytics backlog drained "
          f"{ana_drained[0]:.0f} s after the last order" if ana_drained[0] is not None else
          f"sent {sent[0]:,}; analytics backlog still {samples[-1][3]:,} at {samples[-1][0]:.0f} s")
    print(f"every order.placed delivery (all {len(subs)} subscribers) done {samples[-1][0] - DRIVE_SECONDS:.0f} s "
          f"after the last order; peak backlog {max(x[2] for x in samples):,}" if samples[-1][2] == 0 else
          f"order.placed deliveries still pending: {samples[-1][2]:,} at {samples[-1][0]:.0f} s")

server.terminate()
server.wait()
if KEEP:
    log("kept", work, db_url)
else:
    if BACKEND != "sqlite":
        subprocess.run(mysql + ["-e", f"DROP DATABASE IF EXISTS {schema}"])
    shutil.rmtree(work, ignore_errors=True)
