#!/usr/bin/env bash
# What the rollup rows each order writes again cost MariaDB. Every order a buyer places
# upserts the buyer's day row (Rollups::flush: INSERT … ON DUPLICATE KEY UPDATE orders =
# orders + …) and writes the resident's day with INSERT IGNORE, rows that exist after the
# buyer's first order. Two costs ride on that: a secondary index whose key holds a column the
# update changes moves its entry every time, and with an AUTO_INCREMENT id as the clustered
# key InnoDB inserts a new record, meets the duplicate in the unique index and undoes it.
#
#   tests/bench/customer_day_upsert.sh
#
# Starts a private MariaDB (durable commits, as the flash sale) and makes the customer day
# table three ways: an id primary key with the links index keyed on `orders` (analytics
# migrations up to 74), on `orders_capped` (75: stops changing at 2), and keyed by
# (merchant_id, day, buyer_id) without the id (76); and the resident day table two ways (id
# primary key, and keyed by (community_id, day, account_id)). Fills 500 buyers' rows for one
# day, then sends the same UPSERT_STATEMENTS statements of 90 existing rows each (a stream
# batch in the flash sale) to each table in turn, UPSERT_ROUNDS times, and prints mariadbd's
# CPU per row. Builds nothing.
#
# Knobs: UPSERT_STATEMENTS (1500) UPSERT_ROUNDS (2)
set -euo pipefail

STATEMENTS=${UPSERT_STATEMENTS:-1500}
ROUNDS=${UPSERT_ROUNDS:-2}
# shellcheck source=tests/bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tools customer_day_upsert mariadbd mariadb-install-db mariadb python3
bench_work courtyard-upsert

PORT=$(free_port)
start_mariadb "$PORT" --skip-log-bin --innodb-flush-log-at-trx-commit=1 --innodb-doublewrite=1 \
  --innodb-buffer-pool-size=256M
SQL=(mariadb --no-defaults -uroot -h127.0.0.1 -P"$PORT")

day_columns="community_id BIGINT NOT NULL, merchant_id BIGINT NOT NULL,
  buyer_id BIGINT NOT NULL, day BIGINT NOT NULL, orders BIGINT NOT NULL DEFAULT 0,
  revenue_cents BIGINT NOT NULL DEFAULT 0, prev_day BIGINT NOT NULL DEFAULT 0,
  next_day BIGINT NOT NULL DEFAULT 2147483647, orders_capped BIGINT NOT NULL DEFAULT 0"
ID="id BIGINT AUTO_INCREMENT PRIMARY KEY"
declare -A DDL=(
  [orders]="CREATE TABLE orders ($ID, $day_columns) ENGINE=InnoDB;
    CREATE UNIQUE INDEX k ON orders (merchant_id, day, buyer_id);
    CREATE INDEX b ON orders (merchant_id, buyer_id, day);
    CREATE INDEX l ON orders (merchant_id, day, prev_day, next_day, orders)"
  [capped]="CREATE TABLE capped ($ID, $day_columns) ENGINE=InnoDB;
    CREATE UNIQUE INDEX k ON capped (merchant_id, day, buyer_id);
    CREATE INDEX b ON capped (merchant_id, buyer_id, day);
    CREATE INDEX l ON capped (merchant_id, day, prev_day, next_day, orders_capped)"
  [keyed]="CREATE TABLE keyed ($day_columns, PRIMARY KEY (merchant_id, day, buyer_id)) ENGINE=InnoDB;
    CREATE INDEX b ON keyed (merchant_id, buyer_id, day);
    CREATE INDEX l ON keyed (merchant_id, day, prev_day, next_day, orders_capped)"
  [resident_id]="CREATE TABLE resident_id ($ID, community_id BIGINT NOT NULL, account_id BIGINT NOT NULL,
    day BIGINT NOT NULL) ENGINE=InnoDB; CREATE UNIQUE INDEX k ON resident_id (community_id, day, account_id)"
  [resident_keyed]="CREATE TABLE resident_keyed (community_id BIGINT NOT NULL, account_id BIGINT NOT NULL,
    day BIGINT NOT NULL, PRIMARY KEY (community_id, day, account_id)) ENGINE=InnoDB"
)
declare -A WHAT=(
  [orders]="customer day upsert: id key, links on orders (to 74)"
  [capped]="customer day upsert: id key, links on orders_capped (75)"
  [keyed]="customer day upsert: keyed by the day, no id (76)"
  [resident_id]="resident day INSERT IGNORE: id key (to 75)"
  [resident_keyed]="resident day INSERT IGNORE: keyed by the day, no id (76)"
)
TABLES=(orders capped keyed resident_id resident_keyed)
"${SQL[@]}" -e "CREATE DATABASE u"
for t in "${TABLES[@]}"; do "${SQL[@]}" u -e "${DDL[$t]}"; done

# Each table starts with 500 buyers' rows (customer days with 2 orders, capped already, as in
# a sale); each statement then writes 90 of them again.
python3 - "$WORK" "$STATEMENTS" "${TABLES[@]}" <<'EOF'
import random, sys
work, n, tables = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
random.seed(1)
batches = [sorted(random.sample(range(1, 501), 90)) for _ in range(n)]
for t in tables:
    with open(f"{work}/fill-{t}.sql", "w") as fill, open(f"{work}/upsert-{t}.sql", "w") as up:
        if t.startswith("resident"):
            fill.write(f"INSERT INTO {t} (community_id, account_id, day) VALUES "
                       + ", ".join(f"(1, {b}, 20000)" for b in range(1, 501)) + ";\n")
            for bs in batches:
                up.write(f"INSERT IGNORE INTO {t} (community_id, account_id, day) VALUES "
                         + ", ".join(f"(1, {b}, 20000)" for b in bs) + ";\n")
            continue
        fill.write(f"INSERT INTO {t} (community_id, merchant_id, buyer_id, day, orders, revenue_cents, orders_capped) VALUES "
                   + ", ".join(f"(1, 1, {b}, 20000, 2, 500, 2)" for b in range(1, 501)) + ";\n")
        capped = "" if t == "orders" else \
            "orders_capped = CASE WHEN orders + VALUES(orders) > 1 THEN 2 ELSE orders + VALUES(orders) END, "
        for bs in batches:
            up.write(f"INSERT INTO {t} (community_id, merchant_id, buyer_id, day, orders, revenue_cents, orders_capped) VALUES "
                     + ", ".join(f"(1, 1, {b}, 20000, 1, 250, 1)" for b in bs)
                     + f" ON DUPLICATE KEY UPDATE {capped}orders = orders + VALUES(orders), "
                     "revenue_cents = revenue_cents + VALUES(revenue_cents);\n")
EOF
for t in "${TABLES[@]}"; do "${SQL[@]}" u <"$WORK/fill-$t.sql"; done

machine_line
rows=$((STATEMENTS * 90))
echo "$STATEMENTS statements of 90 rows that exist each, per table, autocommit, durable"
for ((r = 1; r <= ROUNDS; r++)); do
  for t in "${TABLES[@]}"; do
    c0=$(cpu_ticks "$MARIADB_PID")
    s0=$(date +%s%N)
    "${SQL[@]}" u <"$WORK/upsert-$t.sql"
    s1=$(date +%s%N)
    c1=$(cpu_ticks "$MARIADB_PID")
    awk -v r="$r" -v w="${WHAT[$t]}" -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v n=$rows \
      -v ms=$(((s1 - s0) / 1000000)) 'BEGIN {
        printf "round %d  %-58s %6.1f us of mariadbd CPU per row (%d ms wall)\n", r, w, 1e6 * c / hz / n, ms }'
  done
done
