#include "services/core/context.hpp"

#include "gateway/app.hpp"
#include "services/core/errors.hpp"

#include <boost/json/serialize.hpp>
#include <sodium.h>

namespace courtyard {

namespace {

std::string sha256_hex(std::string const& data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<unsigned char const*>(data.data()), data.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

gateway::Response stored(int status, std::string body, std::optional<std::string> location) {
  gateway::Response r;
  r.status = status;
  r.body = std::move(body);
  if (status >= 400) r.content_type = "application/problem+json";
  if (location && !location->empty()) r.headers.emplace_back("Location", *location);
  r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

struct KeyReused : Invalid {
  KeyReused()
      : Invalid({{"Idempotency-Key", "was already used with a different request"}}, "idempotency-key-reused") {}
};

}  // namespace

gateway::Response Context::idempotent(gateway::Request const& req, std::function<gateway::Response(db::Tx&)> fn) {
  auto header = req.header("idempotency-key");
  if (!header) return tx(fn);
  std::string key(*header);
  if (key.empty() || key.size() > 255) throw Invalid("Idempotency-Key", "must be 1 to 255 characters");
  std::string hash = sha256_hex(req.method + " " + req.path + "\n" + req.body);
  std::int64_t account = principal.account_id;

  auto lookup = [&](db::Tx& t) -> std::optional<gateway::Response> {
    std::string h, body;
    int status = 0;
    soci::indicator loc_ind = soci::i_null;
    std::string location;
    t.sql() << "SELECT request_hash, status, body, location FROM idempotency_keys WHERE account_id = :a AND idem_key = :k" +
                   std::string(db::for_update(t.backend())),
        soci::use(account), soci::use(key), soci::into(h), soci::into(status), soci::into(body),
        soci::into(location, loc_ind);
    if (!t.sql().got_data()) return std::nullopt;
    if (h != hash) throw KeyReused();
    return stored(status, std::move(body), loc_ind == soci::i_ok ? std::optional(location) : std::nullopt);
  };

  for (int attempt = 0;; ++attempt) {
    try {
      return tx([&](db::Tx& t) -> gateway::Response {
        if (auto replay = lookup(t)) return *replay;
        gateway::Response r = fn(t);
        std::string location(r.header("Location").value_or(""));
        std::int64_t now = t.now_ms();
        t.exec("INSERT INTO idempotency_keys (account_id, idem_key, request_hash, status, body, location, created_at) "
               "VALUES (:a, :k, :h, :s, :b, :l, :n)",
               soci::use(account, "a"), soci::use(key, "k"), soci::use(hash, "h"), soci::use(r.status, "s"),
               soci::use(r.body, "b"), soci::use(location, "l"), soci::use(now, "n"));
        return r;
      });
    } catch (KeyReused const&) {
      throw;
    } catch (ApiError const& e) {
      // A refused request (409 no stock / no funds, 422) is an outcome too: a retry with the
      // same key repeats it instead of trying again behind the client's back.
      if (e.status() == 409 || e.status() == 422) {
        auto body = gateway::problem(e, request_id).body;
        try {
          tx([&](db::Tx& t) {
            if (lookup(t)) return;
            std::int64_t now = t.now_ms();
            int status = e.status();
            t.exec("INSERT INTO idempotency_keys (account_id, idem_key, request_hash, status, body, location, created_at) "
                   "VALUES (:a, :k, :h, :s, :b, NULL, :n)",
                   soci::use(account, "a"), soci::use(key, "k"), soci::use(hash, "h"), soci::use(status, "s"),
                   soci::use(body, "b"), soci::use(now, "n"));
          });
        } catch (KeyReused const&) {
        } catch (std::exception const& e2) {
          if (!db::is_unique_violation(e2)) throw;
        }
      }
      throw;
    } catch (std::exception const& e) {
      // A concurrent request with the same key committed first: replay its response.
      if (attempt < 3 && db::is_unique_violation(e)) continue;
      throw;
    }
  }
}

}  // namespace courtyard
