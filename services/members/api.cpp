#include "services/members/api.hpp"

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
  return bj::object{{"consents", consents_json(repo::consents(tx, account_id))},
                    {"points_postings", std::move(postings)},
                    {"points_lots", std::move(lots)},
                    {"statuses", std::move(statuses)}};
}

}  // namespace courtyard::members
