#!/usr/bin/env bash
# What one order costs MariaDB in analytics_customer_days, by the index that keys on the
# day's orders. Every order a buyer places upserts the buyer's day row (Rollups::flush):
# INSERT … ON DUPLICATE KEY UPDATE orders = orders + …; a secondary index whose key holds a
# column the update changes moves its entry on every one of them.
#
#   tests/bench/customer_day_upsert.sh
#
# Starts a private MariaDB (durable commits, as the flash sale), makes the table three ways
# (the analytics migrations' indexes; the links index keyed on `orders` as up to migration
# 74; on `orders_capped` as since 75, which stops changing at 2; and without the orders
# column in it at all), fills 500 buyers' rows for one day, then sends the same UPSERT_ROUNDS
# statements of 90 existing rows each (a stream batch in the flash sale) to each table in
# turn, ROUNDS times, and prints mariadbd's CPU per upserted row. Builds nothing.
#
# Knobs: UPSERT_ROUNDS (1500 statements) ROUNDS (2)
set -euo pipefail

STATEMENTS=${UPSERT_ROUNDS:-1500}
ROUNDS=${ROUNDS:-2}
# shellcheck source=tests/bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tools customer_day_upsert mariadbd mariadb-install-db mariadb python3
bench_work courtyard-upsert

PORT=$(free_port)
start_mariadb "$PORT" --skip-log-bin --innodb-flush-log-at-trx-commit=1 --innodb-doublewrite=1 \
  --innodb-buffer-pool-size=256M
SQL=(mariadb --no-defaults -uroot -h127.0.0.1 -P"$PORT")
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

columns="id BIGINT AUTO_INCREMENT PRIMARY KEY, community_id BIGINT NOT NULL, merchant_id BIGINT NOT NULL,
  buyer_id BIGINT NOT NULL, day BIGINT NOT NULL, orders BIGINT NOT NULL DEFAULT 0,
  revenue_cents BIGINT NOT NULL DEFAULT 0, prev_day BIGINT NOT NULL DEFAULT 0,
  next_day BIGINT NOT NULL DEFAULT 2147483647, orders_capped BIGINT NOT NULL DEFAULT 0"
declare -A LINKS=(
  [orders]="merchant_id, day, prev_day, next_day, orders"
  [capped]="merchant_id, day, prev_day, next_day, orders_capped"
  [neither]="merchant_id, day, prev_day, next_day"
)
TABLES=(orders capped neither)
"${SQL[@]}" -e "CREATE DATABASE u"
for t in "${TABLES[@]}"; do
  "${SQL[@]}" u -e "CREATE TABLE $t ($columns) ENGINE=InnoDB;
    CREATE UNIQUE INDEX k ON $t (merchant_id, day, buyer_id);
    CREATE INDEX b ON $t (merchant_id, buyer_id, day);
    CREATE INDEX l ON $t (${LINKS[$t]});"
done

# Each table starts with 500 buyers' rows, 2 orders each (capped already, as in a sale).
python3 - "$WORK" "$STATEMENTS" "${TABLES[@]}" <<'EOF'
import random, sys
work, n, tables = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
random.seed(1)
batches = [sorted(random.sample(range(1, 501), 90)) for _ in range(n)]
for t in tables:
    with open(f"{work}/fill-{t}.sql", "w") as f:
        f.write(f"INSERT INTO {t} (community_id, merchant_id, buyer_id, day, orders, revenue_cents, orders_capped) VALUES "
                + ", ".join(f"(1, 1, {b}, 20000, 2, 500, 2)" for b in range(1, 501)) + ";\n")
    with open(f"{work}/upsert-{t}.sql", "w") as f:
        capped = "orders_capped = CASE WHEN orders + VALUES(orders) > 1 THEN 2 ELSE orders + VALUES(orders) END, " if t == "capped" else ""
        for bs in batches:
            f.write(f"INSERT INTO {t} (community_id, merchant_id, buyer_id, day, orders, revenue_cents, orders_capped) VALUES "
                    + ", ".join(f"(1, 1, {b}, 20000, 1, 250, 1)" for b in bs)
                    + f" ON DUPLICATE KEY UPDATE {capped}orders = orders + VALUES(orders), "
                    "revenue_cents = revenue_cents + VALUES(revenue_cents);\n")
EOF
for t in "${TABLES[@]}"; do "${SQL[@]}" u <"$WORK/fill-$t.sql"; done

machine_line
rows=$((STATEMENTS * 90))
echo "$STATEMENTS statements of 90 existing rows each per table, autocommit, durable"
for ((r = 1; r <= ROUNDS; r++)); do
  for t in "${TABLES[@]}"; do
    c0=$(cpu_ticks "$MARIADB_PID")
    s0=$(date +%s%N)
    "${SQL[@]}" u <"$WORK/upsert-$t.sql"
    s1=$(date +%s%N)
    c1=$(cpu_ticks "$MARIADB_PID")
    awk -v r="$r" -v t="$t" -v l="${LINKS[$t]}" -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v n=$rows \
      -v ms=$(((s1 - s0) / 1000000)) 'BEGIN {
        printf "round %d  links on (%s)%*s %6.1f us of mariadbd CPU per upserted row (%d ms wall)\n",
          r, l, 52 - length(l), "", 1e6 * c / hz / n, ms }'
  done
done
