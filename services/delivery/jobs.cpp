// The auto-assignment timer.
#include "services/delivery/routes.hpp"
#include "services/identity/api.hpp"

#include <spdlog/spdlog.h>

#include <string>

namespace courtyard::delivery {

namespace {

constexpr int kAssignBatch = 200;

// Gives one pending task to the least-loaded courier of its community, if it is still
// unassigned and there is a courier.
void assign_one(db::Tx& tx, std::int64_t id, std::int64_t cid) {
  auto couriers = identity::accounts_with_role(tx, cid, Role::Courier);
  auto pick = least_loaded(couriers, repo::active_by_courier(tx, cid));
  if (!pick) return;  // nobody to give it to: stays pending
  // Conditional on still being unassigned, so a courier's claim or another instance's
  // run in between wins and this one changes nothing.
  if (repo::transition(tx, cid, id, Status::Pending, 0, Status::Claimed, *pick, std::nullopt) != 1) return;
  auto t = repo::find(tx, cid, id);
  if (!t) return;
  repo::add_history(tx, *t, Status::Pending, Status::Claimed, 0, "auto-assigned to courier " + std::to_string(*pick));
  tx.publish("delivery.claimed", t->community_id, task_event(*t, bj::object{{"auto_assigned", true}}));
}

}  // namespace

void auto_assign(jobs::JobContext& jc, std::int64_t delay_ms) {
  auto due = repo::due_for_assignment(jc.db, jc.now_ms - delay_ms, kAssignBatch);
  for (auto const& [id, cid] : due) {
    try {
      db::transact(jc.db, &jc.bus, [&, id = id, cid = cid](db::Tx& tx) { assign_one(tx, id, cid); });
    } catch (std::exception const& ex) {
      spdlog::warn("delivery.auto_assign: task {}: {}", id, ex.what());
    }
  }
}

// Each task whose slot ended undelivered is flagged once (a conditional update on late_at)
// and delivery.late tells the resident, the merchant's webhooks and the managers.
void flag_late(jobs::JobContext& jc) {
  auto due = repo::due_late(jc.db, jc.now_ms, kAssignBatch);
  for (auto const& [id, cid] : due) {
    try {
      db::transact(jc.db, &jc.bus, [&, id = id, cid = cid](db::Tx& tx) {
        if (repo::mark_late(tx, cid, id, jc.now_ms) != 1) return;
        auto t = repo::find(tx, cid, id);
        if (!t) return;
        tx.publish("delivery.late", cid,
                   task_event(*t, bj::object{{"slot_ends_at", json::rfc3339(t->slot_ends_at)}}));
      });
    } catch (std::exception const& ex) {
      spdlog::warn("delivery.flag_late: task {}: {}", id, ex.what());
    }
  }
}

}  // namespace courtyard::delivery
