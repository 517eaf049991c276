#include "gateway/rate_limit.hpp"

#include <cmath>

namespace courtyard::gateway {

std::string RateLimiter::policy_header() const {
  return "\"default\";q=" + std::to_string(static_cast<long long>(burst_)) +
         ";w=" + std::to_string(std::max(1LL, static_cast<long long>(std::ceil(burst_ / rate_))));
}

RateLimiter::Decision RateLimiter::check(std::string const& key) {
  if (rate_ <= 0) return {};
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lk(mu_);
  // Forget idle buckets now and then so memory stays bounded by active clients.
  if (++ops_ % 4096 == 0) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      double idle = std::chrono::duration<double>(now - it->second.at).count();
      it = idle * rate_ > burst_ ? buckets_.erase(it) : std::next(it);
    }
  }
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted) {
    double elapsed = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.at = now;
  }
  Decision d;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
  } else {
    d.allowed = false;
    d.retry_after = std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate_)));
  }
  d.remaining = static_cast<int>(std::floor(b.tokens));
  d.reset_s = static_cast<int>(std::ceil((burst_ - b.tokens) / rate_));
  return d;
}

}  // namespace courtyard::gateway
