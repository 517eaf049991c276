#include "gateway/config.hpp"

#include "db/database.hpp"
#include "gateway/listen_address.hpp"
#include "gateway/service_list.hpp"

#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>

#include <algorithm>
#include <utility>
#include <vector>
#include <array>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace courtyard::gateway {

namespace po = boost::program_options;

namespace {

// Boost 1.81's error_with_option_name::what() fills its message template by searching the
// whole text again after each replacement, so an option value that itself contains a
// placeholder such as "%value%" never finishes (found by fuzz_config with a config file line).
// Take every '%' out of the substituted values before anything asks for the message.
void defuse(po::error& e) {
  auto* named = dynamic_cast<po::error_with_option_name*>(&e);
  if (!named) return;
  struct Peek : po::error_with_option_name {
    static auto substitutions() { return &Peek::m_substitutions; }
  };
  std::vector<std::pair<std::string, std::string>> fixed;
  for (auto const& [key, value] : named->*Peek::substitutions())
    if (value.find('%') != std::string::npos) {
      std::string v = value;
      std::replace(v.begin(), v.end(), '%', '?');
      fixed.emplace_back(key, std::move(v));
    }
  for (auto const& [key, value] : fixed) named->set_substitute(key, value);
}

constexpr std::string_view kEnvPrefix = "COURTYARD_";

// COURTYARD_* variables that belong to start-up or tests, not to the configuration.
bool is_reserved_env(std::string_view name) {
  return name == "ADMIN_EMAIL" || name == "ADMIN_PASSWORD" || name == "BIN" || name.starts_with("TEST_");
}

std::vector<std::string> split_list(std::string const& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    std::string item = s.substr(start, end - start);
    auto const first = item.find_first_not_of(" \t");
    auto const last = item.find_last_not_of(" \t");
    if (first != std::string::npos) out.push_back(item.substr(first, last - first + 1));
    start = end + 1;
  }
  return out;
}

std::string join_list(std::vector<std::string> const& items) {
  std::string out;
  for (auto const& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

// Every key that the CLI, the environment and the config file share. Numbers are read as
// signed 64-bit and range-checked afterwards: program_options would wrap "-1" into a
// huge unsigned value.
template <class T>
bool take(po::variables_map const& vm, char const* key, T& out);

po::options_description config_options(Config const& d, std::vector<settings::Key> const& service_keys) {
  using I = std::int64_t;
  po::options_description o("Configuration (also COURTYARD_<KEY> in the environment and `key = value` in --config)");
  auto def = [](auto const& v) {
    std::ostringstream s;
    s << " (default: " << v << ")";
    return s.str();
  };
  // clang-format off
  o.add_options()
    ("listen", po::value<std::string>(), ("HOST:PORT to listen on; port 0 picks a free port" + def(d.listen)).c_str())
    ("db", po::value<std::string>(), ("storage URL: sqlite3://FILE or mysql://user:pw@host:port/db" + def(d.db)).c_str())
    ("threads", po::value<I>(), ("I/O threads" + def(d.threads)).c_str())
    ("workers", po::value<I>(), "handler worker threads (default 0: by storage, 2 per CPU core on SQLite, 8 on MariaDB)")
    ("queue", po::value<I>(), ("requests waiting for a worker before answering 503" + def(d.queue)).c_str())
    ("db-pool", po::value<I>(), "database connections (default: workers + 6: the event dispatcher, the job scheduler and the notifier take some)")
    ("demo", po::value<bool>()->implicit_value(true), "seed a demo community once and print its logins")
    ("services", po::value<std::string>(), ("comma-separated services to enable" + def(join_list(d.services))).c_str())
    ("plugins", po::value<std::string>(), "comma-separated plugin .so files to load")
    ("web-root", po::value<std::string>(), "folder with the built web clients (portal/, app/); auto = next to the binary, empty = none (default: auto)")
    ("instance-id", po::value<std::string>(), "lease owner name for jobs (default: host:pid:random)")
    ("header-limit", po::value<I>(), ("max request header bytes (431 above)" + def(d.header_limit)).c_str())
    ("body-limit", po::value<I>(), ("max request body bytes (413 above)" + def(d.body_limit)).c_str())
    ("read-timeout", po::value<I>(), ("seconds for a whole request to arrive" + def(d.read_timeout.count())).c_str())
    ("idle-timeout", po::value<I>(), ("seconds an idle keep-alive connection is kept" + def(d.idle_timeout.count())).c_str())
    ("drain-timeout", po::value<I>(), ("seconds in-flight requests get on SIGTERM" + def(d.drain_timeout.count())).c_str())
    ("max-connections", po::value<I>(), ("open connections before answering 503" + def(d.max_connections)).c_str())
    ("reuse-port", po::value<bool>()->implicit_value(true),
     "share the listen port with other courtyard processes on this host (SO_REUSEPORT; default: false)")
    ("access-log", po::value<bool>()->implicit_value(true), "one JSON line per request (--access-log=false to disable)")
    ("log-format", po::value<std::string>(), ("access log format: json|text|auto (text on a terminal)" + def(d.log_format)).c_str())
    ("log-level", po::value<std::string>(), ("trace|debug|info|warn|error|critical|off" + def(d.log_level)).c_str())
    ("rate-limit-rps", po::value<double>(), ("requests per second per caller; 0 disables" + def(d.rate_limit_rps)).c_str())
    ("rate-limit-burst", po::value<double>(), ("burst size per caller" + def(d.rate_limit_burst)).c_str())
    ("trusted-proxies", po::value<std::string>(),
     "comma-separated load-balancer IPs whose X-Forwarded-For names the client")
    ("auth-cache-ms", po::value<I>(), ("how long a signed-in principal may be cached; 0 disables" + def(d.auth_cache.count())).c_str())
    ("dispatcher-poll-ms", po::value<I>(), ("event dispatcher poll interval" + def(d.dispatcher_poll.count())).c_str())
    ("scheduler-poll-ms", po::value<I>(), ("job scheduler poll interval" + def(d.scheduler_poll.count())).c_str())
    ("events-retention-days", po::value<I>(), ("days finished event deliveries are kept" + def(d.events_retention_days)).c_str())
    ("background", po::value<bool>()->implicit_value(true), "run the event dispatcher and job scheduler (default: true)");
  // clang-format on
  for (auto const& k : service_keys) {
    o.add_options()(k.name.c_str(), po::value<std::string>(), (k.help + " (default: " + k.fallback + ")").c_str());
    if (!k.deprecated_alias.empty())
      o.add_options()(k.deprecated_alias.c_str(), po::value<std::string>(),
                      ("deprecated alias of --" + k.name).c_str());
  }
  return o;
}

// COURTYARD_IDENTITY_TOKEN_TTL_HOURS -> identity.token-ttl-hours: every key's environment
// name is its upper-cased name with dashes and dots as underscores.
std::string env_name(std::string_view key) {
  std::string out;
  for (char c : key) out += (c == '-' || c == '.') ? '_' : (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c;
  return out;
}

void apply_service_keys(po::variables_map const& vm, std::vector<settings::Key> const& keys, Config& c) {
  for (auto const& k : keys) {
    std::string value = k.fallback;
    std::string used = k.name;
    if (take(vm, k.name.c_str(), value)) {
    } else if (!k.deprecated_alias.empty() && take(vm, k.deprecated_alias.c_str(), value)) {
      used = k.deprecated_alias;
      spdlog::warn("configuration key '{}' is deprecated; use '{}'", k.deprecated_alias, k.name);
    }
    if (auto why = settings::check(k, value); !why.empty()) throw std::invalid_argument("--" + used + " " + why);
    c.settings.declare(k);
    c.settings.set(k.name, value);
  }
}

template <class T>
bool take(po::variables_map const& vm, char const* key, T& out) {
  auto const it = vm.find(key);
  if (it == vm.end() || it->second.empty()) return false;
  out = it->second.as<T>();
  return true;
}

std::int64_t ranged(po::variables_map const& vm, char const* key, std::int64_t current, std::int64_t min,
                    std::int64_t max = std::numeric_limits<std::int64_t>::max()) {
  std::int64_t v = current;
  if (!take(vm, key, v)) return current;
  if (v < min || v > max) {
    std::string range = max == std::numeric_limits<std::int64_t>::max()
                            ? "at least " + std::to_string(min)
                            : "between " + std::to_string(min) + " and " + std::to_string(max);
    throw std::invalid_argument("--" + std::string(key) + " must be " + range + " (got " + std::to_string(v) + ")");
  }
  return v;
}

void one_of(std::string const& key, std::string const& value, std::initializer_list<std::string_view> allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : "|") + std::string(a);
  throw std::invalid_argument("--" + key + " must be one of " + list + " (got '" + value + "')");
}

void apply_options(po::variables_map const& vm, Config& c) {
  constexpr std::int64_t kIntMax = std::numeric_limits<int>::max();
  take(vm, "listen", c.listen);
  if (!parse_listen_address(c.listen)) {
    throw std::invalid_argument("--listen must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080 (got '" + c.listen + "')");
  }
  take(vm, "db", c.db);
  db::DbUrl::parse(c.db);  // throws std::invalid_argument naming the problem

  c.threads = int(ranged(vm, "threads", c.threads, 1, 1024));
  c.workers = int(ranged(vm, "workers", c.workers, 0, 4096));
  c.queue = int(ranged(vm, "queue", c.queue, 1, kIntMax));
  c.db_pool = std::size_t(ranged(vm, "db-pool", std::int64_t(c.db_pool), 0, 4096));
  take(vm, "demo", c.demo);

  std::string list;
  if (take(vm, "services", list)) c.services = split_list(list);
  if (take(vm, "plugins", list)) c.plugins = split_list(list);
  take(vm, "instance-id", c.instance_id);
  take(vm, "web-root", c.web_root);

  c.header_limit = std::size_t(ranged(vm, "header-limit", std::int64_t(c.header_limit), 1024, std::int64_t(1) << 30));
  c.body_limit = std::size_t(ranged(vm, "body-limit", std::int64_t(c.body_limit), 0, std::int64_t(1) << 40));
  c.read_timeout = std::chrono::seconds(ranged(vm, "read-timeout", c.read_timeout.count(), 1, 3600));
  c.idle_timeout = std::chrono::seconds(ranged(vm, "idle-timeout", c.idle_timeout.count(), 1, 24 * 3600));
  c.drain_timeout = std::chrono::seconds(ranged(vm, "drain-timeout", c.drain_timeout.count(), 0, 3600));
  c.max_connections = std::size_t(ranged(vm, "max-connections", std::int64_t(c.max_connections), 1, 10'000'000));
  take(vm, "reuse-port", c.reuse_port);

  take(vm, "access-log", c.access_log);
  take(vm, "log-format", c.log_format);
  one_of("log-format", c.log_format, {"json", "text", "auto"});
  take(vm, "log-level", c.log_level);
  one_of("log-level", c.log_level, {"trace", "debug", "info", "warn", "error", "critical", "off"});
  take(vm, "rate-limit-rps", c.rate_limit_rps);
  take(vm, "rate-limit-burst", c.rate_limit_burst);
  if (take(vm, "trusted-proxies", list)) c.trusted_proxies = split_list(list);
  if (!(c.rate_limit_rps >= 0)) throw std::invalid_argument("--rate-limit-rps must be 0 (off) or positive");
  if (c.rate_limit_rps > 0 && !(c.rate_limit_burst >= 1)) throw std::invalid_argument("--rate-limit-burst must be at least 1");

  c.auth_cache = std::chrono::milliseconds(ranged(vm, "auth-cache-ms", c.auth_cache.count(), 0, 300'000));
  c.dispatcher_poll = std::chrono::milliseconds(ranged(vm, "dispatcher-poll-ms", c.dispatcher_poll.count(), 1, 3'600'000));
  c.scheduler_poll = std::chrono::milliseconds(ranged(vm, "scheduler-poll-ms", c.scheduler_poll.count(), 1, 3'600'000));
  c.events_retention_days = int(ranged(vm, "events-retention-days", c.events_retention_days, 1, 3650));
  take(vm, "background", c.background);
}

}  // namespace

ParsedConfig parse_config(int argc, char const* const* argv, char const* const* envp) {
  return parse_config(argc, argv, envp, all_service_keys());
}

ParsedConfig parse_config(int argc, char const* const* argv, char const* const* envp,
                          std::vector<settings::Key> const& service_keys) {
  ParsedConfig out;
  po::options_description const keys = config_options(out.config, service_keys);
  std::map<std::string, std::string> by_env;
  for (auto const& opt : keys.options()) by_env[env_name(opt->long_name())] = opt->long_name();
  po::options_description cli("Usage: courtyard [options]");
  cli.add_options()("help,h", "show this help and exit")("config", po::value<std::string>(),
                                                         "read `key = value` lines from FILE (also COURTYARD_CONFIG)");
  cli.add(keys);

  std::ostringstream help;
  help << cli;
  out.help_text = help.str();

  po::variables_map vm;
  std::string config_file;
  try {
    // store() keeps the first value it sees for a key, so storing CLI, then environment,
    // then file gives the precedence CLI > env > file > defaults.
    auto const parsed = po::command_line_parser(argc, argv).options(cli).run();
    auto const stray = po::collect_unrecognized(parsed.options, po::include_positional);
    if (!stray.empty()) throw std::invalid_argument("unexpected argument '" + stray.front() + "'");
    po::store(parsed, vm);
    if (vm.count("help")) {
      out.help = true;
      return out;
    }

    po::parsed_options env(&keys);
    for (auto e = envp; e && *e; ++e) {
      std::string_view entry(*e);
      if (!entry.starts_with(kEnvPrefix)) continue;
      auto const eq = entry.find('=');
      if (eq == std::string_view::npos) continue;
      std::string_view const name = entry.substr(kEnvPrefix.size(), eq - kEnvPrefix.size());
      std::string const value(entry.substr(eq + 1));
      if (is_reserved_env(name)) continue;
      if (name == "CONFIG") {
        if (config_file.empty()) config_file = value;
        continue;
      }
      auto const key = by_env.find(std::string(name));
      if (key == by_env.end()) {
        throw std::invalid_argument("unknown environment variable " + std::string(entry.substr(0, eq)) +
                                    " (not a configuration key; see --help)");
      }
      env.options.emplace_back(key->second, std::vector<std::string>{value});
    }
    po::store(env, vm);

    if (vm.count("config")) config_file = vm["config"].as<std::string>();
    if (!config_file.empty()) {
      std::ifstream in(config_file);
      if (!in) throw std::invalid_argument("cannot read config file '" + config_file + "'");
      try {
        po::store(po::parse_config_file(in, keys, false), vm);
      } catch (po::unknown_option const& e) {
        throw std::invalid_argument("config file '" + config_file + "': unknown key '" + e.get_option_name() + "'");
      } catch (po::error& e) {
        defuse(e);
        throw std::invalid_argument("config file '" + config_file + "': " + e.what());
      }
    }
    po::notify(vm);
  } catch (po::error& e) {
    defuse(e);
    throw std::invalid_argument(e.what());
  }

  apply_options(vm, out.config);
  apply_service_keys(vm, service_keys, out.config);
  return out;
}

}  // namespace courtyard::gateway
