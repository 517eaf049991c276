#include "http/principal_cache.hpp"

#include "db/query.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

namespace courtyard::principals {

namespace {

constexpr char const* kBumpSeq = "UPDATE principal_seq SET seq = seq + 1 WHERE id = 1";
constexpr char const* kSeq = "SELECT seq FROM principal_seq WHERE id = 1";
constexpr char const* kInsertRevocation =
    "INSERT INTO principal_revocations (seq, account_id, created_at) VALUES (:s, :a, :n)";
constexpr char const* kRevocationsAfter =
    "SELECT seq, account_id FROM principal_revocations WHERE seq > :after ORDER BY seq";
constexpr char const* kPruneRevocations = "DELETE FROM principal_revocations WHERE created_at < :before";
constexpr std::int64_t kKeepRevocationsMs = 24LL * 3600 * 1000;

// This process's caches, so a commit here is forgotten at once by every one of them.
std::mutex g_registry_mu;
std::vector<Cache*> g_registry;

void forget_everywhere(std::int64_t account_id) {
  std::lock_guard lk(g_registry_mu);
  for (auto* c : g_registry) c->forget(account_id);
}

}  // namespace

std::vector<db::Migration> migrations() {
  return {{1, "principal revocations", R"SQL(
CREATE TABLE principal_seq (
  id INT PRIMARY KEY,
  seq BIGINT NOT NULL
){engine};
INSERT INTO principal_seq (id, seq) VALUES (1, 0);
CREATE TABLE principal_revocations (
  seq BIGINT NOT NULL,
  account_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE INDEX idx_principal_revocations_seq ON principal_revocations (seq);
CREATE INDEX idx_principal_revocations_created ON principal_revocations (created_at);
)SQL"}};
}

std::int64_t prune(db::Database& db, std::int64_t now_ms) {
  long long before = now_ms - kKeepRevocationsMs;
  std::int64_t n = 0;
  db::transact(db, nullptr, [&](db::Tx& tx) { n = tx.exec(kPruneRevocations, soci::use(before, "before")); });
  return n;
}

void jobs(jobs::Scheduler& s) {
  s.every("principals.prune", std::chrono::hours(1), [](jobs::JobContext& jc) { prune(jc.db, jc.now_ms); });
}

void changed(db::Tx& tx, std::int64_t account_id) {
  if (tx.mode() != db::TxMode::Write) throw std::logic_error("principals::changed needs a write transaction");
  // Last before COMMIT: the sequence row is locked only for the commit itself, and every
  // writer takes it last, so it adds no lock-order cycle.
  tx.before_commit([account_id](db::Tx& tx) {
    tx.exec(kBumpSeq);
    long long seq = db::scalar(tx, kSeq);
    long long account = account_id, now = tx.now_ms();
    tx.exec(kInsertRevocation, soci::use(seq, "s"), soci::use(account, "a"), soci::use(now, "n"));
  });
  tx.after_commit([account_id] { forget_everywhere(account_id); });
}

Cache::Cache(db::Database& db, Options options) : db_(db), options_(options) {
  std::lock_guard lk(g_registry_mu);
  g_registry.push_back(this);
}

Cache::~Cache() {
  std::lock_guard lk(g_registry_mu);
  g_registry.erase(std::remove(g_registry.begin(), g_registry.end(), this), g_registry.end());
}

std::string Cache::key_of(std::string_view credential) const {
  // The map holds a digest, not the bearer secret itself.
  std::string key(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(key.data()), key.size(),
                     reinterpret_cast<unsigned char const*>(credential.data()), credential.size(), nullptr, 0);
  return key;
}

bool Cache::fresh(Clock::time_point now) const {
  auto from = polled_from_.load(std::memory_order_acquire);
  if (from == 0) return false;
  return now - Clock::time_point(Clock::duration(from)) < options_.max_stale;
}

bool Cache::poll() {
  std::lock_guard lk(poll_mu_);
  return poll_locked();
}

bool Cache::poll_locked() {
  auto began = Clock::now();
  last_attempt_.store(began.time_since_epoch().count(), std::memory_order_relaxed);
  std::vector<std::int64_t> accounts;
  std::int64_t next = cursor_.value_or(0);
  bool const first = !cursor_;
  try {
    // A request pays for the poll: it waits briefly for a pooled session, and when the pool
    // is saturated the poll is skipped (entries stop being served after max_stale).
    db::Lease lease = db_.acquire(std::chrono::milliseconds(100));
    auto read = [&](soci::session& s) {
      if (first) {
        next = db::scalar(s, kSeq);
        return;
      }
      long long after = *cursor_;
      db::each(
          s, kRevocationsAfter,
          [&](db::Row const& r) {
            db::Cols c(r);
            next = std::max(next, c.integer());
            accounts.push_back(c.integer());
          },
          soci::use(after, "after"));
    };
    try {
      read(*lease);
    } catch (std::exception const& e) {
      if (db::is_connection_lost(e)) lease.mark_broken();  // reopened before its next use
      throw;
    }
  } catch (std::exception const&) {
    return false;  // entries stop being served once max_stale has passed
  }
  if (first) {
    // Entries stored before the cursor was known cannot be checked against what came before it.
    std::lock_guard m(mu_);
    items_.clear();
    keys_of_account_.clear();
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }
  for (auto a : accounts) forget(a);
  cursor_ = next;
  polled_from_.store(began.time_since_epoch().count(), std::memory_order_release);
  return true;
}

Cache::Entry Cache::find(std::string_view credential) {
  auto now = Clock::now();
  auto last = Clock::time_point(Clock::duration(last_attempt_.load(std::memory_order_relaxed)));
  if (now - last >= options_.poll) {
    // One request polls; the others go on with what the last completed poll allows.
    std::unique_lock lk(poll_mu_, std::try_to_lock);
    if (lk.owns_lock()) poll_locked();
  }
  if (!fresh(Clock::now())) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  std::string key = key_of(credential);
  std::lock_guard lk(mu_);
  auto it = items_.find(key);
  if (it == items_.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  if (now >= it->second.until || db::now_ms() >= it->second.session_expires_ms) {
    auto [b, e] = keys_of_account_.equal_range(it->second.principal->account_id);
    for (auto k = b; k != e; ++k)
      if (k->second == key) {
        keys_of_account_.erase(k);
        break;
      }
    items_.erase(it);
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second.principal;
}

Cache::Entry Cache::store(std::string_view credential, std::uint64_t generation, Principal p) {
  auto entry = std::make_shared<Principal const>(std::move(p));
  if (entry->kind != Principal::Kind::Session || entry->expires_at <= 0) return entry;
  std::string key = key_of(credential);
  std::lock_guard lk(mu_);
  if (generation_.load(std::memory_order_acquire) != generation) return entry;
  if (items_.size() >= options_.capacity) {
    items_.clear();
    keys_of_account_.clear();
  }
  auto [it, inserted] =
      items_.insert_or_assign(key, Item{entry, Clock::now() + options_.ttl, entry->expires_at});
  if (inserted) keys_of_account_.emplace(entry->account_id, std::move(key));
  return entry;
}

void Cache::forget(std::int64_t account_id) {
  std::lock_guard lk(mu_);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  auto [b, e] = keys_of_account_.equal_range(account_id);
  for (auto k = b; k != e; ++k) items_.erase(k->second);
  keys_of_account_.erase(b, e);
}

}  // namespace courtyard::principals
