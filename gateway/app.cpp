#include "gateway/app.hpp"

#include "db/migration.hpp"
#include "db/tx.hpp"
#include "db/errors.hpp"
#include "gateway/outbox_admin.hpp"
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/idempotency.hpp"
#include "http/random.hpp"
#include "http/session_cookie.hpp"

#include <boost/json.hpp>
#include <sodium.h>
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <thread>

namespace courtyard::gateway {

std::vector<std::string_view> openapi_fragments();  // generated from the fragments in the repo

namespace {

// The event dispatcher's threads on MariaDB: queues delivered side by side (the analytics
// rollups, notifications and webhooks of one stream of orders), each on a pooled connection.
constexpr int kDispatcherThreads = 3;

// Handler threads when --workers is not given. SQLite answers in-process: past about two
// threads a core they only queue for the CPU and the one writer (4 against 8 on two cores:
// product reads +20-36 % rps with a lower p99; tests/bench/RESULTS.md). On MariaDB a handler
// mostly waits on the network, so more of them keep the cores busy.
int default_workers(db::Backend backend) {
  if (backend != db::Backend::Sqlite) return 8;
  return std::max(2, 2 * static_cast<int>(std::thread::hardware_concurrency()));
}

std::string default_instance_id() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + http::random_hex(4);
}

// Request ids need to be unique, not secret: a per-thread generator seeded once from
// libsodium avoids a getrandom() system call per request.
std::string new_request_id() {
  thread_local std::mt19937_64 gen = [] {
    std::uint64_t seed = 0;
    randombytes_buf(&seed, sizeof seed);
    return std::mt19937_64(seed);
  }();
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t v = gen();
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) id[static_cast<std::size_t>(i)] = kHex[v & 0xf];  // no printf per request
  return id;
}

// application/json, application/problem+json, application/merge-patch+json; charset ignored.
bool is_json(std::optional<std::string_view> content_type) {
  if (!content_type) return false;
  std::string_view t = *content_type;
  t = t.substr(0, t.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  std::string lower(t);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/json" || (lower.starts_with("application/") && lower.ends_with("+json"));
}

bool valid_request_id(std::string_view v) {
  if (v.empty() || v.size() > 128) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' ||
           c == '.' || c == ':';
  });
}

void merge_into(boost::json::object& dst, boost::json::object const& src) {
  for (auto const& [k, v] : src) {
    auto it = dst.find(k);
    if (it != dst.end() && it->value().is_object() && v.is_object())
      merge_into(it->value().as_object(), v.as_object());
    else
      dst[k] = v;
  }
}

}  // namespace

std::string merged_openapi() {
  boost::json::object doc;
  for (auto frag : openapi_fragments()) {
    boost::system::error_code ec;
    auto v = boost::json::parse(frag, ec);
    if (ec || !v.is_object()) throw std::runtime_error("an embedded OpenAPI fragment is not a JSON object");
    merge_into(doc, v.as_object());
  }
  return boost::json::serialize(doc);
}

App::App(Config config, std::vector<ServiceEntry> const& available, Authenticator auth)
    : config_(std::move(config)),
      instance_id_(config_.instance_id.empty() ? default_instance_id() : config_.instance_id),
      limiter_(config_.rate_limit_rps, config_.rate_limit_burst),
      auth_(std::move(auth)) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  if (config_.workers <= 0) config_.workers = default_workers(db::DbUrl::parse(config_.db).backend);
  std::size_t pool = config_.db_pool ? config_.db_pool : static_cast<std::size_t>(config_.workers) + 6;
  db_ = std::make_unique<db::Database>(config_.db, pool);
  for (auto const& entry : available)
    for (auto const& key : entry.settings)
      config_.settings.declare(key);
  env_ = std::make_unique<Env>(Env{config_.settings, *db_, bus_});
  scheduler_ = std::make_unique<jobs::Scheduler>(*db_, bus_, instance_id_);
  dispatcher_ = std::make_unique<events::Dispatcher>(
      *db_, bus_,
      events::DispatcherOptions{.owner = instance_id_,
                                .poll = config_.dispatcher_poll,
                                .parallel = db_->backend() == db::Backend::Sqlite ? 1 : kDispatcherThreads});

  db::migrate(*db_, "platform", db::platform_migrations());
  db::migrate(*db_, "outbox", events::migrations());
  db::migrate(*db_, "idempotency", idempotency::migrations());
  db::migrate(*db_, "audit", audit::migrations());
  db::migrate(*db_, "principals", principals::migrations());
  idempotency::jobs(*scheduler_);
  principals::jobs(*scheduler_);
  if (config_.auth_cache.count() > 0)
    principals_ = std::make_unique<principals::Cache>(*db_, principals::Cache::Options{.ttl = config_.auth_cache});
  platform_routes();

  for (auto const& name : config_.services) {
    if (std::none_of(available.begin(), available.end(), [&](auto const& e) { return e.name == name; }))
      throw std::invalid_argument("unknown service in config: " + name);
  }
  for (auto const& entry : available) {
    if (std::find(config_.services.begin(), config_.services.end(), entry.name) == config_.services.end()) continue;
    add_service(entry.make(*env_));
  }
  events::install(*db_, bus_);  // subscriptions are a cluster-wide fact before the first publish
  openapi_ = merged_openapi();
  web_ = std::make_unique<StaticFiles>(config_.web_root == "auto" ? StaticFiles::default_root() : config_.web_root);
}

App::~App() { stop_background(); }

void App::add_service(std::unique_ptr<Service> s) {
  std::string name(s->name());
  db::migrate(*db_, name, s->migrations());
  router_.set_current_service(name);
  s->routes(router_);
  s->subscribe(bus_);
  s->jobs(*scheduler_);
  router_.set_current_service("");
  for (auto const& r : router_.routes()) metrics_.series(r->key);
  services_.push_back(std::move(s));
}

void App::platform_routes() {
  router_.set_current_service("platform");
  router_.get("/healthz", Access::public_(), [](Request const&, Context&) {
           return Response::json_text(R"({"status":"ok"})");  // a load balancer's probe: no JSON tree to build
         }).inline_ok = true;
  router_.get("/readyz", Access::public_(), [](Request const&, Context& ctx) {
    if (!ctx.db.ping()) throw Unavailable("storage is not reachable", 5);
    return Response::json(boost::json::object{{"status", "ready"}});
  });
  router_.get("/metrics", Access::public_(), [this](Request const&, Context&) {
           std::string text = metrics_.render() + outbox_metrics_text(*dispatcher_);
           if (principals_) {
             text += "# TYPE courtyard_principal_cache_hits_total counter\ncourtyard_principal_cache_hits_total " +
                     std::to_string(principals_->hits()) + "\n";
             text += "# TYPE courtyard_principal_cache_misses_total counter\ncourtyard_principal_cache_misses_total " +
                     std::to_string(principals_->misses()) + "\n";
           }
           for (auto const& service : services_) service->metrics(text);
           return Response::text(std::move(text), "text/plain; version=0.0.4; charset=utf-8");
         }).inline_ok = true;
  router_.get("/v1/openapi.json", Access::public_(), [this](Request const&, Context&) {
           Response r;
           r.body = openapi_;
           return r;
         }).inline_ok = true;
  audit::routes(router_);
  add_outbox_admin_routes(router_);
  router_.set_current_service("");

  // Finished event deliveries, and events with none left, are kept events-retention-days.
  events::schedule_pruning(*scheduler_, std::chrono::hours(24 * config_.events_retention_days));
}

bool App::is_inline(std::string_view method, std::string_view path) const {
  if (web_->handles(method, path)) return true;
  auto m = router_.match(method, path);
  return m.route && m.route->inline_ok;
}

void App::check_access(Route const& route, Request const& req, Principal const& p) const {
  auto const& a = route.access;
  switch (a.level) {
    case Access::Level::Public:
      return;
    case Access::Level::Authenticated:
      if (!p.authenticated()) throw Unauthorized();
      if (p.kind == Principal::Kind::ApiKey && (a.scope.empty() || !p.has_scope(a.scope)))
        throw Forbidden("this API key may not call this route");
      return;
    case Access::Level::Admin:
      if (!p.authenticated()) throw Unauthorized();
      if (!p.admin) throw Forbidden("platform administrators only");
      return;
    case Access::Level::Community:
      break;
  }
  if (!p.authenticated()) throw Unauthorized();
  std::int64_t cid = req.id("cid");
  if (p.admin) return;
  if (!p.in_community(cid)) throw NotFound("community");
  if (p.kind == Principal::Kind::ApiKey) {
    if (a.scope.empty()) throw Forbidden("API keys may not call this route");
    if (!p.has_scope(a.scope)) throw Forbidden("this API key lacks the scope " + a.scope);
  }
  if (p.has_any(a.roles & ~unsigned(Role::Merchant), cid)) return;
  if ((a.roles & unsigned(Role::Merchant)) && p.has(Role::Merchant, cid)) {
    auto mid = std::find_if(req.params.begin(), req.params.end(), [](auto const& kv) { return kv.first == "mid"; });
    std::int64_t for_mid = mid == req.params.end() ? 0 : req.id("mid");
    if (for_mid && !p.acts_for_merchant(cid, for_mid)) throw Forbidden("you do not act for this merchant");
    if (p.merchant_allows(cid, for_mid, a.scope)) return;
    throw Forbidden("a merchant's staff may handle orders and redemptions only");
  }
  throw Forbidden("requires role " + a.describe());
}

std::string App::client_ip(Request const& req) const {
  auto trusted = [this](std::string_view ip) {
    return std::find(config_.trusted_proxies.begin(), config_.trusted_proxies.end(), ip) !=
           config_.trusted_proxies.end();
  };
  if (!trusted(req.remote_ip)) return req.remote_ip;
  auto xff = req.header("x-forwarded-for");
  if (!xff) return req.remote_ip;
  std::string_view rest = *xff;
  while (!rest.empty()) {
    auto comma = rest.rfind(',');
    std::string_view hop = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    auto b = hop.find_first_not_of(' ');
    auto e = hop.find_last_not_of(' ');
    if (b == std::string_view::npos) continue;
    hop = hop.substr(b, e - b + 1);
    if (!trusted(hop)) return std::string(hop);
  }
  return req.remote_ip;
}

void App::rate_headers(Headers& out, RateLimiter::Decision const& d) const {
  if (!limiter_.enabled()) return;
  out.emplace_back("RateLimit-Policy", limiter_.policy_header());
  out.emplace_back("RateLimit", "\"default\";r=" + std::to_string(d.remaining) + ";t=" + std::to_string(d.reset_s));
}

std::string App::access_line(Request const& req, std::string const& route, int status, double secs,
                             std::int64_t account) const {
  if (!access_log_json_) {
    // The short human form for a terminal: "GET /v1/me 200 1.234 ms rid=… account=7".
    return fmt::format("{} {} {} {:.3f} ms rid={} account={} ip={}", req.method, req.path, status, secs * 1000.0,
                       req.request_id, account, req.remote_ip);
  }
  boost::json::object line{{"rid", req.request_id}, {"method", req.method}, {"path", req.path}, {"route", route},
                           {"status", status},       {"account", account},    {"ip", req.remote_ip}};
  std::string out = boost::json::serialize(line);
  // Milliseconds with three decimals ({"ms":12.345}); Boost.JSON would print 1.2345E1.
  out.insert(out.size() - 1, fmt::format(",\"ms\":{:.3f}", secs * 1000.0));
  return out;
}

std::shared_ptr<Principal const> App::authenticate(std::string_view credential) {
  if (!auth_) return nullptr;
  if (!principals_) {
    auto found = auth_(*db_, credential);
    return found ? std::make_shared<Principal const>(std::move(*found)) : nullptr;
  }
  if (auto hit = principals_->find(credential)) return hit;
  auto generation = principals_->generation();
  auto found = auth_(*db_, credential);
  if (!found) return nullptr;
  return principals_->store(credential, generation, std::move(*found));
}

Response App::handle(Request& req) {
  auto started = std::chrono::steady_clock::now();
  req.remote_ip = client_ip(req);
  if (auto rid = req.header("x-request-id"); rid && valid_request_id(*rid))
    req.request_id = std::string(*rid);
  else
    req.request_id = new_request_id();

  Response resp;
  Headers resp_headers;  // added to whatever answer this request gets
  bool authenticated = false;
  static std::string const kUnmatched = "unmatched", kWeb = "web";
  std::string const* route_key = &kUnmatched;  // the route's name in metrics and the access log
  std::int64_t account_id = 0;
  // The web clients' files are answered before any API middleware.
  auto file = web_->serve(req);
  if (file) {
    route_key = &kWeb;
    resp = std::move(*file);
  } else try {
    auto m = router_.match(req.method, req.path);
    if (!m.route) {
      if (m.path_known) throw ApiError(405, "method-not-allowed", "Method not allowed", req.method + " is not allowed here");
      throw NotFound("route");
    }
    Route const& route = *m.route;
    route_key = &route.key;
    req.params = std::move(m.params);

    // Health, metrics and the OpenAPI document run on the I/O thread and never touch the
    // auth path or storage, whatever headers the request carries.
    static Principal const anonymous;
    std::shared_ptr<Principal const> signed_in;  // keeps a cached principal alive
    Principal const* caller = &anonymous;
    if (!route.inline_ok) {
      std::string const client_key = "ip:" + req.remote_ip;
      auto refuse = [&](char const* why) {
        // Bad credentials count against the client's own limit, so guessing tokens is
        // rate-limited like any anonymous request.
        if (rate_limited_) {
          auto d = limiter_.check(client_key);
          rate_headers(resp_headers, d);
          if (!d.allowed) throw TooManyRequests(d.retry_after);
        }
        throw Unauthorized(why);
      };
      auto cookie = req.header("authorization") ? std::nullopt : http::session_cookie::read(req, http::session_cookie::kSession);
      if (cookie && !cookie->empty()) {
        // A browser session: the HttpOnly cookie, with CSRF protection on state changes.
        signed_in = authenticate(*cookie);
        if (!signed_in || signed_in->kind != Principal::Kind::Session) refuse("the session has ended; sign in again");
        http::session_cookie::check_csrf(req, *cookie);
      } else if (auto authz = req.header("authorization")) {
        constexpr std::string_view kBearer = "Bearer ";
        if (authz->size() <= kBearer.size() || strncasecmp(authz->data(), kBearer.data(), kBearer.size()) != 0)
          refuse("use Authorization: Bearer <token>");
        signed_in = authenticate(authz->substr(kBearer.size()));
        if (!signed_in) refuse("the token is unknown or expired");
      }
      if (signed_in) {
        caller = signed_in.get();
        account_id = caller->account_id;
      }
      if (rate_limited_) {
        auto d = limiter_.check(caller->authenticated() ? "a:" + std::to_string(caller->account_id) : client_key);
        rate_headers(resp_headers, d);
        if (!d.allowed) throw TooManyRequests(d.retry_after);
      }
      if (route.json_body && !req.body.empty() && !is_json(req.header("content-type")))
        throw ApiError(415, "unsupported-media-type", "Unsupported media type",
                       "send the body as application/json");
    }
    Principal const& principal = *caller;
    check_access(route, req, principal);

    authenticated = principal.authenticated();
    Context ctx(principal, *db_, bus_, req.request_id);
    ctx.read_only = route.read_only;
    for (auto const& [k, v] : req.params)
      if (k == "cid") ctx.community_id = req.id("cid");
    if (audit::is_privileged(route, principal, ctx.community_id))
      ctx.audit = {true, *route_key, req.path, audit::changes_of(req.body), req.remote_ip};
    resp = route.handler(req, ctx);
  } catch (ApiError const& e) {
    resp = problem(e, req.request_id);
  } catch (db::Unavailable const& e) {
    spdlog::warn("request {} {} {}: {}", req.request_id, req.method, req.path, e.what());
    resp = problem(Unavailable("storage is busy or unreachable; retry shortly", e.retry_after_s), req.request_id);
  } catch (db::CommitUnknown const& e) {
    spdlog::error("request {} {} {}: {}", req.request_id, req.method, req.path, e.what());
    Unavailable u("the connection to storage was lost while saving: the change may or may not have been made. "
                  "Check before repeating it, or repeat it with the same Idempotency-Key.", 1);
    resp = problem(503, "outcome-unknown", "Outcome unknown", u.what(), req.request_id);
    resp.headers.emplace_back("Retry-After", "1");
  } catch (std::exception const& e) {
    // Never leak SQL or internals: log them with the request id, answer generically.
    bool transient = db::is_retryable(e);
    spdlog::error("request {} {} {} failed: {}", req.request_id, req.method, req.path, e.what());
    if (transient)
      resp = problem(Unavailable("storage is busy; retry shortly"), req.request_id);
    else
      resp = http::problem(500, "internal-error", "Internal server error", "the server could not complete the request",
                     req.request_id);
  }
  resp.headers.emplace_back("X-Request-Id", req.request_id);
  resp.headers.emplace_back("X-Content-Type-Options", "nosniff");
  // Nothing a signed-in caller receives may be kept by a shared or browser cache.
  if (authenticated) resp.headers.emplace_back("Cache-Control", "no-store");
  for (auto& h : resp_headers) resp.headers.push_back(std::move(h));

  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.observe(*route_key, resp.status, secs);
  if (config_.access_log) {
    auto const level = access_log_level_.load(std::memory_order_relaxed);
    if (spdlog::should_log(level)) spdlog::log(level, "{}", access_line(req, *route_key, resp.status, secs, account_id));
  }
  return resp;
}

void App::start_background() {
  if (!config_.background) return;
  dispatcher_->start();
  scheduler_->start(config_.scheduler_poll);
}

void App::stop_background() {
  if (dispatcher_) dispatcher_->stop();
  if (scheduler_) scheduler_->stop();
}

int App::drain_events() { return dispatcher_->drain(); }
bool App::run_job(std::string const& name) { return scheduler_->run_now(name); }

}  // namespace courtyard::gateway
