// The "clubs.event_reminders" job: one event.reminder per event about to start.
#include "services/clubs/routes.hpp"

#include <utility>

namespace courtyard::clubs {

namespace {

constexpr std::int64_t kReminderBatch = 100;

}  // namespace

int send_event_reminders(db::Database& db, events::Bus& bus, std::int64_t now_ms) {
  int sent = 0;
  for (int round = 0; round < 50; ++round) {
    auto [published, full_batch] = db::transact(db, &bus, [&](db::Tx& tx) {
      int n = 0;
      auto due = repo::reminder_candidates(tx, now_ms, logic::kReminderLeadMs, kReminderBatch);
      for (auto const& e : due) {
        if (!logic::reminder_due(e.starts_at, now_ms)) continue;
        // Another instance may have sent it meanwhile: the conditional update decides.
        if (!repo::mark_reminded(tx, e.id)) continue;
        bj::array accounts;
        for (auto a : repo::going_accounts(tx, e.id)) accounts.push_back(a);
        tx.publish("event.reminder", e.community_id,
                   bj::object{{"community_id", e.community_id},
                              {"event_id", e.id},
                              {"club_id", e.club_id},
                              {"title", e.title},
                              {"starts_at_ms", e.starts_at},
                              {"account_ids", std::move(accounts)}});
        ++n;
      }
      return std::pair<int, bool>(n, due.size() == static_cast<std::size_t>(kReminderBatch));
    });
    sent += published;
    if (!full_batch) break;
  }
  return sent;
}

}  // namespace courtyard::clubs
