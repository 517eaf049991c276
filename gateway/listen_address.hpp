#pragma once
// "HOST:PORT" as given to --listen: "127.0.0.1:8080", "0.0.0.0:0", "[::1]:8080",
// "localhost:8080". Shared by config validation and the listener.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace courtyard::gateway {

struct ListenAddress {
  std::string host;  // without brackets
  std::uint16_t port = 0;
};

inline std::optional<ListenAddress> parse_listen_address(std::string_view s) {
  auto const colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return std::nullopt;
  std::string_view host = s.substr(0, colon);
  std::string_view const port = s.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // a bare IPv6 address needs brackets
  }
  unsigned value = 0;
  if (port.size() > 5) return std::nullopt;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + unsigned(c - '0');
  }
  if (value > 65535) return std::nullopt;
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(value)};
}

}  // namespace courtyard::gateway
