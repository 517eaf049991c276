#include "http/idempotency.hpp"

#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/problem.hpp"
#include "db/query.hpp"

#include <sodium.h>

#include <chrono>
#include <optional>
#include <thread>

namespace courtyard::idempotency {

namespace {

constexpr int kInProgress = 0;                       // status of a claimed, unfinished key
constexpr std::int64_t kAbandonedAfterMs = 60'000;   // a claim older than this may be taken over
constexpr std::chrono::milliseconds kWaitForWinner{8000};
constexpr std::int64_t kKeepMs = 48LL * 3600 * 1000;  // API.md: at least 24 h

std::string sha256_hex(std::string const& data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<unsigned char const*>(data.data()), data.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

struct KeyReused : Invalid {
  KeyReused()
      : Invalid({{"Idempotency-Key", "was already used with a different request"}}, "idempotency-key-reused") {}
};

struct InProgress : ApiError {
  InProgress()
      : ApiError(409, "request-in-progress", "Request in progress",
                 "a request with this Idempotency-Key is still being processed; retry shortly") {
    headers.emplace_back("Retry-After", "1");
  }
};

struct Stored {
  std::string hash;
  int status = 0;
  std::string body;
  std::optional<std::string> location;
  std::int64_t created_at = 0;
};

using Key = Claim;  // the request's account, key and hash (idempotency.hpp)

// The table's columns, in the order every insert below gives them.
#define IDEMPOTENCY_INTO \
  " INTO idempotency_keys (account_id, idem_key, request_hash, status, body, location, created_at) VALUES "

constexpr char const* kSelect =
    "SELECT request_hash, status, body, location, created_at FROM idempotency_keys "
    "WHERE account_id = :a AND idem_key = :k";
constexpr char const* kClaim = "INSERT" IDEMPOTENCY_INTO "(:a, :k, :h, 0, '', NULL, :n)";
// Prefixed by the backend's INSERT IGNORE.
constexpr char const* kClaimIgnoring = IDEMPOTENCY_INTO "(:a, :k, :h, 0, '', NULL, :n)";
constexpr char const* kTakeOver =
    "UPDATE idempotency_keys SET created_at = :n WHERE account_id = :a AND idem_key = :k AND status = 0 "
    "AND created_at = :seen";
constexpr char const* kFinish =
    "UPDATE idempotency_keys SET status = :s, body = :b, location = :l WHERE account_id = :a AND idem_key = :k "
    "AND status = 0";
constexpr char const* kRelease = "DELETE FROM idempotency_keys WHERE account_id = :a AND idem_key = :k AND status = 0";

Stored stored_from(db::Row const& r) {
  Stored s;
  db::Cols(r).into(s.hash, s.status, s.body, s.location, s.created_at);
  if (s.location && s.location->empty()) s.location.reset();
  return s;
}

std::optional<Stored> find(db::Tx& t, Key const& k) {
  return db::one(t, kSelect, stored_from, soci::use(k.account, "a"), soci::use(k.key, "k"));
}

http::Response replay(Stored const& s) {
  http::Response r;
  r.status = s.status;
  r.body = s.body;
  if (s.status >= 400) r.content_type = "application/problem+json";
  if (s.location) r.headers.emplace_back("Location", *s.location);
  r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

// The common case, a key nobody holds yet, in one autocommit statement (no START/COMMIT
// round trips): true when this request claimed the key. On a lost connection the session is
// handed back broken (the pool reopens it) and the error propagates, as from a transaction.
bool claim_new(Context& ctx, Key const& k) {
  db::Lease lease = ctx.db.acquire();
  try {
    std::int64_t now = db::now_ms();
    soci::statement st = (lease->prepare << std::string(db::insert_ignore(ctx.db.backend())) + kClaimIgnoring,
                          soci::use(k.account, "a"), soci::use(k.key, "k"), soci::use(k.hash, "h"),
                          soci::use(now, "n"));
    st.execute(true);
    return st.get_affected_rows() == 1;
  } catch (...) {
    lease.mark_broken();
    throw;
  }
}

// Claims the key; returns a stored answer to replay instead when there is one.
std::optional<http::Response> claim(Context& ctx, Key const& k) {
  if (claim_new(ctx, k)) return std::nullopt;
  auto const deadline = std::chrono::steady_clock::now() + kWaitForWinner;
  for (;;) {
    std::optional<Stored> seen;
    bool claimed = false;
    try {
      db::transact(ctx.db, &ctx.bus, [&](db::Tx& t) {
        seen = find(t, k);
        claimed = false;
        if (!seen) {
          std::int64_t now = t.now_ms();
          t.exec(kClaim, soci::use(k.account, "a"), soci::use(k.key, "k"), soci::use(k.hash, "h"),
                 soci::use(now, "n"));
          claimed = true;
        } else if (seen->hash == k.hash && seen->status == kInProgress &&
                   seen->created_at < t.now_ms() - kAbandonedAfterMs) {
          std::int64_t now = t.now_ms();
          claimed = t.exec(kTakeOver, soci::use(now, "n"), soci::use(k.account, "a"), soci::use(k.key, "k"),
                           soci::use(seen->created_at, "seen")) == 1;
        }
      });
    } catch (std::exception const& e) {
      if (!db::is_unique_violation(e)) throw;
      continue;  // another request claimed it between our read and insert: look again
    }
    if (claimed) return std::nullopt;
    if (seen->hash != k.hash) throw KeyReused();
    if (seen->status != kInProgress) return replay(*seen);
    if (std::chrono::steady_clock::now() >= deadline) throw InProgress();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void release(Context& ctx, Key const& k) noexcept {
  try {
    db::transact(ctx.db, &ctx.bus,
                 [&](db::Tx& t) { t.exec(kRelease, soci::use(k.account, "a"), soci::use(k.key, "k")); });
  } catch (...) {
    // The claim is taken over once abandoned (kAbandonedAfterMs).
  }
}

void finish(db::Tx& t, Key const& k, int status, std::string const& body, std::string const& location) {
  soci::indicator ind = location.empty() ? soci::i_null : soci::i_ok;
  t.exec(kFinish, soci::use(status, "s"), soci::use(body, "b"), soci::use(location, ind, "l"),
         soci::use(k.account, "a"), soci::use(k.key, "k"));
}

}  // namespace

std::optional<Claim> claim_of(Context const& ctx, http::Request const& req) {
  auto header = req.header("idempotency-key");
  if (!header) return std::nullopt;
  if (header->empty() || header->size() > 255) throw Invalid("Idempotency-Key", "must be 1 to 255 characters");
  return Claim{ctx.principal.account_id, std::string(*header),
               sha256_hex(req.method + " " + req.path + "\n" + req.body)};
}

void store_all(db::Tx& tx, std::vector<std::pair<Claim const*, http::Response const*>> const& answers) {
  if (answers.empty()) return;
  db::Query q("INSERT" IDEMPOTENCY_INTO);
  bool first = true;
  for (auto const& [c, r] : answers) {
    q.sql(first ? "(" : ", (").value(c->account).sql(", ").value(c->key).sql(", ").value(c->hash).sql(", ");
    q.value(static_cast<std::int64_t>(r->status)).sql(", ").value(r->body).sql(", ");
    if (auto location = r->header("Location"); location && !location->empty())
      q.value(std::string(*location));
    else
      q.sql("NULL");
    q.sql(", ").value(tx.now_ms()).sql(")");
    first = false;
  }
  q.exec(tx);
}

http::Response run(Context& ctx, http::Request const& req, std::function<http::Response(db::Tx&)> fn) {
  auto held = claim_of(ctx, req);
  if (!held) return ctx.tx(fn);
  Key const& k = *held;

  if (auto answer = claim(ctx, k)) return *answer;
  try {
    return ctx.tx([&](db::Tx& t) -> http::Response {
      http::Response r = fn(t);
      finish(t, k, r.status, r.body, std::string(r.header("Location").value_or("")));
      return r;
    });
  } catch (ApiError const& e) {
    // A refused request (409 no stock / no funds, 422) is an outcome too: a retry with the
    // same key repeats it instead of trying again behind the client's back.
    if (e.status() == 409 || e.status() == 422) {
      auto body = http::problem(e, ctx.request_id).body;
      try {
        db::transact(ctx.db, &ctx.bus, [&](db::Tx& t) { finish(t, k, e.status(), body, ""); });
      } catch (...) {
        release(ctx, k);
      }
    } else {
      release(ctx, k);
    }
    throw;
  } catch (...) {
    release(ctx, k);
    throw;
  }
}

std::vector<db::Migration> migrations() {
  // Platform v1 created this table on installs that predate this module; IF NOT EXISTS
  // makes v1 here a no-op for them.
  return {{1, "idempotency keys", R"SQL(
CREATE TABLE IF NOT EXISTS idempotency_keys (
  account_id BIGINT NOT NULL,
  idem_key VARCHAR(255) NOT NULL,
  request_hash VARCHAR(64) NOT NULL,
  status INT NOT NULL,
  body MEDIUMTEXT NOT NULL,
  location VARCHAR(512),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, idem_key)
){engine};
CREATE INDEX IF NOT EXISTS idx_idempotency_created ON idempotency_keys (created_at);
)SQL"}};
}

void jobs(jobs::Scheduler& s) {
  s.every("idempotency.prune", std::chrono::hours(1), [](jobs::JobContext& jc) {
    std::int64_t before = jc.now_ms - kKeepMs;
    db::transact(jc.db, &jc.bus, [&](db::Tx& tx) {
      tx.exec("DELETE FROM idempotency_keys WHERE created_at < :t", soci::use(before, "t"));
    });
  });
}

}  // namespace courtyard::idempotency
