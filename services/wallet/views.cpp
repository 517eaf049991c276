// The JSON shapes of the wallet's resources.
#include "services/wallet/logic.hpp"
#include "services/wallet/routes.hpp"

namespace courtyard::wallet {

namespace bj = boost::json;

bj::object entry_json(repo::Entry const& e) {
  return {{"id", e.id},
          {"transaction_id", e.transaction_id},
          {"amount_cents", e.amount_cents},
          {"balance_after_cents", e.balance_after_cents},
          {"kind", e.kind},
          {"reference", e.reference},
          {"created_at", json::rfc3339(e.created_at)}};
}

bj::object statement_json(std::int64_t cid, std::int64_t balance_cents, std::vector<repo::Entry> const& rows,
                          json::Page const& page) {
  bj::object list = json::page_of_rows(rows, page, entry_json);
  bj::object out;
  out["community_id"] = cid;
  out["balance_cents"] = balance_cents;
  out["entries"] = std::move(list["items"]);
  out["next_cursor"] = std::move(list["next_cursor"]);
  return out;
}

bj::object ledger_summary_json(std::int64_t cid, std::vector<repo::KindTotal> const& totals,
                               std::int64_t transactions) {
  bj::object by_kind;
  std::int64_t total = 0;
  for (auto const& t : totals) {
    total += t.balance_cents;
    by_kind[t.owner_kind] = bj::object{{"balance_cents", t.balance_cents}, {"accounts", t.accounts}};
  }
  return bj::object{{"community_id", cid},
                    {"total_cents", total},
                    {"balanced", logic::balanced(total)},
                    {"transactions", transactions},
                    {"by_kind", std::move(by_kind)}};
}

}  // namespace courtyard::wallet
