#include "http/router.hpp"

#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace courtyard::http {

namespace {

template <class Seg = std::string>
std::vector<Seg> split_path(std::string_view path) {
  std::vector<Seg> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool is_param(std::string const& seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

// A route's score against a path: bit 63 - i set when segment i is literal. Comparing two
// scores as numbers compares them left to right, literal before parameter.
constexpr std::size_t kMaxSegments = 64;

}  // namespace

std::string Access::describe() const {
  switch (level) {
    case Level::Public: return "public";
    case Level::Authenticated: return "authenticated";
    case Level::Admin: return "admin";
    case Level::Community: break;
  }
  std::string out;
  for (Role r : {Role::Resident, Role::Manager, Role::Merchant, Role::Courier})
    if (roles & unsigned(r)) out += (out.empty() ? "" : "|") + std::string(role_name(r));
  return out;
}

Route& Router::add(std::string method, std::string pattern, Access access, Handler h) {
  for (auto const& r : routes_)
    if (r->method == method && r->pattern == pattern)
      throw std::logic_error("duplicate route " + method + " " + pattern);
  auto route = std::make_unique<Route>();
  route->read_only = method == "GET" || method == "HEAD";
  route->method = std::move(method);
  route->segments = split_path(pattern);
  if (route->segments.size() > kMaxSegments) throw std::logic_error("route with too many segments: " + pattern);
  route->pattern = std::move(pattern);
  route->access = std::move(access);
  route->handler = std::move(h);
  route->service = current_service_;
  routes_.push_back(std::move(route));
  return *routes_.back();
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match best;
  // Views into `path`, no copies: this runs for every request (twice for a queued one).
  auto segs = split_path<std::string_view>(path);
  if (segs.size() > kMaxSegments) return best;  // no route is that long
  // Score: literal segments matched, compared lexicographically from the left, so
  // /tickets/stats beats /tickets/{id}.
  std::uint64_t best_score = 0;
  for (auto const& r : routes_) {
    if (r->segments.size() != segs.size()) continue;
    std::uint64_t score = 0;
    bool ok = true;
    for (std::size_t i = 0; i < segs.size() && ok; ++i) {
      if (is_param(r->segments[i])) {
        if (segs[i].empty()) ok = false;
      } else {
        ok = r->segments[i] == segs[i];
        score |= std::uint64_t(1) << (kMaxSegments - 1 - i);
      }
    }
    if (!ok) continue;
    best.path_known = true;
    if (r->method != method) continue;
    if (best.route && !(score > best_score)) continue;
    best.route = r.get();
    best_score = score;
  }
  if (best.route) {
    for (std::size_t i = 0; i < segs.size(); ++i)
      if (is_param(best.route->segments[i]))
        best.params.emplace_back(best.route->segments[i].substr(1, best.route->segments[i].size() - 2), segs[i]);
  }
  return best;
}

}  // namespace courtyard::http
