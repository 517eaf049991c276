// Earning from other services' events (services/EVENTS.md). Each subscriber
// runs in the dispatcher's transaction; ledger::earn makes it exactly once per
// (event, member) and per (source, member), so redelivered events and racing
// dispatchers earn nothing twice. Points come only from these events, never
// from a request the resident makes to this service.
#include "services/identity/api.hpp"
#include "services/members/ledger.hpp"
#include "services/shops/api.hpp"
#include "services/members/routes.hpp"
#include "services/shops/api.hpp"

#include <algorithm>

namespace courtyard::members {

namespace {

std::int64_t num(bj::object const& p, std::string_view key) { return json::int_field(p, key).value_or(0); }

std::vector<std::int64_t> ids(bj::object const& p, std::string_view key) {
  std::vector<std::int64_t> out;
  if (auto const* v = p.if_contains(key); v && v->is_array())
    for (auto const& x : v->as_array())
      if (x.is_int64() && x.as_int64() > 0) out.push_back(x.as_int64());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

ledger::Earning earning(events::Event const& e, logic::EarnKind kind, std::int64_t account, std::string ref) {
  ledger::Earning x;
  x.community_id = e.community_id;
  x.account_id = account;
  x.kind = kind;
  x.source_ref = std::move(ref);
  x.event_id = e.id;
  x.event_at = e.created_at;
  return x;
}

bj::object const* payload(events::Event const& e) {
  if (e.community_id <= 0 || !e.payload.is_object()) return nullptr;
  return &e.payload.as_object();
}

}  // namespace

// bill.paid, paid on or before its due date: the resident who paid it earns; a
// payment a manager recorded offline earns for each resident of the unit.
void on_bill_paid(events::Event const& e, db::Tx& tx) {
  auto const* p = payload(e);
  if (!p) return;
  std::int64_t bill = num(*p, "bill_id");
  if (bill <= 0 || !logic::paid_on_time(num(*p, "paid_at_ms"), num(*p, "due_at_ms"))) return;
  auto residents = ids(*p, "account_ids");
  std::int64_t payer = num(*p, "paid_by");
  std::vector<std::int64_t> earners;
  if (std::find(residents.begin(), residents.end(), payer) != residents.end())
    earners.push_back(payer);
  else
    earners = residents;
  for (auto account : earners)
    ledger::earn(tx, earning(e, logic::EarnKind::BillPaidOnTime, account, "bill:" + std::to_string(bill)));
}

// order.completed: points per 100 cents spent, times the merchant's multiplier.
void on_order_completed(events::Event const& e, db::Tx& tx) {
  auto const* p = payload(e);
  if (!p) return;
  std::int64_t order = num(*p, "order_id"), buyer = num(*p, "buyer_id");
  if (order <= 0 || buyer <= 0) return;
  auto x = earning(e, logic::EarnKind::OrderCompleted, buyer, "order:" + std::to_string(order));
  // Points earn on the money spent: the part paid with points earns nothing.
  x.total_cents = std::max<std::int64_t>(0, num(*p, "total_cents") - num(*p, "points_cents"));
  x.merchant_id = num(*p, "merchant_id");
  ledger::earn(tx, x);
}

// event.checked_in: the attendee earns once per event.
void on_event_checked_in(events::Event const& e, db::Tx& tx) {
  auto const* p = payload(e);
  if (!p) return;
  std::int64_t event = num(*p, "event_id"), account = num(*p, "account_id");
  if (event <= 0 || account <= 0) return;
  ledger::earn(tx, earning(e, logic::EarnKind::EventAttended, account, "event:" + std::to_string(event)));
}

// review.posted: the first review of a completed order (shops allows one per
// completed order; the source key order:{id} makes it once here too).
void on_review_posted(events::Event const& e, db::Tx& tx) {
  auto const* p = payload(e);
  if (!p) return;
  std::int64_t order = num(*p, "order_id"), buyer = num(*p, "buyer_id");
  if (order <= 0 || buyer <= 0) return;
  ledger::earn(tx, earning(e, logic::EarnKind::FirstReview, buyer, "order:" + std::to_string(order)));
}

// suggestion.adopted: the author of a suggestion the manager adopted.
void on_suggestion_adopted(events::Event const& e, db::Tx& tx) {
  auto const* p = payload(e);
  if (!p) return;
  std::int64_t suggestion = num(*p, "suggestion_id"), author = num(*p, "author_id");
  if (suggestion <= 0 || author <= 0) return;
  ledger::earn(tx, earning(e, logic::EarnKind::SuggestionAdopted, author, "suggestion:" + std::to_string(suggestion)));
}

// ---- member facts (segments)
//
// Each keeps a fact of the community's residents current from events. Only residents get a
// facts row (resident.approved, or an order or bill of a unit of the community), so a
// segment never counts anyone else. Additive facts (spend, orders) apply once per event:
// the claim row commits with them, and a redelivery finds it.

// resident.approved: the resident's row, with the building of the unit.
void on_resident_facts(events::Event const& e, db::Tx& tx) {
  auto const* p = payload(e);
  if (!p) return;
  std::int64_t account = num(*p, "account_id"), unit = num(*p, "unit_id");
  if (account <= 0) return;
  repo::ensure_fact(tx, e.community_id, account, unit > 0 ? identity::unit_building(tx, e.community_id, unit) : 0);
}

// order.completed: last order, spend per category per day (the community's and the
// merchant's own), the merchant's customers.
void on_order_facts(events::Event const& e, db::Tx& tx) {
  auto const* p = payload(e);
  if (!p) return;
  std::int64_t order = num(*p, "order_id"), buyer = num(*p, "buyer_id"), merchant = num(*p, "merchant_id");
  std::int64_t unit = num(*p, "unit_id"), cid = e.community_id;
  if (order <= 0 || buyer <= 0 || merchant <= 0) return;
  if (!repo::claim_fact_event(tx, "members.facts_order", e.id)) return;
  if (!repo::has_fact(tx, cid, buyer)) {
    std::int64_t building = unit > 0 ? identity::unit_building(tx, cid, unit) : 0;
    if (building <= 0) return;  // not a resident's order
    repo::ensure_fact(tx, cid, buyer, building);
  }
  repo::note_last_order(tx, cid, buyer, e.created_at);
  repo::note_customer(tx, cid, merchant, buyer, e.created_at, num(*p, "total_cents"));
  std::int64_t day = logic::day_of(e.created_at);
  for (auto const& [category, cents] : shops::order_category_cents(tx, cid, order)) {
    if (cents <= 0) continue;
    repo::add_spend(tx, cid, buyer, category, day, cents);
    repo::add_merchant_spend(tx, cid, merchant, buyer, category, day, cents);
  }
}

// bill.overdue: the unit's residents have an overdue bill until it is paid.
void on_bill_overdue_facts(events::Event const& e, db::Tx& tx) {
  auto const* p = payload(e);
  if (!p) return;
  std::int64_t bill = num(*p, "bill_id");
  if (bill <= 0) return;
  for (auto account : ids(*p, "account_ids")) repo::add_overdue(tx, e.community_id, account, bill);
}

void on_bill_paid_facts(events::Event const& e, db::Tx& tx) {
  auto const* p = payload(e);
  if (!p) return;
  if (std::int64_t bill = num(*p, "bill_id"); bill > 0) repo::clear_overdue(tx, e.community_id, bill);
}

// club.joined as a member (an open club, or an approved request).
void on_club_joined_facts(events::Event const& e, db::Tx& tx) {
  auto const* p = payload(e);
  if (!p) return;
  std::int64_t club = num(*p, "club_id"), account = num(*p, "account_id");
  auto const* status = p->if_contains("status");
  if (club <= 0 || account <= 0 || !status || !status->is_string() || status->as_string() != "member") return;
  repo::add_club(tx, e.community_id, club, account);
}

// refund.completed (shops' after-sales refunds): the buyer gets the refund's
// points back, once per refund (reference refund:{id}), into the lots the
// order's points were taken from.
void on_refund_completed(events::Event const& e, db::Tx& tx) {
  auto const* p = payload(e);
  if (!p) return;
  std::int64_t refund = num(*p, "refund_id"), order = num(*p, "order_id"), buyer = num(*p, "buyer_id");
  std::int64_t points = num(*p, "points");
  if (refund <= 0 || buyer <= 0 || points <= 0) return;
  std::string debit = order > 0 ? "order:" + std::to_string(order) : "";
  ledger::give_back(tx, e.community_id, buyer, logic::Points(points), "refund:" + std::to_string(refund), debit);
}

// order.completed with a referral: shops recorded the referrer at checkout (never the buyer,
// always a code of this community). The referrer earns when they still belong to the
// community, once per (community, merchant, referred account) whoever referred them: the
// conversion is claimed first (a unique row, so a redelivery or a second referrer finds it
// taken), then ledger::earn applies the rule, its daily cap and exactly-once keys.
void on_referral_order_completed(events::Event const& e, db::Tx& tx) {
  auto const* p = payload(e);
  if (!p) return;
  std::int64_t order = num(*p, "order_id");
  if (order <= 0) return;
  auto referral = shops::order_referral(tx, e.community_id, order);
  if (!referral || referral->referrer_id <= 0 || referral->referrer_id == referral->buyer_id) return;
  if (!identity::is_member(tx, referral->referrer_id, e.community_id)) return;
  if (!repo::claim_referral_conversion(tx, e.community_id, referral->merchant_id, referral->buyer_id,
                                       referral->referrer_id, order))
    return;
  ledger::earn(tx, earning(e, logic::EarnKind::Referral, referral->referrer_id,
                           "merchant:" + std::to_string(referral->merchant_id) +
                               ":account:" + std::to_string(referral->buyer_id)));
}

}  // namespace courtyard::members
