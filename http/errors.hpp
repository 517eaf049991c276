#pragma once
// Typed API errors. Handlers and logic throw these; the gateway maps them to
// application/problem+json (RFC 9457) in one place (gateway/problem.cpp).
#include <stdexcept>
#include <string>
#include <vector>

namespace courtyard {

struct FieldError {
  std::string field;
  std::string detail;
};

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string slug, std::string title, std::string detail)
      : std::runtime_error(detail), status_(status), slug_(std::move(slug)), title_(std::move(title)) {}
  int status() const noexcept { return status_; }
  // `type` is "/problems/<slug>".
  std::string const& slug() const noexcept { return slug_; }
  std::string const& title() const noexcept { return title_; }
  std::vector<FieldError> const& errors() const noexcept { return errors_; }
  // Extra response headers (e.g. Retry-After).
  std::vector<std::pair<std::string, std::string>> headers;

 protected:
  std::vector<FieldError> errors_;

 private:
  int status_;
  std::string slug_;
  std::string title_;
};

// 400: malformed JSON, wrong JSON types.
struct BadRequest : ApiError {
  explicit BadRequest(std::string detail, std::string slug = "bad-request")
      : ApiError(400, std::move(slug), "Bad request", std::move(detail)) {}
};
// 401: missing, unknown or expired credentials.
struct Unauthorized : ApiError {
  explicit Unauthorized(std::string detail = "valid credentials are required")
      : ApiError(401, "unauthorized", "Unauthorized", std::move(detail)) {}
};
// 403: signed in, but this role may not do this.
struct Forbidden : ApiError {
  explicit Forbidden(std::string detail = "your role does not allow this")
      : ApiError(403, "forbidden", "Forbidden", std::move(detail)) {}
};
// 404: unknown, or belongs to another community (never reveal that it exists).
struct NotFound : ApiError {
  explicit NotFound(std::string what = "resource")
      : ApiError(404, "not-found", "Not found", what + " not found") {}
};
// 409: the current state does not allow this; duplicates; stock/funds/capacity.
struct Conflict : ApiError {
  Conflict(std::string slug, std::string detail)
      : ApiError(409, std::move(slug), "Conflict", std::move(detail)) {}
  explicit Conflict(std::string detail) : Conflict("conflict", std::move(detail)) {}
};
// 422: well-formed but invalid; lists field errors.
struct Invalid : ApiError {
  Invalid(std::string field, std::string why)
      : ApiError(422, "validation", "Validation failed", field + ": " + why) {
    errors_.push_back({std::move(field), std::move(why)});
  }
  explicit Invalid(std::vector<FieldError> errs, std::string slug = "validation")
      : ApiError(422, std::move(slug), "Validation failed", summary(errs)) {
    errors_ = std::move(errs);
  }

 private:
  static std::string summary(std::vector<FieldError> const& errs) {
    std::string s;
    for (auto const& e : errs) s += (s.empty() ? "" : "; ") + e.field + ": " + e.detail;
    return s;
  }
};
struct PayloadTooLarge : ApiError {
  PayloadTooLarge() : ApiError(413, "payload-too-large", "Payload too large", "request body exceeds the limit") {}
};
struct TooManyRequests : ApiError {
  explicit TooManyRequests(int retry_after_s, std::string detail = "rate limit exceeded")
      : ApiError(429, "rate-limited", "Too many requests", std::move(detail)) {
    headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  }
};
struct Unavailable : ApiError {
  explicit Unavailable(std::string detail = "service temporarily unavailable", int retry_after_s = 1)
      : ApiError(503, "unavailable", "Service unavailable", std::move(detail)) {
    headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  }
};

}  // namespace courtyard
