#pragma once
// Browser sessions without a token in script reach: `POST /v1/auth/login` with
// {"session": "cookie"} sets
//   cy_session=<token>  HttpOnly; SameSite=Strict; Path=/  (Secure behind HTTPS)
//   cy_csrf=<csrf>      readable by the page's script;     SameSite=Strict; Path=/
// and answers the csrf token instead of the session token. A request authenticated by the
// cookie that changes state (POST, PUT, PATCH, DELETE) must send `X-CSRF-Token: <csrf>`
// (double submit, bound to the session: csrf = keyed hash of the token) and, when the
// browser sends `Origin`, come from the server's own origin. Bearer tokens are unaffected.
#include "http/message.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace courtyard::http::session_cookie {

inline constexpr std::string_view kSession = "cy_session";
inline constexpr std::string_view kCsrf = "cy_csrf";

// The CSRF token that belongs to a session token.
std::string csrf_for(std::string_view token);
// The value of cookie `name` in the request's Cookie header(s).
std::optional<std::string> read(Request const& req, std::string_view name);
// Set-Cookie headers for a new browser session / for signing out.
void set(Response& r, Request const& req, std::string const& token, std::int64_t max_age_s);
void clear(Response& r, Request const& req);
// True when an `Origin` header value names this `Host` (scheme ignored); an absent Origin
// (empty) is a same-origin request.
bool same_origin(std::string_view origin, std::string_view host);
// Throws Forbidden when a cookie-authenticated request that changes state lacks a matching
// X-CSRF-Token or comes from another origin.
void check_csrf(Request const& req, std::string_view token);

}  // namespace courtyard::http::session_cookie
