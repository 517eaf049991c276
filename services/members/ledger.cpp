#include "services/members/ledger.hpp"

#include "http/errors.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace courtyard::members::ledger {

namespace bj = boost::json;

namespace {

// The account's row id, opening it on first use.
std::int64_t account_row(db::Tx& tx, std::int64_t cid, logic::AccountRef ref) {
  std::string kind(logic::owner_name(ref.kind));
  if (auto id = repo::find_account(tx, cid, kind, ref.owner_id)) return *id;
  repo::open_account(tx, cid, kind, ref.owner_id, logic::may_go_negative(ref.kind));
  return repo::find_account(tx, cid, kind, ref.owner_id).value_or(0);
}

bj::object tier_json(std::optional<logic::Tier> const& t) {
  if (!t) return bj::object{{"id", nullptr}, {"name", nullptr}};
  return bj::object{{"id", t->id}, {"name", t->name}};
}

}  // namespace

logic::Points lock_member(db::Tx& tx, std::int64_t cid, std::int64_t account_id) {
  return logic::Points(repo::lock_account(tx, account_row(tx, cid, logic::member(account_id))));
}

std::int64_t post(db::Tx& tx, repo::Posting header, std::vector<logic::Leg> const& legs) {
  logic::check_balanced(legs);
  std::map<std::int64_t, std::int64_t> net;  // by account row id: the lock order
  for (auto const& l : legs) net[account_row(tx, header.community_id, l.account)] += l.amount.value;
  header.created_at = tx.now_ms();
  std::int64_t id = repo::insert_posting(tx, header);
  for (auto const& [acct, amount] : net) {
    if (amount == 0) continue;
    if (!repo::apply_delta(tx, acct, amount))
      throw Conflict("insufficient-points", "the member does not have enough points");
    repo::insert_entry(tx, id, acct, header.community_id, amount, repo::account_balance(tx, acct));
  }
  return id;
}

std::int64_t earned_12m(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t now) {
  auto month = logic::month_of(now);
  return repo::earned_between(tx, cid, account_id, logic::window_start(month), month);
}

void raise_tier(db::Tx& tx, std::int64_t cid, std::int64_t account_id, std::int64_t now) {
  auto tiers = repo::tiers(tx, cid);
  if (tiers.empty()) return;
  repo::ensure_status(tx, cid, account_id, logic::month_of(now), now);
  auto st = repo::status(tx, cid, account_id);
  auto current = logic::position(tiers, st ? st->tier_id : std::nullopt);
  auto reached = logic::qualifying(tiers, earned_12m(tx, cid, account_id, now));
  if (!reached || (current && *current >= *reached)) return;
  repo::set_tier(tx, cid, account_id, tiers[*reached].id, now);
  std::optional<logic::Tier> from;
  if (current) from = tiers[*current];
  tx.publish("tier.changed", cid,
             bj::object{{"community_id", cid},
                        {"account_id", account_id},
                        {"direction", "up"},
                        {"from", tier_json(from)},
                        {"to", tier_json(tiers[*reached])}});
}

std::int64_t earn(db::Tx& tx, Earning const& e) {
  auto rule = repo::rule_in_effect(tx, e.community_id, e.kind, e.event_at);
  if (!rule || !rule->enabled) return 0;
  std::string source(logic::source_of(e.kind));
  lock_member(tx, e.community_id, e.account_id);
  // Under the member's lock: a concurrent or repeated delivery of the same
  // event waits here, then finds the posting (the unique keys on postings are
  // the backstop).
  if (repo::posted_for_event(tx, e.event_id, e.account_id) ||
      repo::posted_for_source(tx, e.community_id, source, e.source_ref, e.account_id))
    return 0;

  int tier_pct = 100;
  if (auto st = repo::status(tx, e.community_id, e.account_id); st && st->tier_id) {
    auto tiers = repo::tiers(tx, e.community_id);
    if (auto pos = logic::position(tiers, st->tier_id)) tier_pct = tiers[*pos].earn_multiplier_pct;
  }
  std::int64_t points = logic::earn_points(*rule, e.total_cents, e.merchant_id, tier_pct);
  std::string kind(logic::kind_name(e.kind));
  std::int64_t day = logic::day_of(e.event_at);
  if (points > 0 && rule->daily_cap > 0)
    points = logic::capped(points, rule->daily_cap, repo::lock_daily(tx, e.community_id, e.account_id, kind, day));
  if (points <= 0) return 0;

  repo::Posting header;
  header.community_id = e.community_id;
  header.account_id = e.account_id;
  header.kind = "earn";
  header.points = points;
  header.source = source;
  header.source_ref = e.source_ref;
  header.source_event_id = e.event_id;
  header.rule_id = rule->id;
  header.rule_version = rule->version;
  auto pid = post(tx, header,
                  {{logic::issued(), logic::Points(-points)}, {logic::member(e.account_id), logic::Points(points)}});

  auto program = repo::program(tx, e.community_id);
  repo::Lot lot;
  lot.community_id = e.community_id;
  lot.account_id = e.account_id;
  lot.posting_id = pid;
  lot.points = lot.remaining = points;
  lot.earned_at = e.event_at;
  lot.expires_at = logic::expires_at(e.event_at, program.expiry_days);
  repo::insert_lot(tx, lot);

  if (rule->daily_cap > 0) repo::add_daily(tx, e.community_id, e.account_id, kind, day, points);
  repo::add_month(tx, e.community_id, e.account_id, logic::month_of(e.event_at), points);
  raise_tier(tx, e.community_id, e.account_id, tx.now_ms());
  return points;
}

std::int64_t debit(db::Tx& tx, std::int64_t cid, std::int64_t account_id, logic::Points points,
                   std::string const& reference) {
  if (points.value <= 0) throw std::logic_error("a debit must take points");
  auto balance = lock_member(tx, cid, account_id);
  if (repo::posted_for_source(tx, cid, "debit", reference, account_id)) return 0;
  if (balance < points) throw Conflict("insufficient-points", "the member does not have enough points");
  std::int64_t left = points.value;
  std::vector<std::pair<std::int64_t, std::int64_t>> taken;  // lot id, points
  for (auto const& lot : repo::open_lots(tx, cid, account_id)) {
    if (left == 0) break;
    std::int64_t take = std::min(left, lot.remaining);
    if (!repo::take_from_lot(tx, lot.id, take)) throw std::logic_error("a points lot changed under the member lock");
    taken.emplace_back(lot.id, take);
    left -= take;
  }
  if (left != 0) throw std::logic_error("points lots do not cover the member's balance");
  repo::Posting header;
  header.community_id = cid;
  header.account_id = account_id;
  header.kind = "debit";
  header.points = points.value;
  header.source = "debit";
  header.source_ref = reference;
  auto pid = post(tx, header, {{logic::member(account_id), -points}, {logic::spent(), points}});
  int seq = 0;
  for (auto const& [lot, n] : taken) repo::insert_debit_lot(tx, pid, lot, seq++, n);
  return points.value;
}

std::int64_t give_back(db::Tx& tx, std::int64_t cid, std::int64_t account_id, logic::Points points,
                       std::string const& reference, std::string const& debit_reference) {
  if (points.value <= 0) throw std::logic_error("giving back must give points");
  lock_member(tx, cid, account_id);
  if (repo::posted_for_source(tx, cid, "refund", reference, account_id)) return 0;

  std::vector<repo::DebitLot> from;
  std::optional<std::int64_t> debit_id;
  if (!debit_reference.empty()) debit_id = repo::posting_for_source(tx, cid, "debit", debit_reference, account_id);
  if (debit_id) from = repo::debit_lots(tx, *debit_id);
  std::vector<std::pair<std::int64_t, std::int64_t>> taken;
  for (auto const& d : from) taken.emplace_back(d.points, d.restored);
  auto plan = logic::plan_restore(taken, points.value);
  std::int64_t restored = points.value - plan.left_over;

  repo::Posting header;
  header.community_id = cid;
  header.account_id = account_id;
  header.kind = "refund";
  header.points = points.value;
  header.source = "refund";
  header.source_ref = reference;
  std::vector<logic::Leg> legs{{logic::member(account_id), points}};
  if (restored > 0) legs.push_back({logic::spent(), logic::Points(-restored)});
  // More than the debit took (or no debit): new points, issued like an earning.
  if (plan.left_over > 0) legs.push_back({logic::issued(), logic::Points(-plan.left_over)});
  auto pid = post(tx, header, legs);

  // Each restored part lives on as a lot with the earn date and expiry of the
  // lot it was taken from: giving points back never extends their life (an
  // expiry that has passed meanwhile is posted by the next expiry run).
  std::int64_t now = tx.now_ms();
  for (std::size_t i = from.size(); i-- > 0;) {
    std::int64_t n = plan.per_lot[i];
    if (n == 0) continue;
    if (!repo::restore_debit_lot(tx, *debit_id, from[i].lot_id, n))
      throw std::logic_error("a debit's lots changed under the member lock");
    repo::Lot lot;
    lot.community_id = cid;
    lot.account_id = account_id;
    lot.posting_id = pid;
    lot.points = lot.remaining = n;
    lot.earned_at = from[i].earned_at;
    lot.expires_at = from[i].expires_at;
    repo::insert_lot(tx, lot);
  }
  if (plan.left_over > 0) {
    repo::Lot lot;
    lot.community_id = cid;
    lot.account_id = account_id;
    lot.posting_id = pid;
    lot.points = lot.remaining = plan.left_over;
    lot.earned_at = now;
    lot.expires_at = logic::expires_at(now, repo::program(tx, cid).expiry_days);
    repo::insert_lot(tx, lot);
  }
  return points.value;
}

std::int64_t expire_lot(db::Tx& tx, repo::Lot const& lot) {
  lock_member(tx, lot.community_id, lot.account_id);
  std::int64_t left = repo::lot_remaining(tx, lot.id);
  if (left <= 0) return 0;
  std::string ref = "lot:" + std::to_string(lot.id);
  if (repo::posted_for_source(tx, lot.community_id, "expiry", ref, lot.account_id)) return 0;
  if (!repo::take_from_lot(tx, lot.id, left)) throw std::logic_error("a points lot changed under the member lock");
  repo::Posting header;
  header.community_id = lot.community_id;
  header.account_id = lot.account_id;
  header.kind = "expire";
  header.points = left;
  header.source = "expiry";
  header.source_ref = ref;
  post(tx, header, {{logic::member(lot.account_id), logic::Points(-left)}, {logic::expired(), logic::Points(left)}});
  return left;
}

std::int64_t credit_bonus(db::Tx& tx, std::int64_t cid, std::int64_t account_id, logic::Points points,
                          std::string const& source, std::string const& reference) {
  if (points.value <= 0) throw std::logic_error("a bonus must give points");
  lock_member(tx, cid, account_id);
  if (repo::posted_for_source(tx, cid, source, reference, account_id)) return 0;
  repo::Posting header;
  header.community_id = cid;
  header.account_id = account_id;
  header.kind = "earn";
  header.points = points.value;
  header.source = source;
  header.source_ref = reference;
  auto pid = post(tx, header, {{logic::issued(), -points}, {logic::member(account_id), points}});
  auto now = tx.now_ms();
  repo::Lot lot;
  lot.community_id = cid;
  lot.account_id = account_id;
  lot.posting_id = pid;
  lot.points = lot.remaining = points.value;
  lot.earned_at = now;
  lot.expires_at = logic::expires_at(now, repo::program(tx, cid).expiry_days);
  repo::insert_lot(tx, lot);
  return points.value;
}

}  // namespace courtyard::members::ledger
