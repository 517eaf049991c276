// The daily overdue job: unpaid bills past their due time become overdue, with bill.overdue.
#include "db/tx.hpp"
#include "services/identity/api.hpp"
#include "services/property/routes.hpp"

#include <spdlog/spdlog.h>

namespace courtyard::property {

namespace {
constexpr int kOverdueBatch = 200;
constexpr int kMaxBatches = 1000;
}  // namespace

// Per-row conditional updates (unpaid -> overdue), each with its event in its own
// transaction: two instances running at once publish bill.overdue once per bill.
void mark_overdue_bills(jobs::JobContext& jc) {
  for (int round = 0; round < kMaxBatches; ++round) {
    auto due = db::read(jc.db, [&](soci::session& s) { return repo::overdue_candidates(s, jc.now_ms, kOverdueBatch); });
    for (auto const& ref : due) {
      db::transact(jc.db, &jc.bus, [&](db::Tx& tx) {
        if (!repo::mark_overdue(tx, ref.community_id, ref.id, jc.now_ms)) return;
        auto b = repo::bill(tx, ref.community_id, ref.id);
        if (!b) return;
        tx.publish("bill.overdue", b->community_id,
                   bj::object{{"community_id", b->community_id},
                              {"bill_id", b->id},
                              {"unit_id", b->unit_id},
                              {"account_ids", ids_json(identity::residents_of_unit(tx, b->unit_id))},
                              {"amount_cents", b->amount_cents},
                              {"period", b->period}});
      });
    }
    if (static_cast<int>(due.size()) < kOverdueBatch) return;
  }
  spdlog::warn("property.mark_overdue stopped after 1000 batches; the rest waits for the next run");
}

}  // namespace courtyard::property
