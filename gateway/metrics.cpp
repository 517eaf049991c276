#include "gateway/metrics.hpp"

#include <sstream>

namespace courtyard::gateway {

Metrics::Series& Metrics::series(std::string const& key) {
  std::lock_guard lk(mu_);
  auto& s = series_[key];
  if (!s) s = std::make_unique<Series>();
  return *s;
}

void Metrics::observe(std::string const& key, int status, double seconds) {
  Series* s = nullptr;
  {
    std::lock_guard lk(mu_);
    auto it = series_.find(key);
    if (it == series_.end()) it = series_.emplace(key, std::make_unique<Series>()).first;
    s = it->second.get();
  }
  int cls = status / 100;
  if (cls < 1 || cls > 5) cls = 5;
  s->by_class[cls].fetch_add(1, std::memory_order_relaxed);
  s->latency.observe(seconds);
}

namespace {
std::string escape_label(std::string const& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
}  // namespace

std::string Metrics::render() const {
  std::ostringstream o;
  o << "# HELP courtyard_http_requests_total HTTP requests by route and status class.\n"
       "# TYPE courtyard_http_requests_total counter\n";
  std::lock_guard lk(mu_);
  for (auto const& [key, s] : series_) {
    auto label = escape_label(key);
    for (int c = 1; c <= 5; ++c) {
      auto n = s->by_class[c].load(std::memory_order_relaxed);
      if (n) o << "courtyard_http_requests_total{route=\"" << label << "\",status=\"" << c << "xx\"} " << n << "\n";
    }
  }
  o << "# HELP courtyard_http_request_duration_seconds Handler latency by route.\n"
       "# TYPE courtyard_http_request_duration_seconds histogram\n";
  std::string lines;
  for (auto const& [key, s] : series_)
    if (s->latency.count())
      s->latency.render(lines, "courtyard_http_request_duration_seconds", "route=\"" + escape_label(key) + "\"");
  o << lines;
  o << "# TYPE courtyard_open_connections gauge\ncourtyard_open_connections " << open_connections.load() << "\n";
  o << "# TYPE courtyard_websocket_connections gauge\ncourtyard_websocket_connections "
    << websocket_connections.load() << "\n";
  o << "# TYPE courtyard_worker_queue_depth gauge\ncourtyard_worker_queue_depth " << queue_depth.load() << "\n";
  o << "# TYPE courtyard_rejected_overload_total counter\ncourtyard_rejected_overload_total "
    << rejected_overload.load() << "\n";
  return o.str();
}

}  // namespace courtyard::gateway
