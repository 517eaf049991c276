#pragma once
// The outbound HTTP client of webhook deliveries (Boost.Beast; HTTPS through OpenSSL with
// certificate and host name verification). One POST per call: the host is resolved and every
// address it resolves to is checked by the URL guard before connecting (to exactly those
// addresses, so a second lookup cannot swap them); the whole exchange has one deadline;
// redirects are answers like any other (never followed); the response body is read up to
// 64 KiB.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace courtyard::webhooks::outbound {

struct Request {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent as application/json
  std::chrono::milliseconds timeout{10000};
  bool allow_loopback = false;
};

struct Result {
  int status = 0;     // 0: no HTTP answer (see error)
  std::string error;  // why there was no answer ("" when there was one)
  std::string body;   // up to 64 KiB
  std::optional<std::string> retry_after;
  std::int64_t latency_ms = 0;
};

// Never throws: every failure is a Result with status 0 and an error.
Result post(Request const& r);

}  // namespace courtyard::webhooks::outbound
