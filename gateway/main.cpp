// courtyard: the server binary. Exit codes: 0 after a graceful stop (or --help),
// 1 when start-up fails (storage, migrations, plugins, address in use), 2 on bad configuration.
#include "gateway/app.hpp"
#include "gateway/config.hpp"
#include "gateway/demo.hpp"
#include "gateway/net/notifier.hpp"
#include "gateway/net/server.hpp"
#include "gateway/service_list.hpp"
#include "gateway/plugins/loader.hpp"
#include "services/identity/api.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

extern char** environ;

namespace {

using namespace courtyard;

void setup_logging(gateway::Config const& config) {
  // stdout carries only the "listening" line (and demo logins); logs go to stderr.
  auto logger = spdlog::stderr_color_mt("courtyard");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  spdlog::set_level(spdlog::level::from_str(config.log_level));
}

void bootstrap_admin(gateway::App& app, gateway::Config const& config) {
  if (config.demo) {
    // The demo community is created by a platform admin; give one to a fresh demo install.
    setenv("COURTYARD_ADMIN_EMAIL", "admin@demo.courtyard.local", 0);
    setenv("COURTYARD_ADMIN_PASSWORD", "courtyard-admin", 0);
  }
  char const* email = std::getenv("COURTYARD_ADMIN_EMAIL");
  char const* password = std::getenv("COURTYARD_ADMIN_PASSWORD");
  if (!email || !*email || !password || !*password) return;
  if (identity::bootstrap_admin(app.db(), email, password, config.settings.text("identity.password-hash"))) {
    spdlog::info("created platform admin {}", email);
  }
}

std::string url_host(boost::asio::ip::address const& a) {
  return a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
}

int serve(gateway::Config const& config) {
  gateway::App app(config, gateway::all_services(), gateway::authenticator());
  app.set_access_log_format(config.log_format == "json" || (config.log_format == "auto" && !isatty(STDERR_FILENO)));
  plugins::load_all(app, config.plugins);
  bootstrap_admin(app, config);
  if (config.demo) gateway::seed_demo(app);

  gateway::net::Server server(app);
  gateway::net::Notifier realtime(app, gateway::authenticator());  // /v1/ws
  realtime.attach(server);
  auto const endpoint = server.listen();
  app.start_background();
  realtime.start();
  std::string const base = "http://" + url_host(endpoint.address()) + ":" + std::to_string(endpoint.port());
  std::cout << "courtyard listening on " << base << "\n"
            << "  API            " << base << "/v1/  (OpenAPI: " << base << "/v1/openapi.json)\n";
  for (auto const& prefix : app.web().prefixes())
    std::cout << (prefix == "/portal/" ? "  portal         " : "  resident app   ") << base << prefix << "\n";
  if (app.web().prefixes().empty())
    std::cout << "  (no web clients found: build them with deploy/build.sh, or set --web-root)\n";
  std::cout << std::flush;

  server.run();
  realtime.stop();
  app.stop_background();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);

  gateway::ParsedConfig parsed;
  try {
    parsed = gateway::parse_config(argc, argv, environ);
  } catch (std::exception const& e) {
    std::cerr << "courtyard: " << e.what() << "\nTry 'courtyard --help'.\n";
    return 2;
  }
  if (parsed.help) {
    std::cout << parsed.help_text;
    return 0;
  }

  setup_logging(parsed.config);
  try {
    return serve(parsed.config);
  } catch (settings::InvalidSetting const& e) {
    // A value the loader accepted as text but its service refused (http/settings.hpp).
    spdlog::critical("courtyard: bad configuration: {}", e.what());
    return 2;
  } catch (std::exception const& e) {
    spdlog::critical("courtyard cannot start: {}", e.what());
    return 1;
  }
}
