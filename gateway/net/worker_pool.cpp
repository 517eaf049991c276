#include "gateway/net/worker_pool.hpp"

#include <stdexcept>

namespace courtyard::gateway::net {

WorkerPool::WorkerPool(std::size_t threads, std::size_t max_pending, std::atomic<std::int64_t>* depth_gauge)
    : max_pending_(max_pending), depth_gauge_(depth_gauge) {
  if (threads == 0) throw std::invalid_argument("worker pool needs at least one thread");
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::try_submit(Job job) {
  {
    std::lock_guard lock(mu_);
    if (stopped_ || queue_.size() >= max_pending_) return false;
    queue_.push_back(std::move(job));
    if (depth_gauge_) depth_gauge_->store(static_cast<std::int64_t>(queue_.size()), std::memory_order_relaxed);
  }
  cv_.notify_one();
  return true;
}

void WorkerPool::stop() {
  std::deque<Job> dropped;
  {
    std::lock_guard lock(mu_);
    if (stopped_ && threads_.empty()) return;
    stopped_ = true;
    dropped.swap(queue_);
    if (depth_gauge_) depth_gauge_->store(0, std::memory_order_relaxed);
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  // `dropped` is destroyed here, outside the lock: jobs may own objects whose destructors
  // do real work (closing sockets).
}

std::size_t WorkerPool::pending() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void WorkerPool::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopped_ || !queue_.empty(); });
      if (stopped_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      if (depth_gauge_) depth_gauge_->store(static_cast<std::int64_t>(queue_.size()), std::memory_order_relaxed);
    }
    job();
  }
}

}  // namespace courtyard::gateway::net
