// The JSON and CSV shapes of statements, postings and the open period's preview, and the
// statement.* / payout.* event payload.
#include "http/csv.hpp"
#include "services/settlement/routes.hpp"

namespace courtyard::settlement {

namespace {

bj::object period_json(std::int64_t start, std::int64_t end) {
  return bj::object{{"start", json::rfc3339(start)}, {"end", json::rfc3339(end)}};
}

bj::object sums_json(logic::Sums const& s) {
  return bj::object{{"orders", s.orders},
                    {"gross_cents", s.gross_cents},
                    {"refunds_cents", s.refunds_cents},
                    {"commission_cents", s.commission_cents},
                    {"points_reimbursed_cents", s.points_cents},
                    {"net_payable_cents", s.net_cents},
                    {"cancelled_refunds_cents", s.cancelled_cents}};
}

logic::Sums sums_of(repo::Statement const& s) {
  return {s.orders_count, s.gross_cents, s.refunds_cents, s.commission_cents, s.points_cents, s.cancelled_cents,
          s.net_cents};
}

std::string num(std::int64_t v) { return std::to_string(v); }

}  // namespace

bj::object statement_json(repo::Statement const& s) {
  bj::object out{{"id", s.id},
                 {"community_id", s.community_id},
                 {"merchant_id", s.merchant_id},
                 {"period", period_json(s.period_start, s.period_end)},
                 {"status", s.status},
                 {"closed_at", json::rfc3339(s.closed_at)}};
  for (auto const& kv : sums_json(sums_of(s))) out[kv.key()] = kv.value();
  if (s.paid_at)
    out["payout"] = bj::object{{"reference", s.payout_reference.value_or("")},
                               {"amount_cents", s.net_cents},
                               {"paid_at", json::rfc3339(*s.paid_at)}};
  else
    out["payout"] = nullptr;
  return out;
}

bj::object posting_json(repo::Posting const& p) {
  return bj::object{{"id", p.id},
                    {"kind", p.kind},
                    {"source", p.source},
                    {"order_id", p.order_id ? bj::value(*p.order_id) : bj::value(nullptr)},
                    {"refund_id", p.refund_id ? bj::value(*p.refund_id) : bj::value(nullptr)},
                    {"amount_cents", p.amount_cents},
                    {"occurred_at", json::rfc3339(p.occurred_at)}};
}

bj::object preview_json(std::int64_t merchant_id, repo::Period const& p, logic::Sums const& s,
                        std::vector<repo::Posting> const& postings) {
  bj::object out{{"merchant_id", merchant_id}, {"period", period_json(p.start_ms, p.end_ms)}, {"status", "open"}};
  for (auto const& kv : sums_json(s)) out[kv.key()] = kv.value();
  bj::array lines;
  for (auto const& x : postings) lines.push_back(posting_json(x));
  out["postings"] = std::move(lines);
  return out;
}

bj::object statement_event(repo::Statement const& s) {
  auto out = statement_json(s);
  out["statement_id"] = s.id;
  return out;
}

std::string statements_csv(std::vector<repo::Statement> const& rows) {
  std::string out =
      "statement_id,merchant_id,period_start,period_end,status,orders,gross_cents,refunds_cents,commission_cents,"
      "points_reimbursed_cents,net_payable_cents,cancelled_refunds_cents,payout_reference,paid_at\r\n";
  for (auto const& s : rows) {
    out += num(s.id) + "," + num(s.merchant_id) + "," + json::rfc3339(s.period_start) + "," +
           json::rfc3339(s.period_end) + "," + s.status + "," + num(s.orders_count) + "," + num(s.gross_cents) + "," +
           num(s.refunds_cents) + "," + num(s.commission_cents) + "," + num(s.points_cents) + "," +
           num(s.net_cents) + "," + num(s.cancelled_cents) + "," +
           http::csv::field(s.payout_reference.value_or("")) + "," + (s.paid_at ? json::rfc3339(*s.paid_at) : "") +
           "\r\n";
  }
  return out;
}

std::string postings_csv(repo::Statement const& s, std::vector<repo::Posting> const& rows) {
  std::string out = "statement_id,posting_id,kind,source,order_id,refund_id,amount_cents,occurred_at\r\n";
  for (auto const& p : rows)
    out += num(s.id) + "," + num(p.id) + "," + p.kind + "," + http::csv::field(p.source) + "," +
           (p.order_id ? num(*p.order_id) : "") + "," + (p.refund_id ? num(*p.refund_id) : "") + "," +
           num(p.amount_cents) + "," + json::rfc3339(p.occurred_at) + "\r\n";
  return out;
}

}  // namespace courtyard::settlement
