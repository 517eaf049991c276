#pragma once
// Safe outbound requests (issue 13, item 3): a webhook URL may only point at the public
// internet. Checked when the endpoint is registered or changed (the URL's form, and its host
// when it is an address literal or a localhost name) and again at every connect, on every
// address the host name resolved to (outbound.cpp), so a name that later resolves inward is
// still refused. `webhooks.allow-loopback` lets loopback through (tests, local development);
// nothing else is ever allowed.
#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace courtyard::webhooks::guard {

struct Target {
  bool tls = false;
  std::string host;    // without brackets for IPv6 literals
  std::string port;    // "443" / "80" when the URL has none
  std::string target;  // path and query, "/" at least
  std::string host_header;  // as sent in Host: (with brackets and a non-default port)
};

struct Checked {
  std::optional<Target> target;
  std::string problem;  // why the URL is refused, when target is empty
};

// http or https; a host; no user information or fragment; at most 2000 characters; an address
// literal host (any IPv4 or IPv6 spelling) must be allowed by blocked(); "localhost" and
// "*.localhost" count as loopback.
Checked check_url(std::string_view url, bool allow_loopback);

// Why this address must not be connected to ("" when it may be): loopback, private (RFC 1918),
// shared (CGNAT, 100.64/10), link-local, cloud metadata, unique-local, unspecified,
// multicast, broadcast, reserved or documentation ranges; IPv4-mapped, IPv4-compatible, NAT64
// and 6to4 IPv6 forms are judged by the IPv4 address inside.
std::string blocked(boost::asio::ip::address const& a, bool allow_loopback);

}  // namespace courtyard::webhooks::guard
