#include "http/session_cookie.hpp"

#include "http/errors.hpp"

#include <sodium.h>

namespace courtyard::http::session_cookie {

namespace {

bool secure(Request const& req) {
  auto proto = req.header("x-forwarded-proto");
  return proto && *proto == "https";
}

std::string attrs(Request const& req, std::int64_t max_age_s) {
  return "; Path=/; SameSite=Strict; Max-Age=" + std::to_string(max_age_s) + (secure(req) ? "; Secure" : "");
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string csrf_for(std::string_view token) {
  static constexpr unsigned char kContext[] = "courtyard csrf v1";
  unsigned char out[16];
  crypto_generichash(out, sizeof out, reinterpret_cast<unsigned char const*>(token.data()), token.size(), kContext,
                     sizeof kContext - 1);
  char hex[sizeof out * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

std::optional<std::string> read(Request const& req, std::string_view name) {
  for (auto const& [k, v] : req.headers) {
    if (k != "cookie") continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      auto semi = rest.find(';');
      std::string_view pair = trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      auto eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (trim(pair.substr(0, eq)) == name) return std::string(trim(pair.substr(eq + 1)));
    }
  }
  return std::nullopt;
}

void set(Response& r, Request const& req, std::string const& token, std::int64_t max_age_s) {
  r.headers.emplace_back("Set-Cookie", std::string(kSession) + "=" + token + attrs(req, max_age_s) + "; HttpOnly");
  r.headers.emplace_back("Set-Cookie", std::string(kCsrf) + "=" + csrf_for(token) + attrs(req, max_age_s));
}

void clear(Response& r, Request const& req) {
  r.headers.emplace_back("Set-Cookie", std::string(kSession) + "=" + attrs(req, 0) + "; HttpOnly");
  r.headers.emplace_back("Set-Cookie", std::string(kCsrf) + "=" + attrs(req, 0));
}

bool same_origin(std::string_view origin, std::string_view host) {
  if (origin.empty()) return true;
  auto scheme_end = origin.find("://");
  std::string_view origin_host = scheme_end == std::string_view::npos ? origin : origin.substr(scheme_end + 3);
  return !host.empty() && origin_host == host;
}

void check_csrf(Request const& req, std::string_view token) {
  if (req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS") return;
  auto sent = req.header("x-csrf-token");
  std::string const want = csrf_for(token);
  if (!sent || sent->size() != want.size() || sodium_memcmp(sent->data(), want.data(), want.size()) != 0)
    throw Forbidden("a request signed in by cookie must send the X-CSRF-Token it was given at login");
  if (auto origin = req.header("origin"); origin && !same_origin(*origin, req.header("host").value_or("")))
    throw Forbidden("cross-origin requests may not use the session cookie");
}

}  // namespace courtyard::http::session_cookie
