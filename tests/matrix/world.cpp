#include "tests/matrix/world.hpp"

#include "db/query.hpp"
#include "db/row.hpp"
#include "db/tx.hpp"
#include "http/json.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <iostream>
#include <stdexcept>

namespace courtyard::test::matrix {

Result must(Result r, std::initializer_list<int> ok, std::string const& what) {
  if (std::find(ok.begin(), ok.end(), r.status) == ok.end())
    throw std::runtime_error("matrix fixture: " + what + ": got " + std::to_string(r.status) + ": " + r.body);
  return r;
}

http::Headers idem(TestApp& t) { return {{"Idempotency-Key", t.unique("matrix")}}; }

std::string at(std::int64_t ms_from_now) { return json::rfc3339(db::now_ms() + ms_from_now); }

namespace {

std::string s(std::int64_t v) { return std::to_string(v); }

// The first item of a list answer that satisfies `pred`, else 0.
std::int64_t first_id(Result const& r, std::function<bool(bj::object const&)> pred = {}) {
  if (r.status != 200 || !r.json.is_object()) return 0;
  auto const* items = r.json.as_object().if_contains("items");
  if (!items || !items->is_array()) return 0;
  for (auto const& it : items->as_array())
    if (it.is_object() && (!pred || pred(it.as_object()))) return it.at("id").as_int64();
  return 0;
}

}  // namespace

std::vector<std::string> route_scopes(TestApp& t) {
  std::vector<std::string> out;
  for (auto const& r : t.app().router().routes())
    if (!r->access.scope.empty() && std::find(out.begin(), out.end(), r->access.scope) == out.end())
      out.push_back(r->access.scope);
  std::sort(out.begin(), out.end());
  return out;
}

World build_world(TestApp& t, std::vector<std::string> const& scopes) {
  World w;
  w.c = t.community();
  auto const& c = w.c;
  auto const& mgr = c.manager.token;
  w.resident = t.resident(c, 0);
  w.resident2 = t.resident(c, 1);
  std::tie(w.merchant, w.mid) = t.merchant(c);
  std::tie(w.merchant2, w.mid2) = t.merchant(c, "bakery");
  w.courier = t.courier(c);

  // Shop: products, orders (one placed, one ready for delivery with its task), a group buy.
  auto product = [&](Actor const& owner, std::int64_t mid) {
    return must(t.post(c.base() + "/merchants/" + s(mid) + "/products",
                       {{"name", t.unique("Apples")}, {"price_cents", 250}, {"stock", 1000}}, owner.token),
                {201}, "product")
        .id();
  };
  w.pid = product(w.merchant, w.mid);
  w.pid2 = product(w.merchant2, w.mid2);
  t.top_up(c, w.resident, 1'000'000);
  t.top_up(c, w.resident2, 1'000'000);
  auto order = [&](std::string const& fulfilment) {
    bj::object body{{"merchant_id", w.mid},
                    {"items", bj::array{bj::object{{"product_id", w.pid}, {"quantity", 1}}}},
                    {"fulfilment", fulfilment}};
    return must(t.post(c.base() + "/orders", body, w.resident.token, idem(t)), {201}, "order " + fulfilment).id();
  };
  w.oid = order("pickup");
  w.ready_oid = order("delivery");
  must(t.call("POST", c.base() + "/orders/" + s(w.ready_oid) + "/accept", std::nullopt, w.merchant.token), {200},
       "accept");
  must(t.call("POST", c.base() + "/orders/" + s(w.ready_oid) + "/ready", std::nullopt, w.merchant.token), {200},
       "ready");
  t.drain_events();
  w.delivery = first_id(t.get(c.base() + "/deliveries", mgr),
                        [&](bj::object const& o) { return o.at("order_id").as_int64() == w.ready_oid; });
  if (!w.delivery) throw std::runtime_error("matrix fixture: no delivery task for the ready order");
  w.slot = must(t.post(w.mbase() + "/delivery-slots",
                       {{"starts_at", at(kDay)}, {"ends_at", at(kDay + 3600 * 1000)}, {"capacity", 5}},
                       w.merchant.token),
                {201}, "delivery slot")
               .id();
  // Members: segments (the manager's, the merchant's over its own customers), a draft
  // message campaign; shops: a resident's wish.
  w.segment = must(t.post(c.base() + "/segments",
                          {{"name", "Matrix segment"}, {"rule", {{"building_in", bj::array{c.building_id}}}}}, mgr),
                   {201}, "segment")
                  .id();
  w.merchant_segment = must(t.post(w.mbase() + "/segments",
                                   {{"name", "Matrix customers"}, {"rule", {{"last_order_within_days", 30}}}},
                                   w.merchant.token),
                            {201}, "merchant segment")
                           .id();
  w.campaign = must(t.post(c.base() + "/campaigns",
                           {{"name", "Matrix campaign"}, {"segment_id", w.segment}, {"kind", "message"},
                            {"title", "Hello"}, {"message", "A message to the segment"}},
                           mgr),
                    {201}, "campaign")
                   .id();
  w.wish = must(t.post(c.base() + "/wishes", {{"title", "Organic eggs weekly"}, {"category", "grocery"}},
                       w.resident.token),
                {201}, "wish")
               .id();
  w.group_buy = must(t.post(c.base() + "/group-buys",
                            {{"product_id", w.pid}, {"unit_price_cents", 200}, {"min_participants", 3},
                             {"closes_at", at(2 * kDay)}},
                            w.merchant.token),
                     {201}, "group buy")
                    .id();

  // Property: ticket, bill, visitor pass, amenity + booking, suggestion, announcement.
  w.ticket = must(t.post(c.base() + "/tickets",
                         {{"unit_id", c.unit_ids[0]}, {"category", "plumbing"}, {"description", "The tap drips"}},
                         w.resident.token),
                  {201}, "ticket")
                 .id();
  w.schedule = must(t.post(c.base() + "/fee-schedules",
                           {{"name", "Service charge"}, {"amount_cents", 1200}, {"scope", "community"}}, mgr),
                    {201}, "fee schedule")
                   .id();
  must(t.post(c.base() + "/billing-runs", {{"period", "2031-01"}}, mgr), {200, 201}, "billing run");
  w.bill = first_id(t.get(c.base() + "/bills?limit=100", mgr),
                    [&](bj::object const& o) { return o.at("unit_id").as_int64() == c.unit_ids[0]; });
  if (!w.bill) throw std::runtime_error("matrix fixture: no bill for unit 0");
  w.pass = must(t.post(c.base() + "/visitor-passes",
                       {{"visitor_name", "Grandma"}, {"valid_from", at(kHour)}, {"valid_until", at(kDay)}},
                       w.resident.token),
                {201}, "visitor pass")
               .id();
  w.amenity = must(t.post(c.base() + "/amenities", {{"name", t.unique("Gym")}, {"capacity", 4}}, mgr), {201}, "amenity")
                  .id();
  w.booking = must(t.post(c.base() + "/amenities/" + s(w.amenity) + "/bookings",
                          {{"starts_at", at(2 * kDay)}, {"ends_at", at(2 * kDay + kHour)}}, w.resident.token),
                   {201}, "booking")
                  .id();
  w.suggestion = must(t.post(c.base() + "/suggestions", {{"title", "Bike racks"}, {"body", "By the door"}},
                             w.resident.token),
                      {201}, "suggestion")
                     .id();
  w.announcement =
      must(t.post(c.base() + "/announcements", {{"title", "Water off"}, {"body", "9 to 11"}}, mgr), {201}, "announcement")
          .id();

  // Clubs: a club with an event, a post.
  w.club = must(t.post(c.base() + "/clubs", {{"name", t.unique("Chess")}, {"description", "Tuesdays"}, {"open", true}},
                       w.resident.token),
                {201}, "club")
               .id();
  w.event = must(t.post(c.base() + "/clubs/" + s(w.club) + "/events",
                        {{"title", "Blitz"}, {"starts_at", at(3 * kDay)}, {"capacity", 8}, {"fee_cents", 0}},
                        w.resident.token),
                 {201}, "club event")
                .id();
  w.post = must(t.post(c.base() + "/posts", {{"body", "Hello neighbours"}}, w.resident.token), {201}, "post").id();

  // Delivery: a parcel for unit 0.
  w.parcel = must(t.post(c.base() + "/parcels", {{"unit_id", c.unit_ids[0]}, {"carrier", "DHL"}, {"tracking_no", "M1"}},
                         mgr),
                  {201}, "parcel")
                 .id();

  // Identity: a pending residency application; API keys with every scope, with one
  // unrelated scope, and a spare one (the revoke route's target).
  w.applicant = t.account("applicant");
  w.application =
      must(t.post(c.base() + "/residency-applications", {{"unit_id", c.unit_ids[2]}}, w.applicant.token), {201},
           "application")
          .id();
  bj::array all;
  for (auto const& sc : scopes) all.emplace_back(sc);
  auto key = [&](bj::array sc) {
    auto r = must(t.post(w.mbase() + "/api-keys", {{"name", t.unique("key")}, {"scopes", sc}}, w.merchant.token),
                  {201}, "api key");
    return std::pair{r.id(), std::string(r.json.at("key").as_string())};
  };
  std::tie(w.key_all_id, w.key_all) = key(all);
  // A scope no route asks for: the key is valid but holds none of the scopes the routes need.
  w.key_none_scopes = {"matrix:none"};
  auto none = t.post(w.mbase() + "/api-keys", {{"name", t.unique("key")}, {"scopes", bj::array{"matrix:none"}}},
                     w.merchant.token);
  if (none.status != 201) {
    // Unknown scopes may be refused: hold only the least privileged one instead.
    w.key_none_scopes = {"reviews:read"};
    none = must(t.post(w.mbase() + "/api-keys", {{"name", t.unique("key")}, {"scopes", bj::array{"reviews:read"}}},
                       w.merchant.token),
                {201}, "limited api key");
  }
  w.key_none_id = none.id();
  w.key_none = std::string(none.json.at("key").as_string());
  w.key_spare_id = key(bj::array{"orders:read"}).first;

  // Webhooks: an endpoint of the merchant and one of the community, each with a test
  // delivery (queued: nothing here runs the sender).
  auto hook = [&](std::string const& collection, char const* type, std::string const& token) {
    auto id = must(t.post(collection, {{"url", "https://hooks.example.com/matrix"}, {"event_types", bj::array{type}}},
                          token),
                   {201}, "webhook endpoint")
                  .id();
    auto delivery =
        must(t.post(collection + "/" + s(id) + "/test", bj::object{}, token), {202}, "webhook test event").id();
    return std::pair{id, delivery};
  };
  std::tie(w.hook, w.hook_delivery) = hook(w.mbase() + "/webhooks", "order.*", w.merchant.token);
  std::tie(w.community_hook, w.community_hook_delivery) = hook(c.base() + "/webhooks", "bill.*", mgr);
  // A staff account of the merchant, and the community open to outside merchant applications.
  w.staff = t.account("staff");
  must(t.post(w.mbase() + "/staff", {{"email", w.staff.email}}, w.merchant.token), {201}, "merchant staff");
  must(t.call("PUT", c.base() + "/merchant-settings", bj::value(bj::object{{"merchant_applications_open", true}}), mgr),
       {200}, "merchant settings");

  t.drain_events();
  w.notification = first_id(t.get("/v1/me/notifications?limit=100", w.resident.token));
  return w;
}

std::int64_t World::param(std::string const& name, std::string const& prev, std::string const& path) const {
  if (name == "cid") return c.id;
  if (name == "mid") return mid;
  if (name == "pid") return pid;
  if (name == "oid") return oid;
  if (name == "eid") return event;
  if (name == "aid") return amenity;
  if (name == "bid") return c.building_id;
  if (name == "uid") return c.unit_ids[0];
  if (name == "kid") return key_spare_id;
  if (name == "sid" && path.find("/delivery-slots/") != std::string::npos) return slot;
  bool merchant_path = path.find("/merchants/") != std::string::npos;
  if (name == "sid" && path.find("/segments/") != std::string::npos) return merchant_path ? merchant_segment : segment;
  if (name == "cpid" && !merchant_path) return campaign;
  if (name == "wid") return merchant_path ? hook : community_hook;
  if (name == "did") return merchant_path ? hook_delivery : community_hook_delivery;
  if (name == "account_id")
    return path.find("/clubs/") != std::string::npos ? resident2.account_id : resident.account_id;
  if (name == "id") {
    static std::map<std::string, std::int64_t World::*> const by_collection{
        {"residency-applications", &World::application},
        {"parcels", &World::parcel},
        {"deliveries", &World::delivery},
        {"posts", &World::post},
        {"clubs", &World::club},
        {"bookings", &World::booking},
        {"announcements", &World::announcement},
        {"visitor-passes", &World::pass},
        {"fee-schedules", &World::schedule},
        {"bills", &World::bill},
        {"tickets", &World::ticket},
        {"suggestions", &World::suggestion},
        {"group-buys", &World::group_buy},
        {"wishes", &World::wish},
        {"notifications", &World::notification},
        {"events", &World::event},
        {"orders", &World::oid},
        {"products", &World::pid},
        {"merchants", &World::mid},
    };
    auto it = by_collection.find(prev);
    if (it != by_collection.end()) return this->*(it->second);
  }
  return 0;  // unknown: the caller reports it
}

// ---- digest

std::set<std::string> const& bookkeeping_tables() {
  // Not business data: sessions and credentials' counters, request replay, the outbox and
  // its deliveries, the audit trail (checked on its own), notifications (derived from
  // events), job leases and the migration ledger. Reads may legitimately touch them.
  static std::set<std::string> const t{"sessions",      "login_failures", "idempotency_keys", "events",
                                        "event_deliveries", "audit_log",   "notifications",    "job_leases",
                                        "job_runs",      "schema_migrations", "rate_limits",   "ws_tickets",
                                        "event_subscribers", "dead_letters", "api_key_usage"};
  return t;
}

namespace {

std::vector<std::string> table_names(TestApp& t) {
  return db::read(t.app().db(), [&](soci::session& sql) {
    std::vector<std::string> out;
    std::string q = t.mysql() ? "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
                              : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
    soci::rowset<soci::row> rs = (sql.prepare << q);
    for (auto const& r : rs) out.push_back(db::as_text(r, 0));
    std::sort(out.begin(), out.end());
    return out;
  });
}

std::string cell(courtyard::db::Row const& r, std::size_t i) {
  switch (r.kind(i)) {
    case courtyard::db::Row::Kind::Null: return "\\N";
    case courtyard::db::Row::Kind::Real: return std::to_string(*r.opt_real(i));
    default: return db::as_text(r, i);  // Courtyard stores no dates
  }
}

}  // namespace

std::map<std::string, std::string> digest(TestApp& t) {
  std::map<std::string, std::string> out;
  for (auto const& table : table_names(t)) {
    if (bookkeeping_tables().count(table)) continue;
    out[table] = db::read(t.app().db(), [&](soci::session& sql) {
      std::vector<std::string> rows;
      // Table names come from the catalogue, not from input.
      soci::rowset<soci::row> rs = (sql.prepare << "SELECT * FROM " + table);
      for (auto const& r : rs) {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i) line += cell(r, i) + "\x1f";
        rows.push_back(std::move(line));
      }
      std::sort(rows.begin(), rows.end());
      std::size_t h = 0;
      for (auto const& row : rows) h = h * 1000003u ^ std::hash<std::string>{}(row);
      return std::to_string(rows.size()) + " rows, hash " + std::to_string(h);
    });
  }
  return out;
}

namespace {

// The one number a query without parameters reads.
std::int64_t number(TestApp& t, std::string const& query) {
  return db::read(t.app().db(), [&](soci::session& sql) {
    std::int64_t n = 0;
    soci::rowset<soci::row> rs = (sql.prepare << query);
    for (auto const& r : rs) n = db::as_int(r, 0);
    return n;
  });
}

}  // namespace

std::int64_t count_rows(TestApp& t, std::string const& table) { return number(t, "SELECT COUNT(*) FROM " + table); }

std::int64_t max_id(TestApp& t, std::string const& table) {
  return number(t, "SELECT COALESCE(MAX(id), 0) FROM " + table);
}

std::vector<std::string> rows_after(TestApp& t, std::string const& table, std::int64_t after) {
  return db::read(t.app().db(), [&](soci::session& sql) {
    std::vector<std::string> out;
    soci::rowset<soci::row> rs = (sql.prepare << "SELECT * FROM " + table + " WHERE id > :a ORDER BY id", soci::use(after, "a"));
    for (auto const& r : rs) {
      std::string line;
      for (std::size_t i = 0; i < r.size(); ++i) line += r.get_properties(i).get_name() + "=" + cell(r, i) + " ";
      out.push_back(line);
    }
    return out;
  });
}

}  // namespace courtyard::test::matrix
