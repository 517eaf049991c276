// The daily jobs: expiring lots (oldest first, only what is left of them),
// announcing expiries a notice period ahead, and lowering tiers at the end of a
// period.
#include "db/database.hpp"
#include "services/members/api.hpp"
#include "services/members/ledger.hpp"
#include "services/members/routes.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <tuple>

namespace courtyard::members {

namespace {
constexpr int kBatch = 200;
}

int expire_due_points(db::Database& db, events::Bus& bus, std::int64_t now_ms) {
  int expired = 0;
  for (;;) {
    auto due = db::transact(db, &bus, [&](db::Tx& tx) { return repo::due_lots(tx, now_ms, kBatch); });
    int progressed = 0;
    for (auto const& lot : due) {
      try {
        // One lot per transaction, under its member's lock: a concurrent debit
        // or a second expirer finds the lot's remaining already taken.
        if (db::transact(db, &bus, [&](db::Tx& tx) { return ledger::expire_lot(tx, lot); }) > 0) ++expired;
        ++progressed;
      } catch (std::exception const& e) {
        spdlog::error("members.expire_points: lot {} failed: {}", lot.id, e.what());
      }
    }
    if (due.size() < static_cast<std::size_t>(kBatch) || progressed == 0) break;
  }
  return expired;
}

int announce_expiring_points(db::Database& db, events::Bus& bus, std::int64_t now_ms) {
  auto lots = db::transact(db, &bus, [&](db::Tx& tx) { return repo::lots_to_announce(tx, now_ms, 5000); });
  // One notice per member and expiry day.
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, std::vector<repo::Lot>> groups;
  for (auto const& l : lots) groups[{l.community_id, l.account_id, logic::day_of(*l.expires_at)}].push_back(l);
  int sent = 0;
  for (auto const& [key, group] : groups) {
    auto [cid, account, day] = key;
    try {
      sent += db::transact(db, &bus, [&, cid = cid, account = account, day = day](db::Tx& tx) {
        ledger::lock_member(tx, cid, account);
        std::int64_t points = 0;
        for (auto const& l : group)
          if (repo::mark_announced(tx, l.id)) points += repo::lot_remaining(tx, l.id);
        if (points <= 0) return 0;
        tx.publish("points.expiring", cid,
                   bj::object{{"community_id", cid},
                              {"account_id", account},
                              {"points", points},
                              {"expires_at_ms", day * logic::kDayMs},
                              {"expires_on", json::rfc3339(day * logic::kDayMs).substr(0, 10)}});
        return 1;
      });
    } catch (std::exception const& e) {
      spdlog::error("members.announce_expiring_points: member {} failed: {}", account, e.what());
    }
  }
  return sent;
}

int review_tiers(db::Database& db, events::Bus& bus, std::int64_t now_ms) {
  auto month = logic::month_of(now_ms);
  int lowered = 0;
  for (;;) {
    auto due = db::transact(db, &bus, [&](db::Tx& tx) { return repo::due_reviews(tx, month, kBatch); });
    int progressed = 0;
    for (auto const& s : due) {
      try {
        lowered += db::transact(db, &bus, [&](db::Tx& tx) {
          ledger::lock_member(tx, s.community_id, s.account_id);
          auto tiers = repo::tiers(tx, s.community_id);
          auto current = logic::position(tiers, s.tier_id);
          auto reached = logic::qualifying(tiers, ledger::earned_12m(tx, s.community_id, s.account_id, now_ms));
          bool lower = current && (!reached || *reached < *current);
          std::optional<std::int64_t> tier = s.tier_id;
          if (lower) tier = reached ? std::optional<std::int64_t>(tiers[*reached].id) : std::nullopt;
          if (!repo::review(tx, s, month, tier, tx.now_ms())) return 0;
          ++progressed;
          if (!lower) return 0;
          tx.publish("tier.changed", s.community_id,
                     bj::object{{"community_id", s.community_id},
                                {"account_id", s.account_id},
                                {"direction", "down"},
                                {"from", bj::object{{"id", tiers[*current].id}, {"name", tiers[*current].name}}},
                                {"to", reached ? bj::object{{"id", tiers[*reached].id}, {"name", tiers[*reached].name}}
                                               : bj::object{{"id", nullptr}, {"name", nullptr}}}});
          return 1;
        });
      } catch (std::exception const& e) {
        spdlog::error("members.review_tiers: member {} failed: {}", s.account_id, e.what());
      }
    }
    if (due.size() < static_cast<std::size_t>(kBatch) || progressed == 0) break;
  }
  return lowered;
}

}  // namespace courtyard::members
