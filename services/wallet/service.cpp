#include "services/wallet/service.hpp"

#include "db/row.hpp"
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"
#include "services/identity/api.hpp"
#include "services/wallet/api.hpp"

#include <boost/json.hpp>

namespace courtyard::wallet {

namespace bj = boost::json;
using http::Access;
using http::Request;
using http::Response;

namespace {

constexpr std::int64_t kMaxTopUpCents = 10'000'000;  // 100,000.00 per top-up

std::string_view owner_kind(Owner k) {
  switch (k) {
    case Owner::Resident: return "resident";
    case Owner::Merchant: return "merchant";
    default: return "other";
  }
}

// The account's balance and its entries, newest first, one page.
bj::object statement(db::Tx& tx, std::int64_t cid, AccountRef ref, json::Page const& page) {
  bj::object out;
  out["community_id"] = cid;
  out["balance_cents"] = balance(tx, cid, ref);
  std::string kind(owner_kind(ref.kind));
  long long before = page.after ? *page.after : INT64_MAX;
  long long limit = page.limit + 1;
  soci::rowset<soci::row> rs =
      (tx.sql().prepare << "SELECT e.id, e.transaction_id, e.amount_cents, e.balance_after_cents, t.kind, t.reference, "
                           "e.created_at FROM wallet_entries e "
                           "JOIN wallet_accounts a ON a.id = e.account_id "
                           "JOIN wallet_transactions t ON t.id = e.transaction_id "
                           "WHERE a.community_id = :c AND a.owner_kind = :k AND a.owner_id = :o AND e.id < :b "
                           "ORDER BY e.id DESC LIMIT :l",
       soci::use(cid, "c"), soci::use(kind, "k"), soci::use(ref.owner_id, "o"), soci::use(before, "b"),
       soci::use(limit, "l"));
  bj::array items;
  std::optional<std::int64_t> next;
  for (auto const& r : rs) {
    if (static_cast<long long>(items.size()) == page.limit) {
      next = items.back().as_object().at("id").as_int64();
      break;
    }
    items.push_back(bj::object{{"id", db::as_int(r, 0)},
                               {"transaction_id", db::as_int(r, 1)},
                               {"amount_cents", db::as_int(r, 2)},
                               {"balance_after_cents", db::as_int(r, 3)},
                               {"kind", db::as_text(r, 4)},
                               {"reference", db::as_text(r, 5)},
                               {"created_at", json::rfc3339(db::as_int(r, 6))}});
  }
  out["entries"] = std::move(items);
  out["next_cursor"] = next ? bj::value(json::encode_cursor(*next)) : bj::value(nullptr);
  return out;
}

}  // namespace

void WalletService::routes(http::Router& r) {
  r.get("/v1/me/wallet", Access::authenticated(), [](Request const& req, Context& ctx) {
    auto cid = req.query_int("community_id", 0);
    if (cid <= 0) throw Invalid("community_id", "is required");
    auto page = req.page();
    return ctx.tx([&](db::Tx& tx) {
      if (!identity::is_member(tx, ctx.principal.account_id, cid)) throw NotFound("community");
      return Response::json(statement(tx, cid, resident(ctx.principal.account_id), page));
    });
  });

  r.post("/v1/communities/{cid}/wallets/{account_id}/top-ups", Access::manager(), [](Request const& req, Context& ctx) {
    std::int64_t cid = ctx.community_id;
    std::int64_t target = req.id("account_id");
    auto body = req.json();
    std::int64_t amount = json::integer(body, "amount_cents");
    if (amount <= 0 || amount > kMaxTopUpCents)
      throw Invalid("amount_cents", "must be between 1 and " + std::to_string(kMaxTopUpCents));
    return ctx.idempotent(req, [&](db::Tx& tx) {
      if (!identity::is_member(tx, target, cid)) throw NotFound("account");
      std::int64_t txn = transfer(tx, cid, cash(), resident(target), amount, "top_up",
                                  "top_up:by:" + std::to_string(ctx.principal.account_id));
      std::int64_t bal = balance(tx, cid, resident(target));
      tx.publish("wallet.topped_up", cid,
                 bj::object{{"community_id", cid}, {"account_id", target}, {"amount_cents", amount},
                            {"transaction_id", txn}, {"balance_cents", bal}});
      return Response::created(bj::object{{"transaction_id", txn},
                                          {"account_id", target},
                                          {"amount_cents", amount},
                                          {"balance_cents", bal}},
                               "/v1/communities/" + std::to_string(cid) + "/wallets/" + std::to_string(target));
    });
  });

  r.get("/v1/communities/{cid}/wallets/{account_id}", Access::manager(), [](Request const& req, Context& ctx) {
    std::int64_t target = req.id("account_id");
    auto page = req.page();
    return ctx.tx([&](db::Tx& tx) {
      if (!identity::is_member(tx, target, ctx.community_id)) throw NotFound("account");
      auto out = statement(tx, ctx.community_id, resident(target), page);
      out["account_id"] = target;
      return Response::json(out);
    });
  });

  r.get("/v1/communities/{cid}/merchants/{mid}/wallet", Access::any_of(Role::Merchant | Role::Manager),
        [](Request const& req, Context& ctx) {
          std::int64_t mid = req.id("mid");
          auto page = req.page();
          return ctx.tx([&](db::Tx& tx) {
            auto out = statement(tx, ctx.community_id, merchant(mid), page);
            out["merchant_id"] = mid;
            return Response::json(out);
          });
        });

  r.get("/v1/communities/{cid}/ledger/summary", Access::manager(), [](Request const&, Context& ctx) {
    return ctx.tx([&](db::Tx& tx) {
      bj::object by_kind;
      long long total = 0;
      soci::rowset<soci::row> rs =
          (tx.sql().prepare << "SELECT owner_kind, COALESCE(SUM(balance_cents), 0), COUNT(*) FROM wallet_accounts "
                               "WHERE community_id = :c GROUP BY owner_kind ORDER BY owner_kind",
           soci::use(ctx.community_id));
      for (auto const& row : rs) {
        std::int64_t sum = db::as_int(row, 1);
        total += sum;
        by_kind[db::as_text(row, 0)] = bj::object{{"balance_cents", sum}, {"accounts", db::as_int(row, 2)}};
      }
      long long txns = 0;
      tx.sql() << "SELECT COUNT(*) FROM wallet_transactions WHERE community_id = :c", soci::use(ctx.community_id),
          soci::into(txns);
      // Double entry: all balances of a community always sum to zero.
      return Response::json(bj::object{{"community_id", ctx.community_id},
                                       {"total_cents", total},
                                       {"balanced", total == 0},
                                       {"transactions", txns},
                                       {"by_kind", std::move(by_kind)}});
    });
  });
}

}  // namespace courtyard::wallet
