#include "gateway/net/shared_state.hpp"

#include "gateway/net/http_session.hpp"

namespace courtyard::gateway::net {

void SharedState::join(HttpSession* s) {
  std::lock_guard lock(mu_);
  sessions_.insert(s);
}

void SharedState::leave(HttpSession* s) {
  std::function<void()> drained;
  {
    std::lock_guard lock(mu_);
    sessions_.erase(s);
    if (sessions_.empty() && on_drained_) drained = std::exchange(on_drained_, nullptr);
  }
  if (drained) drained();
}

std::vector<std::weak_ptr<HttpSession>> SharedState::sessions() const {
  std::lock_guard lock(mu_);
  std::vector<std::weak_ptr<HttpSession>> out;
  out.reserve(sessions_.size());
  // A session whose last reference is gone blocks in leave() on mu_ while we hold it,
  // so the object is still alive here and weak_from_this() safely yields an empty pointer.
  for (HttpSession* s : sessions_) out.push_back(s->weak_from_this());
  return out;
}

void SharedState::begin_stop(std::function<void()> on_drained) {
  bool drained_now = false;
  {
    std::lock_guard lock(mu_);
    stopping_.store(true, std::memory_order_release);
    if (sessions_.empty()) {
      drained_now = true;
    } else {
      on_drained_ = std::move(on_drained);
    }
  }
  if (drained_now && on_drained) on_drained();
}

void SharedState::forget_drained() {
  std::lock_guard lock(mu_);
  on_drained_ = nullptr;
}

}  // namespace courtyard::gateway::net
