#!/usr/bin/env python3
"""Seeds the flash sale through Courtyard's own API, except the buyers' accounts.

    flash_sale_seed.py BASE_URL ADMIN_EMAIL ADMIN_PASSWORD BUYERS STOCK PRICE FUNDS OUT_DIR MYSQL_CMD...

Through the API: the community, its manager, a building and a unit, the merchant (applied
and approved), the product with STOCK units at PRICE cents, and one wallet top-up of FUNDS
cents per buyer, three for the first (the manager's top-up route, Idempotency-Key each, so
the money enters through the ledger like any other top-up). Through SQL (MYSQL_CMD, a
`mariadb` command line that reads SQL on stdin): BUYERS accounts, one bearer session each
(the token hashed the way identity stores it: SHA-256 hex) and a resident membership of the
unit, because registering 500 accounts would measure argon2, not the sale.

Writes OUT_DIR/tokens.txt (one bearer token a line), OUT_DIR/sale.env (COMMUNITY, MERCHANT,
PRODUCT, PRICE for the shell script).
"""
import concurrent.futures
import json
import secrets
import subprocess
import sys
import urllib.error
import urllib.request

base, admin_email, admin_password = sys.argv[1], sys.argv[2], sys.argv[3]
buyers, stock, price, funds = (int(v) for v in sys.argv[4:8])
out_dir = sys.argv[8]
mysql_cmd = sys.argv[9:]


def call(method, path, body=None, token=None, headers=None, expect=(200, 201)):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    if status not in expect:
        sys.exit(f"seed: {method} {path} -> {status} {text}")
    return json.loads(text) if text else {}


def account(tag):
    email = f"{tag}-{secrets.token_hex(4)}@bench.test"
    password = "bench-password-" + secrets.token_hex(4)
    acc = call("POST", "/v1/auth/register", {"email": email, "password": password, "display_name": tag})
    tok = call("POST", "/v1/auth/login", {"email": email, "password": password})["token"]
    return acc["id"], tok


admin = call("POST", "/v1/auth/login", {"email": admin_email, "password": admin_password})["token"]
cid = call("POST", "/v1/communities", {"name": "Flash sale", "address": "1 Bench Street", "timezone": "UTC"},
           admin)["id"]
cbase = f"/v1/communities/{cid}"
manager_id, manager = account("manager")
call("POST", cbase + "/staff", {"account_id": manager_id, "role": "manager"}, admin)
bid = call("POST", cbase + "/buildings", {"name": "A"}, manager)["id"]
uid = call("POST", f"{cbase}/buildings/{bid}/units", {"number": "101"}, manager)["id"]

owner_id, owner = account("merchant")
app_id = call("POST", cbase + "/residency-applications", {"unit_id": uid}, owner)["id"]
call("POST", f"{cbase}/residency-applications/{app_id}/approve", None, manager)
mid = call("POST", cbase + "/merchants", {"name": "Flash shop", "category": "grocery", "contact": {"email": "shop@flash.example"}}, owner)["id"]
call("POST", f"{cbase}/merchants/{mid}/approve", None, manager)
pid = call("POST", f"{cbase}/merchants/{mid}/products", {"name": "Flash item", "price_cents": price,
                                                          "stock": stock}, owner)["id"]

# The buyers: accounts, sessions and memberships in one SQL batch.
run_tag = secrets.token_hex(6)
tokens = [f"flash-{run_tag}-{i}-{secrets.token_hex(16)}" for i in range(buyers)]
sql = ["SET @now = UNIX_TIMESTAMP(NOW(3)) * 1000;"]
for i, tok in enumerate(tokens):
    email = f"buyer-{run_tag}-{i}@bench.test"
    sql.append("INSERT INTO accounts (email, display_name, password_hash, is_admin, created_at) "
               f"VALUES ('{email}', 'Buyer {i}', '!', 0, @now);")
    sql.append("SET @a = LAST_INSERT_ID();")
    sql.append("INSERT INTO sessions (token_hash, account_id, created_at, expires_at) "
               f"VALUES (SHA2('{tok}', 256), @a, @now, @now + 86400000);")
    sql.append("INSERT INTO memberships (account_id, community_id, role, unit_id, merchant_id, created_at) "
               f"VALUES (@a, {cid}, 'resident', {uid}, 0, @now);")
    sql.append(f"INSERT INTO flash_buyers (i, account_id) VALUES ({i}, @a);")
script = "CREATE TEMPORARY TABLE flash_buyers (i INT PRIMARY KEY, account_id BIGINT);\n" + "\n".join(sql) + \
    "\nSELECT account_id FROM flash_buyers ORDER BY i;\n"
out = subprocess.run(mysql_cmd + ["-N", "-B"], input=script, capture_output=True, text=True, check=True).stdout
ids = [int(x) for x in out.split()]
assert len(ids) == buyers, out


def top_up(aid, n=0):
    call("POST", f"{cbase}/wallets/{aid}/top-ups", {"amount_cents": funds}, manager,
         {"Idempotency-Key": f"flash-top-up-{run_tag}-{aid}-{n}"})


with concurrent.futures.ThreadPoolExecutor(8) as pool:
    list(pool.map(top_up, ids))
# The first buyer is the 1-buyer sale's, after its share of the others: at 4,000 orders/s one
# top-up (the largest a manager may make) runs out before the 10 s are over, and the sale's
# tail would measure the refusals.
top_up(ids[0], 1)
top_up(ids[0], 2)

with open(f"{out_dir}/tokens.txt", "w") as f:
    f.write("\n".join(tokens) + "\n")
with open(f"{out_dir}/sale.env", "w") as f:
    f.write(f"COMMUNITY={cid}\nMERCHANT={mid}\nPRODUCT={pid}\nPRICE={price}\nMANAGER_TOKEN={manager}\n"
            f"OWNER_TOKEN={owner}\n")
print(f"seeded community {cid}, merchant {mid}, product {pid} ({stock} in stock), {buyers} buyers with "
      f"{funds} cents each")
