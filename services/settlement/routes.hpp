#pragma once
// Internal to the settlement service: route registration, the subscribers, the close that
// the job and the manager's route share, and the views.
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"
#include "http/router.hpp"
#include "services/settlement/logic.hpp"
#include "services/settlement/repository.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::settlement {

namespace bj = boost::json;
using http::Access;
using http::Request;
using http::Response;

void add_commission_routes(http::Router& r);  // the manager's commission rates per category
void add_statement_routes(http::Router& r);   // statements, the current period, closing, payouts

// Subscribers (subscriptions.cpp), each exactly once per source (the postings' unique key):
// order.completed -> the order's money, its points reimbursement and the commission (moved
// from the merchant to the community's revenue account now);
// refund.completed -> the refund's money and points share (a failed delivery's as a record).
void on_order_completed(events::Event const& e, db::Tx& tx);
void on_refund_completed(events::Event const& e, db::Tx& tx);

// The first period still open at or after `at_ms` in the community's calendar, entered (its
// row held until commit): a fact of a closed period goes to the next open one.
std::int64_t open_period_for(db::Tx& tx, std::int64_t cid, std::int64_t at_ms);
// The week holding `at_ms` in the community's time zone.
logic::Period week_for(db::Tx& tx, std::int64_t cid, std::int64_t at_ms);

// jobs.cpp: closes one period (nullopt when it was closed meanwhile): a statement per merchant
// with postings in it, the points reimbursement moved between the community's revenue account
// and the merchant, statement.closed per statement. Throws (rolling back) when the community
// cannot reimburse. Returns the statements it wrote.
std::optional<std::vector<repo::Statement>> close_one_period(db::Tx& tx, repo::Period const& p, std::int64_t by);

// "statement:{id}", the ledger reference of a statement's reimbursement and payout.
std::string statement_ref(std::int64_t sid);

// ---- views (views.cpp)
bj::object statement_json(repo::Statement const& s);
bj::object posting_json(repo::Posting const& p);
// The open period's figures for one merchant so far.
bj::object preview_json(std::int64_t merchant_id, repo::Period const& p, logic::Sums const& s,
                        std::vector<repo::Posting> const& postings);
bj::object statement_event(repo::Statement const& s);
// CSV: a header and one line per statement / per posting.
std::string statements_csv(std::vector<repo::Statement> const& rows);
std::string postings_csv(repo::Statement const& s, std::vector<repo::Posting> const& rows);
std::vector<logic::Posting> logic_postings(std::vector<repo::Posting> const& rows);

}  // namespace courtyard::settlement
