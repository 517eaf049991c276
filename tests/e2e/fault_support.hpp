#pragma once
// Shared parts of the fault and scale-out suites (crash_test, mariadb_outage_test,
// two_instances_test): the database a suite's server processes share, a community seeded
// through the public API, a threaded load client that places orders and pays bills, and
// the invariants read straight from the database afterwards.
//
// Backend: COURTYARD_TEST_DB=sqlite (default; a temp file) or mysql (a fresh schema on
// COURTYARD_TEST_MYSQL, dropped at the end). COURTYARD_TEST_MYSQL_B, when set, names a
// second server of the same cluster (tests/galera/run.sh): the second instance of the
// two-instance test talks to it.
#include "tests/e2e/http_client.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace courtyard::e2e {

bool wants_mysql();
// The MariaDB run without COURTYARD_TEST_MYSQL exits 77 (CTest's skip code; deploy/test.sh
// counts a skip as a failure).
void skip_unless_mysql_configured();
// The run's RNG seed: COURTYARD_TEST_SEED when set (to replay a failure), else random.
// Printed by the caller.
std::uint64_t test_seed();

// A database for server processes: a fresh SQLite file in a temp directory, or a fresh
// schema on a MariaDB server (dropped on destruction).
class SharedDatabase {
 public:
  // server_url: "mysql://root@127.0.0.1:PORT/" for MariaDB; empty for SQLite.
  explicit SharedDatabase(std::string server_url);
  static SharedDatabase from_env() { return SharedDatabase(wants_mysql() ? env_mysql() : std::string()); }
  ~SharedDatabase();
  SharedDatabase(SharedDatabase&&) = delete;

  std::string const& url() const { return url_; }
  // The same schema on another server of a cluster (Galera), for a second instance.
  std::string url_on(std::string const& server_url) const;
  bool mysql() const { return !schema_.empty(); }
  static std::string env_mysql();

 private:
  std::string url_;
  std::string server_url_;
  std::string schema_;
  std::string dir_;
};

struct Resident {
  std::int64_t id = 0;
  std::int64_t unit_id = 0;
  std::string token;
};

// One community: residents with topped-up wallets, one approved merchant with products,
// and unpaid bills for every resident's unit.
struct Seeded {
  std::int64_t community_id = 0;
  std::string base;  // /v1/communities/<id>
  std::string admin_token;
  std::string manager_token;
  std::int64_t merchant_id = 0;
  std::int64_t merchant_owner = 0;
  std::string merchant_owner_token;  // a session of the shop's owner (slots, group buys)
  std::vector<std::int64_t> product_ids;
  std::int64_t initial_stock = 0;  // per product
  std::vector<Resident> residents;
};

struct SeedOptions {
  int residents = 6;
  int products = 3;
  std::int64_t stock = 100000;
  std::int64_t price_cents = 150;
  std::int64_t top_up_cents = 10'000'000;
  int bill_periods = 12;             // billing runs (one bill per unit and period)
  std::int64_t bill_cents = 900;
};

// Seeds through the public API of the server on `port`; throws with the failing call.
Seeded seed_community(unsigned short port, SeedOptions const& o = {});

// Every request answered, by status, and what the 2xx answers created.
struct LoadResult {
  std::map<int, long long> statuses;
  long long transport_errors = 0;  // no answer: refused, reset, closed, timed out
  std::set<std::int64_t> orders;   // 201 answers
  std::set<std::int64_t> paid_bills;
  std::vector<std::string> server_errors;  // 5xx bodies other than 503 (at most a few)
  std::map<std::string, long long> unavailable;  // 503 answers by problem type
  long long count(int lo, int hi) const;
  void merge(LoadResult const& o);
  std::string summary() const;
};

struct LoadOptions {
  int threads = 4;
  double order_share = 0.9;      // the rest pay bills
  int max_quantity = 3;
  bool idempotency_keys = true;  // half the requests carry an Idempotency-Key
  std::chrono::milliseconds timeout{15000};  // per request
};

// Threads that place orders and pay bills against `ports` (round-robin per request) until
// stop(). Each thread keeps a keep-alive connection and opens a new one after a failure.
class LoadClient {
 public:
  LoadClient(Seeded const& s, std::vector<unsigned short> ports, std::uint64_t seed, LoadOptions o = {});
  ~LoadClient();
  void stop();  // joins
  LoadResult result();
  long long requests() const { return requests_.load(); }

 private:
  void run(int thread_index, std::uint64_t seed);
  Seeded const& s_;
  std::vector<unsigned short> ports_;
  LoadOptions o_;
  std::atomic<bool> stop_{false};
  std::atomic<long long> requests_{0};
  std::mutex mu_;
  LoadResult total_;
  std::vector<std::thread> threads_;
};

// What the database says after a run. Each check appends a line to `failures`.
struct Invariants {
  std::vector<std::string> failures;
  long long orders = 0;
  long long sold = 0;
  long long paid_bills = 0;
  long long events = 0;
  long long undelivered = 0;  // deliveries of this community's events not `done`
  long long leased = 0;       // of those, held by a lease (of a killed instance) when checked
  bool ok() const { return failures.empty(); }
  std::string report() const;
};

// Checks: every 2xx order and paid bill is there; stock + sold = initial per product and
// stock >= 0; the ledger sums to zero per community, per transaction, and each account's
// balance equals its entries; each paid bill was charged once; every order and paid bill
// has its event, and every event of the community was delivered to each subscriber
// registered for its topic exactly once, with the buyer's notification present.
// Waits up to `grace` for the outbox to drain before failing on undelivered rows. A
// delivery a SIGKILLed instance had claimed stays leased until its lease (30 s) runs out;
// with `leases_may_hold` such rows are reported (`leased`), not failed, and their events
// are left out of the per-subscriber checks: a later check without it waits them out.
Invariants check_invariants(std::string const& db_url, Seeded const& s, LoadResult const& load,
                            std::chrono::milliseconds grace, bool leases_may_hold = false);

}  // namespace courtyard::e2e
