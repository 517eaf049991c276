#include "services/members/api.hpp"

#include "db/json_rows.hpp"

#include "services/members/ledger.hpp"
#include "services/members/routes.hpp"

namespace courtyard::members {

Points balance(db::Tx& tx, std::int64_t community_id, std::int64_t account_id) {
  return Points(repo::member_balance(tx, community_id, account_id));
}

std::int64_t debit(db::Tx& tx, std::int64_t community_id, std::int64_t account_id, Points points,
                   std::string const& reference) {
  return ledger::debit(tx, community_id, account_id, points, reference);
}

bool enabled(db::Tx& tx) { return db::has_schema(tx, "members"); }

PointsPayment pay_with_points(db::Tx& tx, std::int64_t community_id, std::int64_t account_id, std::int64_t points,
                              std::int64_t price_cents, SpendOn on, std::string const& reference) {
  if (points < 0) throw Invalid("points", "must be 0 or more");
  if (points == 0) return {};
  if (!enabled(tx)) throw Invalid("points", "this community has no loyalty programme");
  auto program = repo::program(tx, community_id);
  if (on == SpendOn::Bill && !program.points_on_bills)
    throw Invalid("points", "this community does not take points for bills");
  if (auto why = logic::spend_problem(points, price_cents, program.spend); !why.empty()) throw Invalid("points", why);
  if (ledger::debit(tx, community_id, account_id, Points(points), reference) != points)
    throw std::logic_error("points were spent twice under one reference: " + reference);
  return {points, logic::points_value_cents(points, program.spend)};
}

std::int64_t give_back(db::Tx& tx, std::int64_t community_id, std::int64_t account_id, Points points,
                       std::string const& reference, std::string const& debit_reference) {
  if (points.value <= 0) return 0;
  return ledger::give_back(tx, community_id, account_id, points, reference, debit_reference);
}

TierBenefits tier_benefits(db::Tx& tx, std::int64_t community_id, std::int64_t account_id) {
  TierBenefits out;
  auto st = repo::status(tx, community_id, account_id);
  if (!st || !st->tier_id) return out;
  auto tiers = repo::tiers(tx, community_id);
  auto pos = logic::position(tiers, st->tier_id);
  if (!pos) return out;
  out.tier_id = tiers[*pos].id;
  out.tier_name = tiers[*pos].name;
  out.discount_pct = tiers[*pos].discount_pct;
  out.earn_multiplier_pct = tiers[*pos].earn_multiplier_pct;
  return out;
}

std::map<std::int64_t, int> tier_discounts(db::Tx& tx, std::int64_t community_id,
                                           std::vector<std::int64_t> const& account_ids) {
  std::map<std::int64_t, int> out;
  for (auto id : account_ids) out[id] = 0;
  auto statuses = repo::statuses(tx, community_id, account_ids);
  bool any = false;
  for (auto const& st : statuses) any = any || st.tier_id.has_value();
  if (!any) return out;
  auto tiers = repo::tiers(tx, community_id);
  for (auto const& st : statuses)
    if (st.tier_id)
      if (auto pos = logic::position(tiers, st.tier_id)) out[st.account_id] = tiers[*pos].discount_pct;
  return out;
}

bool has_consent(db::Tx& tx, std::int64_t account_id, std::string_view purpose) {
  auto p = logic::parse_purpose(purpose);
  return p && consents_to(tx, account_id, *p);
}

bool consents_to(db::Tx& tx, std::int64_t account_id, logic::Purpose purpose) {
  for (auto const& [name, granted] : repo::consents(tx, account_id))
    if (name == logic::purpose_name(purpose)) return granted;
  return logic::default_consent(purpose);
}

boost::json::object export_account(db::Tx& tx, std::int64_t account_id) {
  bj::array postings, lots, statuses;
  for (auto const& p : repo::all_postings(tx, account_id)) postings.push_back(posting_json(p));
  for (auto const& l : repo::all_lots(tx, account_id)) lots.push_back(lot_json(l));
  for (auto const& s : repo::all_statuses(tx, account_id))
    statuses.push_back(bj::object{{"community_id", s.community_id},
                                  {"tier_id", s.tier_id ? bj::value(*s.tier_id) : bj::value(nullptr)},
                                  {"updated_at", json::rfc3339(s.updated_at)}});
  bj::array received;
  for (auto const& r : repo::all_received_campaigns(tx, account_id)) {
    std::optional<shops::AccountCoupon> coupon;
    if (r.kind == "coupon") coupon = shops::campaign_coupon_of(tx, r.community_id, r.campaign_id, account_id);
    received.push_back(received_json(r, coupon, tx.now_ms()));
  }
  bj::array tags;
  for (auto const& [cid, tag] : repo::all_tags(tx, account_id))
    tags.push_back(bj::object{{"community_id", cid}, {"tag", tag}});
  return bj::object{{"consents", consents_json(repo::consents(tx, account_id))},
                    {"campaigns_received", std::move(received)},
                    {"tags", std::move(tags)},
                    {"points_postings", std::move(postings)},
                    {"points_lots", std::move(lots)},
                    {"statuses", std::move(statuses)}};
}

}  // namespace courtyard::members
