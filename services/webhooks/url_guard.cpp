#include "services/webhooks/url_guard.hpp"

#include "services/webhooks/logic.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

namespace courtyard::webhooks::guard {

namespace {

using boost::asio::ip::address_v4;
using boost::asio::ip::address_v6;

bool in_v4(std::uint32_t a, std::uint32_t net, int bits) {
  std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t(0) << (32 - bits);
  return (a & mask) == (net & mask);
}
constexpr std::uint32_t v4(unsigned a, unsigned b, unsigned c, unsigned d) { return (a << 24) | (b << 16) | (c << 8) | d; }

std::string blocked_v4(address_v4 const& addr, bool allow_loopback) {
  std::uint32_t a = addr.to_uint();
  if (in_v4(a, v4(127, 0, 0, 0), 8)) return allow_loopback ? "" : "a loopback address";
  if (a == v4(169, 254, 169, 254) || a == v4(100, 100, 100, 200) || a == v4(192, 0, 0, 192))
    return "a cloud metadata address";
  struct Range {
    std::uint32_t net;
    int bits;
    char const* why;
  };
  static constexpr std::array<Range, 16> kRanges{{
      {v4(0, 0, 0, 0), 8, "an unspecified (\"this network\") address"},
      {v4(10, 0, 0, 0), 8, "a private address"},
      {v4(100, 64, 0, 0), 10, "a shared (carrier-grade NAT) address"},
      {v4(169, 254, 0, 0), 16, "a link-local address"},
      {v4(172, 16, 0, 0), 12, "a private address"},
      {v4(192, 0, 0, 0), 24, "an IETF protocol assignment address"},
      {v4(192, 0, 2, 0), 24, "a documentation address"},
      {v4(192, 88, 99, 0), 24, "a reserved (6to4 relay) address"},
      {v4(192, 168, 0, 0), 16, "a private address"},
      {v4(198, 18, 0, 0), 15, "a benchmarking address"},
      {v4(198, 51, 100, 0), 24, "a documentation address"},
      {v4(203, 0, 113, 0), 24, "a documentation address"},
      {v4(224, 0, 0, 0), 4, "a multicast address"},
      {v4(255, 255, 255, 255), 32, "the broadcast address"},
      {v4(240, 0, 0, 0), 4, "a reserved address"},
      {v4(127, 0, 0, 0), 8, "a loopback address"},
  }};
  for (auto const& r : kRanges)
    if (in_v4(a, r.net, r.bits)) return r.why;
  return "";
}

bool prefix_v6(address_v6::bytes_type const& b, std::initializer_list<unsigned char> head, int bits) {
  int i = 0;
  for (unsigned char h : head) {
    int take = std::min(8, bits - i * 8);
    if (take <= 0) break;
    unsigned char mask = static_cast<unsigned char>(0xFF << (8 - take));
    if ((b[static_cast<std::size_t>(i)] & mask) != (h & mask)) return false;
    ++i;
  }
  return true;
}

address_v4 v4_at(address_v6::bytes_type const& b, std::size_t at) {
  return address_v4(address_v4::bytes_type{b[at], b[at + 1], b[at + 2], b[at + 3]});
}

std::string blocked_v6(address_v6 const& addr, bool allow_loopback) {
  auto b = addr.to_bytes();
  if (addr.is_loopback()) return allow_loopback ? "" : "a loopback address";
  if (addr.is_unspecified()) return "an unspecified address";
  // IPv4 inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::/96)
  // and 6to4 (2002:AABB:CCDD::/48) reach the IPv4 address they carry.
  if (addr.is_v4_mapped()) return blocked_v4(v4_at(b, 12), allow_loopback);
  bool zeros96 = std::all_of(b.begin(), b.begin() + 12, [](unsigned char c) { return c == 0; });
  if (zeros96) return blocked_v4(v4_at(b, 12), allow_loopback);
  if (prefix_v6(b, {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0}, 96)) return blocked_v4(v4_at(b, 12), allow_loopback);
  if (prefix_v6(b, {0x20, 0x02}, 16)) {
    auto inner = blocked_v4(v4_at(b, 2), allow_loopback);
    if (!inner.empty()) return inner;
  }
  static address_v6 const kAwsMetadata = boost::asio::ip::make_address_v6("fd00:ec2::254");
  if (addr == kAwsMetadata) return "a cloud metadata address";
  if (prefix_v6(b, {0xfe, 0x80}, 10)) return "a link-local address";
  if (prefix_v6(b, {0xfe, 0xc0}, 10)) return "a site-local address";
  if (prefix_v6(b, {0xfc}, 7)) return "a unique-local address";
  if (prefix_v6(b, {0xff}, 8)) return "a multicast address";
  if (prefix_v6(b, {0x20, 0x01, 0x0d, 0xb8}, 32)) return "a documentation address";
  if (prefix_v6(b, {0x01, 0x00, 0, 0, 0, 0, 0, 0}, 64)) return "a discard-only address";
  if (prefix_v6(b, {0x20, 0x01, 0x00, 0x00}, 32)) return "a Teredo address";
  if (prefix_v6(b, {0x20, 0x01, 0x00}, 23)) return "an IETF protocol assignment address";
  return "";
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

}  // namespace

std::string blocked(boost::asio::ip::address const& a, bool allow_loopback) {
  return a.is_v4() ? blocked_v4(a.to_v4(), allow_loopback) : blocked_v6(a.to_v6(), allow_loopback);
}

Checked check_url(std::string_view text, bool allow_loopback) {
  Checked out;
  auto refuse = [&](std::string why) {
    out.problem = std::move(why);
    return out;
  };
  if (text.size() > logic::kMaxUrlChars) return refuse("must be at most 2000 characters");
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return refuse("must be an absolute http or https URL");
  auto const& u = *parsed;
  auto scheme = lower(u.scheme());
  if (scheme != "https" && scheme != "http") return refuse("must use http or https");
  if (u.has_userinfo()) return refuse("must not carry a user name or password");
  if (u.has_fragment()) return refuse("must not have a fragment");
  if (!u.has_authority() || u.encoded_host().empty()) return refuse("must name a host");

  Target t;
  t.tls = scheme == "https";
  t.port = u.has_port() ? std::string(u.port()) : (t.tls ? "443" : "80");
  if (u.has_port()) {
    if (u.port().empty() || u.port_number() == 0) return refuse("has an invalid port");
  }
  boost::system::error_code ec;
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
      t.host = u.host_ipv4_address().to_string();
      break;
    case boost::urls::host_type::ipv6:
      t.host = u.host_ipv6_address().to_string();
      break;
    case boost::urls::host_type::name:
      t.host = lower(u.host_name());
      break;
    default:
      return refuse("must name a host by DNS name or IP address");
  }
  if (t.host.empty()) return refuse("must name a host");
  // Names that look numeric ("2130706433", "0x7f.1") are refused: resolvers read them as
  // addresses in spellings that slip past a textual check.
  if (u.host_type() == boost::urls::host_type::name) {
    bool numeric_label = false;
    std::string_view h = t.host;
    auto last_dot = h.rfind('.');
    auto tld = last_dot == std::string_view::npos ? h : h.substr(last_dot + 1);
    if (!tld.empty() && (std::all_of(tld.begin(), tld.end(), [](char c) { return std::isdigit((unsigned char)c); }) ||
                         tld.starts_with("0x")))
      numeric_label = true;
    if (numeric_label) return refuse("must name a host by DNS name or a dotted IP address");
    for (char c : h)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_'))
        return refuse("has a host name with characters DNS does not allow");
    bool localhost = h == "localhost" || h.ends_with(".localhost") || h == "localhost.";
    if (localhost && !allow_loopback) return refuse("must not point at this machine (localhost)");
  } else {
    auto a = boost::asio::ip::make_address(t.host, ec);
    if (ec) return refuse("has an invalid IP address");
    auto why = blocked(a, allow_loopback);
    if (!why.empty()) return refuse("must not point at " + why);
  }
  t.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) t.target += "?" + std::string(u.encoded_query());
  bool default_port = t.port == (t.tls ? "443" : "80");
  t.host_header = u.host_type() == boost::urls::host_type::ipv6 ? "[" + t.host + "]" : t.host;
  if (!default_port) t.host_header += ":" + t.port;
  out.target = std::move(t);
  return out;
}

}  // namespace courtyard::webhooks::guard
