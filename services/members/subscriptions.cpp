// Earning from other services' events (services/EVENTS.md). Each subscriber
// runs in the dispatcher's transaction; ledger::earn makes it exactly once per
// (event, member) and per (source, member), so redelivered events and racing
// dispatchers earn nothing twice. Points come only from these events, never
// from a request the resident makes to this service.
#include "services/identity/api.hpp"
#include "services/members/ledger.hpp"
#include "services/members/routes.hpp"
#include "services/shops/api.hpp"

#include <algorithm>

namespace courtyard::members {

namespace {

std::int64_t num(bj::object const& p, std::string_view key) {
  auto const* v = p.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

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
  x.total_cents = num(*p, "total_cents");
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
