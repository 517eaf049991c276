#include "gateway/plugins/loader.hpp"

#include "courtyard/plugin.h"
#include "http/context.hpp"
#include "http/errors.hpp"

#include <boost/json/serialize.hpp>
#include <dlfcn.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <filesystem>
#include <map>

namespace courtyard::plugins {

namespace {

// dlopen handle; dlclose on destruction.
class Library {
 public:
  explicit Library(std::string const& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      throw PluginError("plugin " + path + ": file not found");
    // An absolute path, so dlopen never searches the library path for another file.
    std::string abs = std::filesystem::absolute(path, ec).string();
    handle_ = dlopen(abs.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) {
      char const* err = dlerror();
      throw PluginError("plugin " + path + ": cannot load shared object: " + (err ? err : "unknown error"));
    }
  }
  ~Library() {
    if (handle_) dlclose(handle_);
  }
  Library(Library const&) = delete;
  Library& operator=(Library const&) = delete;

  template <class Fn>
  Fn symbol(char const* name) const {
    dlerror();
    void* p = dlsym(handle_, name);
    return reinterpret_cast<Fn>(p);
  }

 private:
  void* handle_ = nullptr;
};

// Memory handed out by host->alloc for one response; freed when the call is over.
struct Arena {
  std::vector<std::unique_ptr<char[]>> blocks;
};

void* host_alloc(courtyard_response* res, size_t size) noexcept {
  if (!res || !res->host_reserved) return nullptr;
  try {
    auto* arena = static_cast<Arena*>(res->host_reserved);
    arena->blocks.push_back(std::make_unique_for_overwrite<char[]>(size ? size : 1));
    return arena->blocks.back().get();
  } catch (...) {
    return nullptr;
  }
}

void host_log(courtyard_host const* host, int level, char const* message) noexcept {
  try {
    auto const* name = host ? static_cast<std::string const*>(host->host_data) : nullptr;
    std::string_view who = name ? std::string_view(*name) : std::string_view("?");
    std::string_view msg = message ? message : "";
    switch (level) {
      case COURTYARD_LOG_DEBUG: spdlog::debug("plugin {}: {}", who, msg); break;
      case COURTYARD_LOG_INFO: spdlog::info("plugin {}: {}", who, msg); break;
      case COURTYARD_LOG_WARN: spdlog::warn("plugin {}: {}", who, msg); break;
      default: spdlog::error("plugin {}: {}", who, msg); break;
    }
  } catch (...) {
  }
}

courtyard_str view(std::string_view s) { return {s.data(), s.size()}; }

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

bool has_cid(std::string_view pattern) { return pattern.find("/{cid}") != std::string_view::npos; }

static_assert(unsigned(Role::Resident) == COURTYARD_ROLE_RESIDENT && unsigned(Role::Manager) == COURTYARD_ROLE_MANAGER &&
                  unsigned(Role::Merchant) == COURTYARD_ROLE_MERCHANT && unsigned(Role::Courier) == COURTYARD_ROLE_COURIER,
              "plugin.h role bits must match courtyard::Role");

// The caller as a plugin sees it, in the community the route's rule checked (0: none).
// The scope views point into `p`, which outlives the call.
struct Caller {
  courtyard_principal principal{};
  std::vector<courtyard_str> scopes;
};

Caller caller_of(Principal const& p, std::int64_t checked_cid, http::Request const& req) {
  Caller c;
  auto& out = c.principal;
  switch (p.kind) {
    case Principal::Kind::Anonymous: out.kind = COURTYARD_PRINCIPAL_ANONYMOUS; break;
    case Principal::Kind::Session: out.kind = COURTYARD_PRINCIPAL_ACCOUNT; break;
    case Principal::Kind::ApiKey: out.kind = COURTYARD_PRINCIPAL_API_KEY; break;
  }
  out.is_admin = p.admin ? 1 : 0;
  // An API key's Principal carries the creating account's id; the key is not that person.
  out.account_id = p.kind == Principal::Kind::Session ? p.account_id : 0;
  if (checked_cid) {
    // With {mid} in the path, the merchant the rule checked; else the caller's first one.
    std::int64_t path_mid = 0;
    for (auto const& [k, v] : req.params)
      if (k == "mid") std::from_chars(v.data(), v.data() + v.size(), path_mid);  // not a number: 0
    for (auto const& m : p.memberships) {
      if (m.community_id != checked_cid) continue;
      out.roles |= unsigned(m.role);
      if (m.role == Role::Merchant && m.merchant_id && (out.merchant_id == 0 || m.merchant_id == path_mid))
        out.merchant_id = m.merchant_id;
    }
  }
  if (p.kind == Principal::Kind::ApiKey) {
    c.scopes.reserve(p.scopes.size());
    for (auto const& s : p.scopes) c.scopes.push_back(view(s));
  }
  out.scopes = c.scopes.empty() ? nullptr : c.scopes.data();
  out.scope_count = c.scopes.size();
  return c;
}

// A 4xx/5xx the plugin answered without a body becomes the API's problem+json.
[[noreturn]] void throw_status(int status) {
  switch (status) {
    case 400: throw BadRequest("the request was rejected");
    case 401: throw Unauthorized();
    case 403: throw Forbidden();
    case 404: throw NotFound();
    case 409: throw Conflict("the current state does not allow this");
    case 413: throw PayloadTooLarge();
    case 422: throw ApiError(422, "validation", "Validation failed", "the request is invalid");
    case 429: throw TooManyRequests(1);
    case 503: throw Unavailable();
    default: throw ApiError(status, "plugin-error", "Plugin error", "the plugin answered " + std::to_string(status));
  }
}

class PluginService final : public Service {
 public:
  explicit PluginService(std::string const& path) : path_(path), lib_(path) {
    auto abi = lib_.symbol<courtyard_plugin_abi_version_fn>(COURTYARD_PLUGIN_ABI_VERSION_SYMBOL);
    if (!abi)
      throw PluginError("plugin " + path + ": not a Courtyard plugin (no " COURTYARD_PLUGIN_ABI_VERSION_SYMBOL
                        " export)");
    std::uint32_t version = abi();
    if (version != COURTYARD_PLUGIN_ABI_VERSION)
      throw PluginError("plugin " + path + ": built for plugin ABI version " + std::to_string(version) +
                        ", this server speaks version " + std::to_string(COURTYARD_PLUGIN_ABI_VERSION) +
                        " (rebuild it against plugins/include/courtyard/plugin.h)");
    auto init = lib_.symbol<courtyard_plugin_init_fn>(COURTYARD_PLUGIN_INIT_SYMBOL);
    if (!init)
      throw PluginError("plugin " + path + ": missing export " COURTYARD_PLUGIN_INIT_SYMBOL);

    host_.abi_version = COURTYARD_PLUGIN_ABI_VERSION;
    host_.host_data = &log_name_;
    host_.alloc = &host_alloc;
    host_.log = &host_log;
    log_name_ = std::filesystem::path(path).filename().string();

    courtyard_plugin_info info{};
    int rc = -1;
    try {
      rc = init(&host_, &info);
    } catch (...) {
      rc = -1;
    }
    if (rc != 0) throw PluginError("plugin " + path + ": " COURTYARD_PLUGIN_INIT_SYMBOL " failed with code " + std::to_string(rc));
    // From here on the plugin is initialised: shut it down if validation fails.
    shutdown_ = lib_.symbol<courtyard_plugin_shutdown_fn>(COURTYARD_PLUGIN_SHUTDOWN_SYMBOL);
    try {
      read_info(info);
    } catch (...) {
      if (shutdown_) shutdown_();
      throw;
    }
    log_name_ = name_;
    spdlog::info("plugin {} {} loaded from {} ({} routes, {} subscriptions)", name_, version_, path, routes_.size(),
                 subs_.size());
  }

  ~PluginService() override {
    if (shutdown_) shutdown_();
  }

  std::string_view name() const override { return name_; }
  std::vector<db::Migration> migrations() const override { return {}; }

  void routes(http::Router& router) override {
    for (auto const& r : routes_) {
      router
          .add(r.method, r.pattern, r.access,
               [this, fn = r.fn, user = r.user_data, checks_cid = r.access.level == http::Access::Level::Community](
                   http::Request const& req, Context& ctx) { return call_route(fn, user, checks_cid, req, ctx); })
          .json_body = false;  // a plugin reads its body as it likes
    }
  }

  void subscribe(events::Bus& bus) override {
    std::map<std::string, int> per_topic;
    for (auto const& s : subs_) {
      int n = ++per_topic[s.topic];
      // Stable across restarts: delivery rows store this name.
      std::string subscriber = "plugin." + name_ + (n > 1 ? "#" + std::to_string(n) : "");
      // Detached: the callback runs with no transaction open (never under SQLite's write lock).
      bus.subscribe_detached(subscriber, s.topic,
                             [this, fn = s.fn, user = s.user_data](events::Event const& ev) { deliver(fn, user, ev); });
    }
  }

 private:
  struct RouteSpec {
    std::string method;
    std::string pattern;
    http::Access access;
    courtyard_route_fn fn;
    void* user_data;
  };
  struct SubSpec {
    std::string topic;
    courtyard_event_fn fn;
    void* user_data;
  };

  [[noreturn]] void fail(std::string const& why) const { throw PluginError("plugin " + path_ + ": " + why); }

  void read_info(courtyard_plugin_info const& info) {
    if (!info.name || !valid_name(info.name)) fail("name must be 1-64 characters of [a-z0-9_-]");
    name_ = info.name;
    version_ = info.version ? info.version : "";
    if (info.route_count && !info.routes) fail("route_count set but routes is NULL");
    if (info.subscription_count && !info.subscriptions) fail("subscription_count set but subscriptions is NULL");
    for (std::size_t i = 0; i < info.route_count; ++i) {
      auto const& r = info.routes[i];
      std::string where = "route " + std::to_string(i);
      if (!r.method || !r.pattern || !r.access || !r.handler) fail(where + ": method, pattern, access and handler are required");
      std::string method = r.method;
      if (method != "GET" && method != "POST" && method != "PUT" && method != "PATCH" && method != "DELETE")
        fail(where + ": unsupported method '" + method + "'");
      std::string pattern = r.pattern;
      if (pattern.empty() || pattern.front() != '/') fail(where + ": pattern must start with '/'");
      where += " (" + method + " " + pattern + ")";
      http::Access access;
      try {
        access = parse_access(r.access);
      } catch (std::invalid_argument const& e) {
        fail(where + ": " + e.what());
      }
      if (access.level == http::Access::Level::Community && !has_cid(pattern))
        fail(where + ": rule '" + std::string(r.access) + "' needs a {cid} segment in the pattern");
      routes_.push_back({std::move(method), std::move(pattern), std::move(access), r.handler, r.user_data});
    }
    for (std::size_t i = 0; i < info.subscription_count; ++i) {
      auto const& s = info.subscriptions[i];
      if (!s.topic || !*s.topic || !s.handler)
        fail("subscription " + std::to_string(i) + ": topic and handler are required");
      subs_.push_back({s.topic, s.handler, s.user_data});
    }
  }

  // checks_cid: the route's rule checked the caller against {cid} (member and role rules);
  // only then does the plugin get community_id, roles and merchant id.
  http::Response call_route(courtyard_route_fn fn, void* user, bool checks_cid, http::Request const& req,
                            Context& ctx) const {
    std::vector<courtyard_param> params;
    params.reserve(req.params.size());
    for (auto const& [k, v] : req.params) params.push_back({view(k), view(v)});
    std::string_view query;
    if (auto q = req.target.find('?'); q != std::string::npos) query = std::string_view(req.target).substr(q + 1);

    courtyard_request creq{};
    creq.method = view(req.method);
    creq.path = view(req.path);
    creq.query = view(query);
    creq.body = view(req.body);
    creq.request_id = view(req.request_id);
    creq.community_id = checks_cid ? ctx.community_id : 0;
    Caller caller = caller_of(ctx.principal, creq.community_id, req);
    creq.principal = caller.principal;
    creq.params = params.data();
    creq.param_count = params.size();

    Arena arena;
    courtyard_response cres{};
    cres.status = 200;
    cres.content_type = "application/json";
    cres.host_reserved = &arena;

    int rc = -1;
    try {
      rc = fn(user, &creq, &cres);
    } catch (...) {
      rc = -1;
    }
    if (rc != 0) throw std::runtime_error("plugin " + name_ + ": " + req.method + " " + req.path + " failed with code " + std::to_string(rc));
    if (cres.status < 100 || cres.status > 599)
      throw std::runtime_error("plugin " + name_ + ": " + req.method + " " + req.path + " answered status " + std::to_string(cres.status));
    if (cres.status >= 400 && cres.body_size == 0) throw_status(cres.status);

    http::Response res;
    res.status = cres.status;
    res.content_type = cres.content_type && *cres.content_type ? cres.content_type : "application/json";
    if (cres.body_size) {
      if (!cres.body) throw std::runtime_error("plugin " + name_ + ": body_size set but body is NULL");
      res.body.assign(cres.body, cres.body_size);
    }
    return res;
  }

  void deliver(courtyard_event_fn fn, void* user, events::Event const& ev) const {
    std::string payload = boost::json::serialize(ev.payload);
    courtyard_event cev{};
    cev.topic = view(ev.topic);
    cev.payload = view(payload);
    cev.event_id = ev.id;
    cev.community_id = ev.community_id;
    cev.created_at_ms = ev.created_at;
    int rc = -1;
    try {
      rc = fn(user, &cev);
    } catch (...) {
      rc = -1;
    }
    // Throwing makes the dispatcher reschedule the delivery with backoff.
    if (rc != 0)
      throw std::runtime_error("plugin " + name_ + ": subscriber of " + ev.topic + " returned " + std::to_string(rc) +
                               " for event " + std::to_string(ev.id) + "; will retry");
  }

  std::string path_;
  Library lib_;  // declared first among the plugin's state: closed last
  courtyard_host host_{};
  std::string log_name_;
  courtyard_plugin_shutdown_fn shutdown_ = nullptr;
  std::string name_;
  std::string version_;
  std::vector<RouteSpec> routes_;
  std::vector<SubSpec> subs_;
};

}  // namespace

http::Access parse_access(std::string_view rule) {
  std::string_view rest = rule;
  auto next_token = [&rest]() -> std::string_view {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    auto end = rest.find(' ');
    std::string_view tok = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    return tok;
  };

  std::string_view base = next_token();
  if (base.empty()) throw std::invalid_argument("empty access rule");
  http::Access access;
  if (base == "public") {
    access = http::Access::public_();
  } else if (base == "authenticated") {
    access = http::Access::authenticated();
  } else if (base == "admin") {
    access = http::Access::admin();
  } else if (base == "member") {
    access = http::Access::member();
  } else {
    unsigned mask = 0;
    std::string_view roles = base;
    while (true) {
      auto bar = roles.find('|');
      std::string_view r = roles.substr(0, bar);
      if (r == "resident") mask |= unsigned(Role::Resident);
      else if (r == "manager") mask |= unsigned(Role::Manager);
      else if (r == "merchant") mask |= unsigned(Role::Merchant);
      else if (r == "courier") mask |= unsigned(Role::Courier);
      else
        throw std::invalid_argument("unknown access rule '" + std::string(r) +
                                    "' (public, authenticated, admin, member, resident, manager, merchant, courier)");
      if (bar == std::string_view::npos) break;
      roles.remove_prefix(bar + 1);
    }
    access = http::Access::any_of(mask);
  }
  for (std::string_view tok = next_token(); !tok.empty(); tok = next_token()) {
    constexpr std::string_view kScope = "scope=";
    if (tok.substr(0, kScope.size()) != kScope || tok.size() == kScope.size())
      throw std::invalid_argument("unexpected '" + std::string(tok) + "' in access rule (only scope=<name> may follow)");
    access.scope = std::string(tok.substr(kScope.size()));
  }
  return access;
}

std::unique_ptr<Service> load(std::string const& path) { return std::make_unique<PluginService>(path); }

void load_all(gateway::App& app, std::vector<std::string> const& paths) {
  for (auto const& path : paths) {
    auto service = load(path);
    for (auto const& s : app.services())
      if (s->name() == service->name())
        throw PluginError("plugin " + path + ": name '" + std::string(service->name()) + "' is already taken by a service");
    try {
      app.add_service(std::move(service));
    } catch (PluginError const&) {
      throw;
    } catch (std::exception const& e) {
      throw PluginError("plugin " + path + ": " + e.what());
    }
  }
}

}  // namespace courtyard::plugins
