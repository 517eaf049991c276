// Harness: bytes -> the plugin loader's checks on what courtyard_plugin_init declares (name,
// routes: method, pattern, access rule; subscriptions), through the real plugins::load():
// a tiny plugin (manifest_plugin.c -> libfuzz_manifest_plugin.so) hands back the manifest
// this harness builds from the input. Accepted plugins register their routes in a Router,
// which then matches each pattern. parse_access also runs on each rule directly.
//
// Input: lines. Line 1: name, line 2: version (an empty line "-" means NULL for both).
// Then "R<TAB>method<TAB>pattern<TAB>access" (a field "-" means NULL), "S<TAB>topic"
// (topic "-" means NULL), "A<TAB>rule" (parse_access only), "F" (init fails).
// Oracles: sanitizers; load() throws only PluginError; an accepted route has a supported
// method, a pattern starting with '/', and a {cid} when its rule is a community rule;
// parse_access throws only std::invalid_argument and describe() parses back to the same rule.
#include "gateway/plugins/loader.hpp"

#include "courtyard/plugin.h"
#include "http/router.hpp"

#include <dlfcn.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <string>
#include <vector>

using namespace courtyard;

namespace {

[[noreturn]] void fail(std::string const& what) {
  std::fprintf(stderr, "\n==FUZZ ORACLE== %s\n", what.c_str());
  std::abort();
}

std::string g_plugin;
courtyard_plugin_info g_info{};
bool g_fail_init = false;

int dummy_route(void*, courtyard_request const*, courtyard_response* res) {
  res->status = 204;
  return 0;
}
int dummy_event(void*, courtyard_event const*) { return 0; }

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto end = s.find(sep, start);
    out.emplace_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

void check_access(std::string const& rule) {
  http::Access a;
  try {
    a = plugins::parse_access(rule);
  } catch (std::invalid_argument const&) {
    return;
  } catch (std::exception const& e) {
    fail(std::string("parse_access threw a non-invalid_argument: ") + e.what());
  }
  if (a.level == http::Access::Level::Community && a.roles == 0) fail("a community rule without roles: " + rule);
  http::Access back;
  try {
    back = plugins::parse_access(a.describe());
  } catch (std::exception const& e) {
    fail("describe() of '" + rule + "' does not parse back: " + a.describe());
  }
  if (back.level != a.level || back.roles != a.roles) fail("describe() round trip changed '" + rule + "'");
}

}  // namespace

extern "C" __attribute__((visibility("default"))) courtyard_plugin_info const* courtyard_fuzz_manifest() {
  return g_fail_init ? nullptr : &g_info;
}

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  spdlog::set_level(spdlog::level::off);
  // Next to the harness executable (CMake builds both into the same directory).
  auto exe = std::filesystem::canonical("/proc/self/exe");
  g_plugin = (exe.parent_path() / "libfuzz_manifest_plugin.so").string();
  // Held open for the whole run: every load() is then a cheap reference-count increment.
  if (!dlopen(g_plugin.c_str(), RTLD_NOW | RTLD_LOCAL)) fail(std::string("cannot open the fuzz plugin: ") + dlerror());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  auto const text = std::string(reinterpret_cast<char const*>(data), size);
  auto const lines = split(text, '\n');
  // Storage for the C strings of this input's manifest (deque: stable addresses).
  std::deque<std::string> strings;
  auto cstr = [&](std::string const& s) -> char const* {
    if (s == "-") return nullptr;
    return strings.emplace_back(s).c_str();
  };
  std::vector<courtyard_route> routes;
  std::vector<courtyard_subscription> subs;
  g_fail_init = false;
  g_info = {};
  g_info.name = lines.size() > 0 ? cstr(lines[0]) : nullptr;
  g_info.version = lines.size() > 1 ? cstr(lines[1]) : nullptr;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    auto f = split(lines[i], '\t');
    if (f[0] == "R" && f.size() >= 4) {
      routes.push_back({cstr(f[1]), cstr(f[2]), cstr(f[3]), &dummy_route, nullptr});
      if (f[3] != "-") check_access(f[3]);
    } else if (f[0] == "S" && f.size() >= 2) {
      subs.push_back({cstr(f[1]), &dummy_event, nullptr});
    } else if (f[0] == "A" && f.size() >= 2) {
      check_access(lines[i].substr(2));
    } else if (f[0] == "F") {
      g_fail_init = true;
    }
  }
  g_info.routes = routes.empty() ? nullptr : routes.data();
  g_info.route_count = routes.size();
  g_info.subscriptions = subs.empty() ? nullptr : subs.data();
  g_info.subscription_count = subs.size();

  std::unique_ptr<Service> service;
  try {
    service = plugins::load(g_plugin);
  } catch (plugins::PluginError const&) {
    return 0;
  } catch (std::exception const& e) {
    fail(std::string("plugins::load threw a non-PluginError: ") + e.what());
  }
  if (g_fail_init) fail("a plugin whose init failed was accepted");

  http::Router router;
  try {
    service->routes(router);
  } catch (std::logic_error const&) {
    return 0;  // duplicate method+pattern: App::add_service refuses it (load_all -> PluginError)
  }
  for (auto const& r : router.routes()) {
    if (r->method != "GET" && r->method != "POST" && r->method != "PUT" && r->method != "PATCH" &&
        r->method != "DELETE")
      fail("accepted method " + r->method);
    if (r->pattern.empty() || r->pattern[0] != '/') fail("accepted pattern " + r->pattern);
    if (r->access.level == http::Access::Level::Community && r->pattern.find("/{cid}") == std::string::npos)
      fail("community rule accepted without {cid}: " + r->pattern);
    auto m = router.match(r->method, r->pattern);
    (void)m;
  }
  return 0;
}
