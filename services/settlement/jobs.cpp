// Closing settlement periods: by the "settlement.close_periods" job and the manager's route.
#include "db/database.hpp"
#include "services/settlement/api.hpp"
#include "services/settlement/routes.hpp"
#include "services/wallet/api.hpp"

#include <spdlog/spdlog.h>

namespace courtyard::settlement {

std::optional<std::vector<repo::Statement>> close_one_period(db::Tx& tx, repo::Period const& p, std::int64_t by) {
  // The period's row first: a posting still entering it finishes before (MySQL waits on the
  // row), one after sees it closed and goes to the next period.
  if (!repo::close_period(tx, p.id, by)) return std::nullopt;
  std::vector<repo::Statement> out;
  for (std::int64_t mid : repo::merchants_in_period(tx, p.id)) {
    auto sums = logic::sums(logic_postings(repo::postings(tx, p.id, mid)));
    repo::Statement s;
    s.community_id = p.community_id;
    s.merchant_id = mid;
    s.period_id = p.id;
    s.period_start = p.start_ms;
    s.period_end = p.end_ms;
    s.orders_count = sums.orders;
    s.gross_cents = sums.gross_cents;
    s.refunds_cents = sums.refunds_cents;
    s.commission_cents = sums.commission_cents;
    s.points_cents = sums.points_cents;
    s.net_cents = sums.net_cents;
    s.cancelled_cents = sums.cancelled_cents;
    s.status = "closed";
    s.closed_at = tx.now_ms();
    s.id = repo::insert_statement(tx, s);
    // The points reimbursement: the community pays what its members' points bought here
    // (or takes back what refunds returned to them).
    if (s.points_cents > 0)
      s.reimbursement_txn = wallet::transfer(tx, p.community_id, wallet::community(), wallet::merchant(mid),
                                             s.points_cents, "points_reimbursement", statement_ref(s.id));
    else if (s.points_cents < 0)
      s.reimbursement_txn = wallet::transfer(tx, p.community_id, wallet::merchant(mid), wallet::community(),
                                             -s.points_cents, "points_reimbursement", statement_ref(s.id));
    if (s.reimbursement_txn) repo::set_reimbursement_txn(tx, s.id, *s.reimbursement_txn);
    tx.publish("statement.closed", p.community_id, statement_event(s));
    out.push_back(s);
  }
  return out;
}

int close_due_periods(db::Database& db, events::Bus& bus, std::int64_t now_ms) {
  constexpr std::int64_t kBatch = 100;
  auto due = db::transact(db, &bus, [&](db::Tx& tx) { return repo::due_periods(tx, 0, now_ms, kBatch); });
  int closed = 0;
  for (auto const& p : due) {
    try {
      if (db::transact(db, &bus, [&](db::Tx& tx) { return close_one_period(tx, p, 0).has_value(); })) ++closed;
    } catch (std::exception const& e) {
      spdlog::error("settlement.close_periods: period {} of community {} not closed: {}", p.id, p.community_id,
                    e.what());
    }
  }
  return closed;
}

}  // namespace courtyard::settlement
