#pragma once
// Native plugins: a shared object speaking the C ABI of plugins/include/courtyard/plugin.h,
// adapted into a Service (routes with access rules, event subscriptions). The library stays
// open as long as its Service lives and is closed by the Service's destructor.
#include "gateway/app.hpp"
#include "http/router.hpp"
#include "http/service.hpp"

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace courtyard::plugins {

// A plugin that cannot be used: missing file, not a shared object, missing exports, ABI
// version mismatch, failed init, or a bad route. The message names the file; start-up aborts.
struct PluginError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses a route's access rule: "public", "authenticated", "admin", "member", or roles
// joined with '|' ("resident|manager"), optionally followed by " scope=<api-key scope>".
// Throws std::invalid_argument on anything else.
http::Access parse_access(std::string_view rule);

// Opens one plugin, checks the ABI handshake, runs its init and returns it as a Service.
std::unique_ptr<Service> load(std::string const& path);

// Loads every plugin in order and adds each to the app (routes, subscriptions).
// Throws PluginError on the first that fails.
void load_all(gateway::App& app, std::vector<std::string> const& paths);

}  // namespace courtyard::plugins
