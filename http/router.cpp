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

// No route is longer (Router::add refuses one), so a longer path is not looked up.
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
  route->key = method + " " + pattern;
  route->method = std::move(method);
  route->segments = split_path(pattern);
  if (route->segments.size() > kMaxSegments) throw std::logic_error("route with too many segments: " + pattern);
  route->pattern = std::move(pattern);
  route->access = std::move(access);
  route->handler = std::move(h);
  route->service = current_service_;
  Node* n = &root_;
  for (auto const& seg : route->segments) {
    auto& next = is_param(seg) ? n->param : n->literal[seg];
    if (!next) next = std::make_unique<Node>();
    n = next.get();
  }
  n->routes.push_back(route.get());
  routes_.push_back(std::move(route));
  return *routes_.back();
}

Route const* Router::find(Node const& n, std::vector<std::string_view> const& segs, std::size_t i,
                          std::string_view method, bool& known) {
  if (i == segs.size()) {
    if (!n.routes.empty()) known = true;
    for (auto const* r : n.routes)
      if (r->method == method) return r;  // the first registered of equal rank wins
    return nullptr;
  }
  // Every route through the literal child outranks every route through the parameter one.
  if (auto it = n.literal.find(segs[i]); it != n.literal.end())
    if (auto const* r = find(*it->second, segs, i + 1, method, known)) return r;
  if (n.param && !segs[i].empty()) return find(*n.param, segs, i + 1, method, known);
  return nullptr;
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match best;
  // Views into `path`, no copies: this runs for every request (twice for a queued one).
  auto segs = split_path<std::string_view>(path);
  if (segs.size() > kMaxSegments) return best;  // no route is that long
  best.route = find(root_, segs, 0, method, best.path_known);
  if (best.route) {
    for (std::size_t i = 0; i < segs.size(); ++i)
      if (is_param(best.route->segments[i]))
        best.params.emplace_back(best.route->segments[i].substr(1, best.route->segments[i].size() - 2), segs[i]);
  }
  return best;
}

}  // namespace courtyard::http
