#include "http/audit.hpp"

#include "db/query.hpp"
#include "http/context.hpp"
#include "http/csv.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace courtyard::audit {

namespace bj = boost::json;

namespace {

constexpr std::size_t kMaxChanges = 4000;

bool secret_field(std::string_view key) {
  for (auto word : {"password", "token", "secret", "code", "key"})
    if (key.find(word) != std::string_view::npos) return true;
  return false;
}

std::string roles_of(Principal const& p, std::int64_t cid) {
  std::string out = p.admin ? "admin" : "";
  for (auto const& m : p.memberships) {
    if (m.community_id != cid) continue;
    std::string name(role_name(m.role));
    if (out.find(name) != std::string::npos) continue;
    out += (out.empty() ? "" : ",") + name;
  }
  return out;
}

struct Row {
  std::int64_t id = 0;
  std::int64_t community_id = 0;
  std::int64_t actor_id = 0;
  std::string principal_kind, actor_roles, action, target, changes, request_id, client_ip;
  std::int64_t created_at = 0;
};

Row row_from(db::Row const& r) {
  db::Cols c(r);
  Row a;
  c.into(a.id, a.community_id, a.actor_id, a.principal_kind, a.actor_roles, a.action, a.target, a.changes,
         a.request_id, a.client_ip, a.created_at);
  return a;
}

bj::object row_json(Row const& a) {
  bj::value changes;
  if (!a.changes.empty()) {
    boost::system::error_code ec;
    changes = bj::parse(a.changes, ec);
    if (ec) changes = bj::string(a.changes);
  }
  return {{"id", a.id},
          {"community_id", a.community_id},
          {"actor_id", a.actor_id},
          {"principal_kind", a.principal_kind},
          {"actor_roles", a.actor_roles},
          {"action", a.action},
          {"target", a.target},
          {"changes", changes},
          {"request_id", a.request_id},
          {"client_ip", a.client_ip},
          {"created_at", json::rfc3339(a.created_at)}};
}

constexpr char const* kInsert =
    "INSERT INTO audit_log (community_id, actor_id, principal_kind, actor_roles, action, target, changes, request_id, "
    "client_ip, created_at) VALUES (:c, :a, :k, :r, :ac, :t, :ch, :rid, :ip, :n)";
constexpr char const* kCols =
    "SELECT id, community_id, actor_id, principal_kind, actor_roles, action, target, changes, request_id, client_ip, "
    "created_at FROM audit_log WHERE ";

http::Response list(http::Request const& req, Context& ctx, std::optional<std::int64_t> community) {
  auto page = req.page();
  db::Query q(kCols);
  if (community)
    q.sql("community_id = ").value(*community);
  else if (req.query_param("community_id"))
    q.sql("community_id = ").value(req.query_int("community_id", 0));
  else
    q.sql("1 = 1");
  if (req.query_param("actor")) q.sql(" AND actor_id = ").value(req.query_int("actor", 0));
  if (auto action = req.query_param("action")) q.sql(" AND action = ").value(std::string(*action));
  if (auto target = req.query_param("target")) q.sql(" AND target = ").value(std::string(*target));
  for (auto [name, op] : {std::pair{"from", " AND created_at >= "}, std::pair{"to", " AND created_at < "}}) {
    if (auto v = req.query_param(name)) {
      auto ms = json::parse_rfc3339(*v);
      if (!ms) throw Invalid(name, "must be an RFC 3339 time, e.g. 2026-12-01T00:00:00Z");
      q.sql(op).value(*ms);
    }
  }
  q.sql(" AND id < ").value(page.below()).sql(" ORDER BY id DESC LIMIT ").value(page.fetch());
  auto rows = db::read(ctx.db, [&](soci::session& s) { return q.all(s, row_from); });

  if (!http::csv::wanted(req)) return http::Response::json(json::page_of_rows(rows, page, row_json));

  std::string out = "id,created_at,community_id,actor_id,principal_kind,actor_roles,action,target,changes,request_id,client_ip\r\n";
  std::size_t n = std::min<std::size_t>(rows.size(), static_cast<std::size_t>(page.limit));
  for (std::size_t i = 0; i < n; ++i) {
    auto const& a = rows[i];
    out += std::to_string(a.id) + "," + json::rfc3339(a.created_at) + "," + std::to_string(a.community_id) + "," +
           std::to_string(a.actor_id) + "," + http::csv::field(a.principal_kind) + "," + http::csv::field(a.actor_roles) + "," +
           http::csv::field(a.action) + "," + http::csv::field(a.target) + "," + http::csv::field(a.changes) + "," +
           http::csv::field(a.request_id) + "," + http::csv::field(a.client_ip) + "\r\n";
  }
  auto r = http::csv::download(std::move(out), "audit.csv");
  if (rows.size() > n) r.headers.emplace_back("X-Next-Cursor", json::encode_cursor(rows[n - 1].id));
  return r;
}

}  // namespace

bool is_privileged(http::Route const& route, Principal const& p, std::int64_t cid) {
  if (route.method == "GET" || route.method == "HEAD") return false;
  if (!p.authenticated()) return false;
  if (p.kind == Principal::Kind::ApiKey) return true;
  auto const& a = route.access;
  if (a.level == http::Access::Level::Admin) return true;
  if (a.level != http::Access::Level::Community) return false;
  if (p.admin && !p.in_community(cid)) return true;
  unsigned staff = a.roles & ~unsigned(Role::Resident);
  return staff != 0 && p.has_any(staff, cid);
}

std::string changes_of(std::string const& body) {
  if (body.empty()) return {};
  boost::system::error_code ec;
  auto v = bj::parse(body, ec);
  if (ec || !v.is_object()) return {};
  bj::object out;
  for (auto const& [k, val] : v.as_object()) out[k] = secret_field(k) ? bj::value("[redacted]") : val;
  std::string s = bj::serialize(out);
  if (s.size() > kMaxChanges) s = bj::serialize(bj::object{{"truncated", true}});
  return s;
}

void record(db::Tx& tx, Context const& ctx, Request const& a) {
  auto const& p = ctx.principal;
  std::string kind = p.kind == Principal::Kind::ApiKey ? "api_key" : "session";
  std::string roles = roles_of(p, ctx.community_id);
  std::int64_t now = tx.now_ms();
  tx.exec(kInsert, soci::use(ctx.community_id, "c"), soci::use(p.account_id, "a"), soci::use(kind, "k"),
          soci::use(roles, "r"), soci::use(a.action, "ac"), soci::use(a.target, "t"), soci::use(a.changes, "ch"),
          soci::use(ctx.request_id, "rid"), soci::use(a.ip, "ip"), soci::use(now, "n"));
}

void routes(http::Router& r) {
  r.get("/v1/communities/{cid}/audit", http::Access::manager(),
        [](http::Request const& req, Context& ctx) { return list(req, ctx, ctx.community_id); });
  r.get("/v1/admin/audit", http::Access::admin(),
        [](http::Request const& req, Context& ctx) { return list(req, ctx, std::nullopt); });
}

std::vector<db::Migration> migrations() {
  return {{1, "audit log", R"SQL(
CREATE TABLE IF NOT EXISTS audit_log (
  id {pk},
  community_id BIGINT NOT NULL,
  actor_id BIGINT NOT NULL,
  principal_kind VARCHAR(16) NOT NULL,
  actor_roles VARCHAR(128) NOT NULL,
  action VARCHAR(255) NOT NULL,
  target VARCHAR(512) NOT NULL,
  changes TEXT NOT NULL,
  request_id VARCHAR(128) NOT NULL,
  client_ip VARCHAR(64) NOT NULL,
  created_at BIGINT NOT NULL
){engine};
CREATE INDEX IF NOT EXISTS idx_audit_community ON audit_log (community_id, id);
CREATE INDEX IF NOT EXISTS idx_audit_actor ON audit_log (actor_id, id);
)SQL"}};
}

}  // namespace courtyard::audit
