#include "gateway/config.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using courtyard::gateway::Config;
using courtyard::gateway::parse_config;
using courtyard::gateway::ParsedConfig;

namespace {

ParsedConfig parse(std::vector<std::string> const& args, std::vector<std::string> const& env = {}) {
  std::vector<char const*> argv{"courtyard"};
  for (auto const& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  std::vector<char const*> envp;
  for (auto const& e : env) envp.push_back(e.c_str());
  envp.push_back(nullptr);
  return parse_config(int(argv.size()) - 1, argv.data(), envp.data());
}

std::string error_of(std::vector<std::string> const& args, std::vector<std::string> const& env = {}) {
  try {
    parse(args, env);
  } catch (std::invalid_argument const& e) {
    return e.what();
  }
  return "<no error>";
}

class TempFile {
 public:
  explicit TempFile(std::string const& content) {
    static int n = 0;
    path_ = (std::filesystem::temp_directory_path() /
             ("courtyard-config-" + std::to_string(getpid()) + "-" + std::to_string(++n) + ".conf"))
                .string();
    std::ofstream(path_) << content;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string const& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

TEST_CASE("config: nothing given yields the documented defaults", "[config]") {
  auto const p = parse({});
  Config const d;
  CHECK_FALSE(p.help);
  CHECK(p.config.listen == d.listen);
  CHECK(p.config.db == d.db);
  CHECK(p.config.threads == d.threads);
  CHECK(p.config.workers == d.workers);
  CHECK(p.config.queue == d.queue);
  CHECK(p.config.services == d.services);
  CHECK(p.config.plugins.empty());
  CHECK(p.config.header_limit == d.header_limit);
  CHECK(p.config.body_limit == d.body_limit);
  CHECK(p.config.read_timeout == d.read_timeout);
  CHECK(p.config.access_log == d.access_log);
  CHECK(p.config.settings.text("identity.password-hash") == "interactive");
  CHECK(p.config.settings.text("identity.token-ttl-hours") == "720");
  CHECK(p.config.settings.text("delivery.auto-assign-delay") == "300");
  CHECK(p.config.background == d.background);
}

TEST_CASE("config: command-line flags", "[config]") {
  auto const c = parse({"--listen", "127.0.0.1:0", "--db", "sqlite3:///tmp/x.db", "--threads", "4", "--workers=16",
                        "--queue", "10", "--db-pool", "7", "--demo", "--services", "identity, wallet ,shops",
                        "--plugins", "/a/one.so,/b/two.so", "--instance-id", "node-1", "--header-limit", "8192",
                        "--body-limit", "0", "--read-timeout", "2", "--idle-timeout", "30", "--drain-timeout", "0",
                        "--max-connections", "100", "--reuse-port", "--access-log=false", "--log-level", "debug",
                        "--rate-limit-rps", "0", "--rate-limit-burst", "5", "--token-ttl-hours", "2",
                        "--password-hash", "min", "--login-max-failures", "3", "--login-window-minutes", "1",
                        "--delivery-auto-assign-delay", "60", "--dispatcher-poll-ms", "50",
                        "--scheduler-poll-ms", "100"})
                     .config;
  CHECK(c.listen == "127.0.0.1:0");
  CHECK(c.db == "sqlite3:///tmp/x.db");
  CHECK(c.threads == 4);
  CHECK(c.workers == 16);
  CHECK(c.queue == 10);
  CHECK(c.db_pool == 7);
  CHECK(c.demo);
  CHECK(c.services == std::vector<std::string>{"identity", "wallet", "shops"});
  CHECK(c.plugins == std::vector<std::string>{"/a/one.so", "/b/two.so"});
  CHECK(c.instance_id == "node-1");
  CHECK(c.header_limit == 8192);
  CHECK(c.body_limit == 0);
  CHECK(c.read_timeout == std::chrono::seconds(2));
  CHECK(c.idle_timeout == std::chrono::seconds(30));
  CHECK(c.drain_timeout == std::chrono::seconds(0));
  CHECK(c.max_connections == 100);
  CHECK(c.reuse_port);
  CHECK_FALSE(c.access_log);
  CHECK(c.log_level == "debug");
  CHECK(c.rate_limit_rps == 0);
  CHECK(c.rate_limit_burst == 5);
  // The old flat names are deprecated aliases of the services' own sections.
  CHECK(c.settings.text("identity.token-ttl-hours") == "2");
  CHECK(c.settings.text("identity.password-hash") == "min");
  CHECK(c.settings.text("identity.login-max-failures") == "3");
  CHECK(c.settings.text("identity.login-window-minutes") == "1");
  CHECK(c.settings.text("delivery.auto-assign-delay") == "60");
  CHECK(c.dispatcher_poll == std::chrono::milliseconds(50));
  CHECK(c.scheduler_poll == std::chrono::milliseconds(100));
}

TEST_CASE("config: environment variables COURTYARD_<KEY>", "[config]") {
  auto const c = parse({}, {"COURTYARD_LISTEN=0.0.0.0:9000", "COURTYARD_DB_POOL=3", "COURTYARD_ACCESS_LOG=off",
                            "COURTYARD_RATE_LIMIT_RPS=2.5", "COURTYARD_SERVICES=identity", "PATH=/usr/bin",
                            "COURTYARD_ADMIN_EMAIL=admin@example.com", "COURTYARD_ADMIN_PASSWORD=secret",
                            "COURTYARD_TEST_DB=sqlite", "COURTYARD_BIN=/bin/true"})
                     .config;
  CHECK(c.listen == "0.0.0.0:9000");
  CHECK(c.db_pool == 3);
  CHECK_FALSE(c.access_log);
  CHECK(c.rate_limit_rps == 2.5);
  CHECK(c.services == std::vector<std::string>{"identity"});
}

TEST_CASE("config: precedence is CLI > environment > file > defaults", "[config]") {
  TempFile file("# comment\nthreads = 3\nworkers = 5\nqueue = 9\nlisten = 127.0.0.1:7000\n");
  std::vector<std::string> const env{"COURTYARD_THREADS=4", "COURTYARD_WORKERS=6"};

  auto const all = parse({"--config", file.path(), "--threads", "5"}, env).config;
  CHECK(all.threads == 5);
  CHECK(all.workers == 6);
  CHECK(all.queue == 9);
  CHECK(all.listen == "127.0.0.1:7000");
  CHECK(all.body_limit == Config{}.body_limit);

  auto const no_cli = parse({"--config", file.path()}, env).config;
  CHECK(no_cli.threads == 4);

  auto const file_only = parse({"--config", file.path()}).config;
  CHECK(file_only.threads == 3);
  CHECK(file_only.workers == 5);
}

TEST_CASE("config: COURTYARD_CONFIG names the file", "[config]") {
  TempFile file("threads = 7\n");
  CHECK(parse({}, {"COURTYARD_CONFIG=" + file.path()}).config.threads == 7);
}

TEST_CASE("config: unknown keys are rejected with the key in the message", "[config]") {
  CHECK_THAT(error_of({"--bogus", "1"}), Catch::Contains("bogus"));

  TempFile file("threads = 2\ncolour = blue\n");
  auto const file_error = error_of({"--config", file.path()});
  CHECK_THAT(file_error, Catch::Contains("colour"));
  CHECK_THAT(file_error, Catch::Contains(file.path()));

  CHECK_THAT(error_of({}, {"COURTYARD_COLOUR=blue"}), Catch::Contains("COURTYARD_COLOUR"));
  CHECK_THAT(error_of({"--config", "/nonexistent/courtyard.conf"}), Catch::Contains("/nonexistent/courtyard.conf"));
  CHECK_THAT(error_of({"stray"}), !Catch::Contains("<no error>"));
}

TEST_CASE("config: values are validated", "[config]") {
  CHECK_THAT(error_of({"--threads", "0"}), Catch::Contains("--threads"));
  CHECK_THAT(error_of({"--workers", "-1"}), Catch::Contains("--workers"));
  CHECK_THAT(error_of({"--threads", "many"}), Catch::Contains("threads"));
  CHECK_THAT(error_of({"--queue", "0"}), Catch::Contains("--queue"));
  CHECK_THAT(error_of({"--read-timeout", "0"}), Catch::Contains("--read-timeout"));
  CHECK_THAT(error_of({"--header-limit", "10"}), Catch::Contains("--header-limit"));
  CHECK_THAT(error_of({"--max-connections", "0"}), Catch::Contains("--max-connections"));
  CHECK_THAT(error_of({"--listen", "8080"}), Catch::Contains("--listen"));
  CHECK_THAT(error_of({"--listen", "::1:8080"}), Catch::Contains("--listen"));
  CHECK_THAT(error_of({"--listen", "127.0.0.1:70000"}), Catch::Contains("--listen"));
  CHECK_THAT(error_of({"--password-hash", "weak"}), Catch::Contains("--password-hash"));
  CHECK_THAT(error_of({"--log-level", "loud"}), Catch::Contains("--log-level"));
  CHECK_THAT(error_of({"--rate-limit-rps", "-1"}), Catch::Contains("--rate-limit-rps"));
  CHECK_THAT(error_of({"--db", "postgres://x"}), !Catch::Contains("<no error>"));
  CHECK_THAT(error_of({}, {"COURTYARD_THREADS=abc"}), Catch::Contains("threads"));
  CHECK(parse({"--listen", "[::1]:0"}).config.listen == "[::1]:0");
}

TEST_CASE("config: --help", "[config]") {
  auto const p = parse({"--help"});
  CHECK(p.help);
  CHECK_THAT(p.help_text, Catch::Contains("--listen"));
  CHECK_THAT(p.help_text, Catch::Contains("--read-timeout"));
  CHECK_THAT(p.help_text, Catch::Contains("COURTYARD_"));
}

TEST_CASE("config: each service owns its section, from flags, environment and file", "[config][settings]") {
  auto const flags = parse({"--identity.token-ttl-hours", "3", "--delivery.auto-assign-delay", "45"}).config;
  CHECK(flags.settings.text("identity.token-ttl-hours") == "3");
  CHECK(flags.settings.integer("delivery.auto-assign-delay") == 45);

  auto const env = parse({}, {"COURTYARD_IDENTITY_LOGIN_MAX_FAILURES=9", "COURTYARD_DELIVERY_AUTO_ASSIGN_DELAY=7"}).config;
  CHECK(env.settings.text("identity.login-max-failures") == "9");
  CHECK(env.settings.text("delivery.auto-assign-delay") == "7");

  TempFile file("threads = 2\n[identity]\ntoken-ttl-hours = 12\npassword-hash = moderate\n[delivery]\nauto-assign-delay = 0\n");
  auto const from_file = parse({"--config", file.path()}).config;
  CHECK(from_file.threads == 2);
  CHECK(from_file.settings.text("identity.token-ttl-hours") == "12");
  CHECK(from_file.settings.text("identity.password-hash") == "moderate");
  CHECK(from_file.settings.text("delivery.auto-assign-delay") == "0");

  CHECK(parse({}).config.settings.integer("notifications.retention-days") == 90);
  CHECK(parse({"--notifications.retention-days", "30"}).config.settings.text("notifications.retention-days") == "30");
  CHECK_THAT(error_of({"--notifications.retention-days", "0"}), Catch::Contains("notifications.retention-days"));
  TempFile retention("events-retention-days = 3\n[notifications]\nretention-days = 14\n");
  auto const kept = parse({"--config", retention.path()}).config;
  CHECK(kept.events_retention_days == 3);
  CHECK(kept.settings.text("notifications.retention-days") == "14");

  // The new name beats its deprecated alias; flags still beat the file.
  CHECK(parse({"--identity.token-ttl-hours", "4", "--token-ttl-hours", "5"}).config.settings.text(
            "identity.token-ttl-hours") == "4");
  CHECK(parse({"--config", file.path(), "--identity.token-ttl-hours", "1"}).config.settings.text(
            "identity.token-ttl-hours") == "1");
}

TEST_CASE("settings: a read checks the value against its key's declaration", "[config][settings]") {
  using courtyard::settings::InvalidSetting;
  using courtyard::settings::Key;
  courtyard::settings::Values v({Key::integer("x.count", 5, 1, 10, "a count"), Key::choice("x.mode", "a", {"a", "b"}, "a mode"),
                                 Key::boolean("x.on", true, "a switch")});
  CHECK(v.integer("x.count") == 5);  // the declared default
  CHECK(v.choice("x.mode") == "a");
  CHECK(v.boolean("x.on"));
  CHECK(v.text("x.count") == "5");
  v.set("x.count", "10");
  CHECK(v.integer("x.count") == 10);
  // The declared range and choices, stated once: a value outside them is refused on read.
  v.set("x.count", "11");
  CHECK_THROWS_WITH(v.integer("x.count"), Catch::Contains("between 1 and 10"));
  v.set("x.mode", "c");
  CHECK_THROWS_WITH(v.choice("x.mode"), Catch::Contains("one of a|b"));
  // Set before its key is declared (a test's override): read as the declaration says.
  v.set("x.later", "42");
  CHECK(v.text("x.later") == "42");
  CHECK_THROWS_WITH(v.integer("x.later"), Catch::Contains("not declared"));
  v.declare(Key::integer("x.later", 1, 1, 100, "declared after"));
  CHECK(v.integer("x.later") == 42);
  // Not declared, or read as another type: a programming error, said as such.
  CHECK_THROWS_WITH(v.integer("x.missing"), Catch::Contains("not declared"));
  CHECK_THROWS_AS(v.integer("x.on"), InvalidSetting);
  CHECK_THROWS_AS(v.boolean("x.mode"), InvalidSetting);
}

TEST_CASE("config: service sections are validated and unknown section keys rejected", "[config][settings]") {
  CHECK_THAT(error_of({"--identity.token-ttl-hours", "0"}), Catch::Contains("--identity.token-ttl-hours"));
  CHECK_THAT(error_of({"--identity.password-hash", "weak"}), Catch::Contains("--identity.password-hash"));
  CHECK_THAT(error_of({"--delivery.auto-assign-delay", "soon"}), Catch::Contains("delivery.auto-assign-delay"));
  CHECK_THAT(error_of({}, {"COURTYARD_IDENTITY_COLOUR=blue"}), Catch::Contains("COURTYARD_IDENTITY_COLOUR"));
  TempFile file("[identity]\ncolour = blue\n");
  CHECK_THAT(error_of({"--config", file.path()}), Catch::Contains("identity.colour"));
  CHECK_THAT(parse({"--help"}).help_text, Catch::Contains("--identity.token-ttl-hours"));
}

// Boost's error message fills "%value%"-style placeholders with a loop that searched the whole
// text again after each replacement: a value holding a placeholder never returned (fuzz_config,
// tests/fuzz/crashes/config/). Without gateway/config.cpp's defuse() these calls do not return.
TEST_CASE("config: a bad value that contains a message placeholder still gets its error", "[config]") {
  CHECK_THAT(error_of({"--threads", "%value%"}), Catch::Contains("threads"));
  CHECK_THAT(error_of({"--threads", "%canonical_option%"}), Catch::Contains("threads"));
  CHECK_THAT(error_of({}, {"COURTYARD_THREADS=%value%%"}), Catch::Contains("threads"));
  TempFile cfg("threads = %value%\n");
  CHECK_THAT(error_of({"--config", cfg.path()}), Catch::Contains("threads"));
}
