// The manager's analytics: GMV and orders by category and merchant, active residents and
// retention by monthly cohort, bill collection and overdue ageing, tickets against the SLA,
// events and posts; and the backfill that rebuilds the shop and ticket rollups from existing rows.
#include "services/analytics/routes.hpp"
#include "services/identity/api.hpp"
#include "services/property/api.hpp"
#include "services/shops/api.hpp"

#include <algorithm>
#include <map>

namespace courtyard::analytics {

namespace {

bj::value rate(std::optional<double> r) { return r ? bj::value(*r) : bj::value(nullptr); }

bj::object sales_section(db::Tx& tx, std::int64_t cid, Range const& r) {
  std::map<std::int64_t, std::string> names;
  for (auto const& [id, name] : shops::merchant_names(tx, cid)) names[id] = name;
  std::int64_t orders = 0, gmv = 0;
  auto merchants = repo::community_merchants(tx, cid, r.from, r.to);
  std::sort(merchants.begin(), merchants.end(),
            [](auto const& a, auto const& b) { return a.revenue_cents > b.revenue_cents; });
  bj::array by_merchant, by_category;
  for (auto const& m : merchants) {
    orders += m.orders;
    gmv += m.revenue_cents;
    by_merchant.push_back(bj::object{{"merchant_id", m.id},
                                     {"name", names[m.id]},
                                     {"orders", m.orders},
                                     {"gmv_cents", m.revenue_cents},
                                     {"average_order_cents", logic::average(m.revenue_cents, m.orders)}});
  }
  auto categories = repo::community_categories(tx, cid, r.from, r.to);
  std::sort(categories.begin(), categories.end(),
            [](auto const& a, auto const& b) { return a.revenue_cents > b.revenue_cents; });
  for (auto const& c : categories)
    by_category.push_back(bj::object{
        {"category", c.key}, {"orders", c.orders}, {"items", c.quantity}, {"gmv_cents", c.revenue_cents}});
  return bj::object{{"orders", orders},
                    {"gmv_cents", gmv},
                    {"average_order_cents", logic::average(gmv, orders)},
                    {"by_category", std::move(by_category)},
                    {"by_merchant", std::move(by_merchant)}};
}

bj::object residents_section(db::Tx& tx, std::int64_t cid, Range const& r) {
  std::int64_t active = repo::active_residents(tx, cid, r.from, r.to);
  std::int64_t residents = identity::count_residents(tx, cid);
  std::int64_t first = logic::month_of(r.from), last = logic::month_of(r.to);
  std::map<std::int64_t, std::map<std::int64_t, std::int64_t>> grid;
  for (auto const& c : repo::cohorts(tx, cid, first, last)) grid[c.cohort][c.month] = c.residents;
  bj::array cohorts;
  for (auto const& [cohort, months] : grid) {
    std::int64_t size = months.count(cohort) ? months.at(cohort) : 0;
    bj::array row;
    for (std::int64_t m = cohort; m <= last; ++m) {
      std::int64_t n = months.count(m) ? months.at(m) : 0;
      row.push_back(bj::object{{"month", logic::format_month(m)}, {"active", n}, {"retention", rate(logic::ratio(n, size))}});
    }
    cohorts.push_back(bj::object{{"cohort", logic::format_month(cohort)}, {"residents", size}, {"months", std::move(row)}});
  }
  return bj::object{{"active", active},
                    {"residents", residents},
                    {"active_rate", rate(logic::ratio(active, residents))},
                    {"cohorts", std::move(cohorts)}};
}

bj::object bills_section(db::Tx& tx, std::int64_t cid, Range const& r, repo::CommunityDay const& d) {
  auto b = repo::bills_issued_between(tx, cid, r.from, r.to);
  std::int64_t now = tx.now_ms();
  struct Bucket {
    char const* name;
    std::int64_t max_days;
    std::int64_t bills = 0, cents = 0;
  };
  Bucket buckets[] = {{"1-30", 30}, {"31-60", 60}, {"61-90", 90}, {"90+", INT64_MAX}};
  for (auto const& [due, cents] : repo::overdue_bills(tx, cid, now)) {
    std::int64_t days = (now - due) / logic::kDayMs + 1;
    for (auto& k : buckets)
      if (days <= k.max_days) {
        ++k.bills;
        k.cents += cents;
        break;
      }
  }
  bj::array ageing;
  for (auto const& k : buckets) ageing.push_back(bj::object{{"days", k.name}, {"bills", k.bills}, {"cents", k.cents}});
  return bj::object{{"issued", b.issued},
                    {"issued_cents", b.issued_cents},
                    {"paid", b.paid},
                    {"paid_cents", b.paid_cents},
                    {"collection_rate", rate(logic::ratio(b.paid_cents, b.issued_cents))},
                    {"payments_in_range", d.bills_paid},
                    {"payments_in_range_cents", d.bills_paid_cents},
                    {"paid_late_in_range", d.bills_paid_late},
                    {"became_overdue_in_range", d.bills_overdue},
                    {"overdue_ageing", std::move(ageing)}};
}

// How one step (first response or resolution) of the range's tickets measured against the SLA.
bj::object sla_json(std::int64_t count, std::int64_t minutes, std::int64_t breaches) {
  return bj::object{{"count", count},
                    {"mean_minutes", count > 0 ? bj::value(logic::average(minutes, count)) : bj::value(nullptr)},
                    {"within_sla", count - breaches},
                    {"breaches", breaches},
                    {"within_sla_rate", rate(logic::ratio(count - breaches, count))}};
}

bj::object ticket_figures(repo::TicketDay const& t) {
  auto avg = logic::ratio(t.rating_sum * 100, t.ratings);
  return bj::object{{"opened", t.opened},
                    {"reopened", t.reopened},
                    {"first_response", sla_json(t.responded, t.response_minutes, t.response_breaches)},
                    {"resolution", sla_json(t.resolved, t.resolution_minutes, t.resolution_breaches)},
                    {"ratings", bj::object{{"count", t.ratings},
                                           {"average", avg ? bj::value(*avg / 100.0) : bj::value(nullptr)}}}};
}

// Ticket volume, time to first response and to resolution against the SLA, and ratings, from
// the ticket rollups; `resolved` and `closed` count every such event, as before.
bj::object tickets_section(db::Tx& tx, std::int64_t cid, Range const& r, repo::CommunityDay const& d) {
  auto targets = property::ticket_sla_targets(tx, cid);
  repo::TicketDay all;
  bj::array by_category;
  for (auto const& t : repo::ticket_sums(tx, cid, r.from, r.to)) {
    all.opened += t.opened;
    all.responded += t.responded;
    all.response_minutes += t.response_minutes;
    all.response_breaches += t.response_breaches;
    all.resolved += t.resolved;
    all.resolution_minutes += t.resolution_minutes;
    all.resolution_breaches += t.resolution_breaches;
    all.reopened += t.reopened;
    all.ratings += t.ratings;
    all.rating_sum += t.rating_sum;
    auto row = ticket_figures(t);
    row.emplace("category", t.category);
    if (auto it = targets.find(t.category); it != targets.end())
      row["targets"] = bj::object{{"first_response_hours", it->second.first}, {"resolution_hours", it->second.second}};
    by_category.push_back(std::move(row));
  }
  auto out = ticket_figures(all);
  out["resolved"] = d.tickets_resolved;
  out["closed"] = d.tickets_closed;
  out["targets"] = bj::object{{"first_response_hours", targets[""].first}, {"resolution_hours", targets[""].second}};
  out["by_category"] = std::move(by_category);
  return out;
}

Response dashboard(Request const& req, Context& ctx) {
  auto out = ctx.tx([&](db::Tx& tx) {
    std::int64_t cid = ctx.community_id;
    Range r = range_of(req, *zone_of(tx, cid), tx.now_ms());
    auto d = repo::community_sums(tx, cid, r.from, r.to);
    return bj::object{
        {"from", logic::format_date(r.from)},
        {"to", logic::format_date(r.to)},
        {"timezone", zone_name_of(tx, cid)},
        {"sales", sales_section(tx, cid, r)},
        {"residents", residents_section(tx, cid, r)},
        {"bills", bills_section(tx, cid, r, d)},
        {"tickets", tickets_section(tx, cid, r, d)},
        {"events", bj::object{{"rsvps", d.rsvps},
                              {"checkins", d.checkins},
                              {"attendance_rate", rate(logic::ratio(d.checkins, d.rsvps))},
                              {"no_show_rate", d.rsvps > 0 && d.checkins <= d.rsvps
                                                   ? rate(logic::ratio(d.rsvps - d.checkins, d.rsvps))
                                                   : bj::value(nullptr)}}},
        {"posts", d.posts}};
  });
  return answer(req, std::move(out), "dashboard");
}

Response run_backfill(Request const&, Context& ctx) {
  auto n = backfill(ctx.db, ctx.bus, ctx.community_id);
  return Response::json(bj::object{{"community_id", ctx.community_id},
                                   {"orders", n.orders},
                                   {"cancelled", n.cancelled},
                                   {"reviews", n.reviews},
                                   {"group_buys", n.group_buys},
                                   {"ticket_steps", n.ticket_steps}});
}

}  // namespace

void add_manager_routes(http::Router& r) {
  r.get("/v1/communities/{cid}/analytics/dashboard", Access::manager(), dashboard);
  r.post("/v1/communities/{cid}/analytics/backfill", Access::manager(), run_backfill);
}

}  // namespace courtyard::analytics
