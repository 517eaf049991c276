#include "gateway/net/message.hpp"

#include "gateway/app.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <random>

namespace courtyard::gateway::net {

namespace urls = boost::urls;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return out;
}

// A path of unreserved characters and slashes only, with no query: what nearly every API
// request and probe sends. It is valid origin-form and decodes to itself, so it needs no
// URL parser (Boost.URL's took a sixth of the CPU a /healthz request spends in our own code).
bool plain_path(std::string_view target) {
  if (target.empty() || target.front() != '/') return false;
  return std::all_of(target.begin(), target.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '-' ||
           c == '.' || c == '_' || c == '~';
  });
}

std::optional<urls::url_view> parse_target(std::string_view target) {
  if (!target.empty() && target.front() == '/') {
    auto r = urls::parse_origin_form(target);
    if (r) return *r;
    return std::nullopt;
  }
  auto r = urls::parse_absolute_uri(target);  // absolute-form, as sent to proxies
  if (r) return *r;
  return std::nullopt;
}

bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == ':';
  });
}

bool header_safe(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos; }

bool server_owned(std::string_view name) {
  for (std::string_view owned : {"content-length", "connection", "date", "server", "transfer-encoding"}) {
    if (beast::iequals(name, owned)) return true;
  }
  return false;
}

}  // namespace

std::optional<Request> to_request(BeastRequest&& msg, std::string remote_ip) {
  Request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());

  if (req.target == "*") {
    req.path = "*";
  } else if (plain_path(req.target)) {
    req.path = req.target;
  } else {
    auto const url = parse_target(req.target);
    if (!url) return std::nullopt;
    req.path = url->path();
    if (req.path.empty()) req.path = "/";
    if (url->has_query()) {
      urls::encoding_opts opts;
      opts.space_as_plus = true;
      for (auto const& p : url->params(opts)) req.query.emplace_back(p.key, p.value);
    }
  }

  req.headers.reserve(static_cast<std::size_t>(std::distance(msg.begin(), msg.end())));
  for (auto const& f : msg) req.headers.emplace_back(lower(f.name_string()), std::string(f.value()));

  req.body = std::move(msg.body());
  req.remote_ip = std::move(remote_ip);
  return req;
}

BeastResponse to_beast(Response&& r, unsigned version, bool keep_alive, bool head_request) {
  courtyard::http::drain(r);  // only problems take this path; never a long stream
  BeastResponse res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "courtyard");
  res.set(http::field::date, http_date());
  bool const bodiless = r.status < 200 || r.status == 204 || r.status == 304;
  if (bodiless) r.body.clear();
  if (!r.body.empty() && !r.content_type.empty()) res.set(http::field::content_type, r.content_type);
  for (auto& [name, value] : r.headers) res.insert(name, value);
  res.keep_alive(keep_alive);
  auto const length = r.body.size();
  if (head_request) {
    res.content_length(length);
  } else {
    res.body() = std::move(r.body);
    res.prepare_payload();
  }
  return res;
}

std::string_view http_date() {
  thread_local std::time_t cached_second = -1;
  thread_local char text[40];
  thread_local std::size_t length = 0;
  std::time_t const now = std::time(nullptr);
  if (now != cached_second) {
    static constexpr char const* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr char const* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    gmtime_r(&now, &tm);
    int const n = std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    length = n > 0 ? std::size_t(n) : 0;
    cached_second = now;
  }
  return {text, length};
}

WireResponse serialize(Response&& r, unsigned version, bool keep_alive, bool head_request) {
  bool const bodiless = r.status < 200 || r.status == 204 || r.status == 304;
  if (bodiless) {
    r.body.clear();
    r.stream = nullptr;
  }
  if (r.stream && version == 10) courtyard::http::drain(r);
  bool const chunked = static_cast<bool>(r.stream);

  WireResponse out;
  std::string& h = out.head;
  std::size_t reserve = 160 + r.content_type.size();
  for (auto const& [name, value] : r.headers) reserve += name.size() + value.size() + 4;
  h.reserve(reserve);

  auto field = [&h](std::string_view name, std::string_view value) {
    h.append(name).append(": ").append(value).append("\r\n");
  };
  char status[8];
  auto const [status_end, status_ec] = std::to_chars(status, status + sizeof status, r.status);
  h.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ")
      .append(status, std::size_t(status_end - status))
      .append(" ")
      .append(http::obsolete_reason(static_cast<http::status>(r.status)))
      .append("\r\n");
  field("Server", "courtyard");
  field("Date", http_date());
  if ((chunked || !r.body.empty()) && !r.content_type.empty() && header_safe(r.content_type))
    field("Content-Type", r.content_type);
  for (auto const& [name, value] : r.headers) {
    if (!server_owned(name) && header_safe(name) && header_safe(value)) field(name, value);
  }
  if (!keep_alive) {
    field("Connection", "close");
  } else if (version == 10) {
    field("Connection", "keep-alive");
  }
  if (chunked) {
    field("Transfer-Encoding", "chunked");
  } else if (!bodiless) {
    char length[24];
    auto const [length_end, length_ec] = std::to_chars(length, length + sizeof length, r.body.size());
    field("Content-Length", std::string_view(length, std::size_t(length_end - length)));
  }
  h.append("\r\n");
  if (!head_request) {
    out.body = std::move(r.body);
    out.stream = std::move(r.stream);
  }
  return out;
}

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t v = rng();
  std::string id(16, '0');
  for (char& c : id) {
    c = kHex[v & 0xF];
    v >>= 4;
  }
  return id;
}

std::string request_id_for(std::optional<std::string_view> client_id) {
  if (client_id && sane_request_id(*client_id)) return std::string(*client_id);
  return new_request_id();
}

std::string request_id_for(http::fields const& fields) {
  auto const it = fields.find("x-request-id");
  if (it == fields.end()) return new_request_id();
  return request_id_for(std::optional<std::string_view>(it->value()));
}

Response net_problem(int status, std::string_view slug, std::string_view title, std::string_view detail,
                     std::string const& request_id) {
  Response r = problem(status, slug, title, detail, request_id);
  if (!r.header("x-request-id")) r.headers.emplace_back("X-Request-Id", request_id);
  if ((status == 503 || status == 429) && !r.header("retry-after")) r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace courtyard::gateway::net
