#pragma once
// Signing in to a running server (tests/e2e/server_process.hpp) and the bearer header that
// goes with the session.
#include "tests/e2e/http_client.hpp"

#include <boost/json.hpp>

#include <stdexcept>
#include <string>

namespace courtyard::e2e {

// `extra` with the Authorization header for `token` (none when the token is empty).
inline HeaderList bearer(std::string const& token, HeaderList extra = {}) {
  if (!token.empty()) extra.emplace_back("Authorization", "Bearer " + token);
  return extra;
}

// POST /v1/auth/login; the session token (throws unless it answers 200).
inline std::string login(unsigned short port, std::string const& email, std::string const& password) {
  auto r = fetch(port, "POST", "/v1/auth/login",
                 boost::json::serialize(boost::json::object{{"email", email}, {"password", password}}));
  if (r.status != 200)
    throw std::runtime_error("login " + email + " answered " + std::to_string(r.status) + ": " + r.body);
  return std::string(r.json().at("token").as_string());
}

// The --demo data's accounts share one password.
inline std::string demo_login(unsigned short port, std::string const& email) {
  return login(port, email, "courtyard-demo");
}

}  // namespace courtyard::e2e
