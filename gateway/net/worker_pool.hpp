#pragma once
// A fixed set of threads running handler jobs (SOCI is blocking, so handlers never run on
// an I/O thread). The queue is bounded: when it is full try_submit refuses, and the caller
// answers 503 instead of letting latency grow without limit.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace courtyard::gateway::net {

class WorkerPool {
 public:
  using Job = std::function<void()>;

  // `depth_gauge`, when given, mirrors the number of queued (not yet started) jobs.
  WorkerPool(std::size_t threads, std::size_t max_pending, std::atomic<std::int64_t>* depth_gauge = nullptr);
  ~WorkerPool();
  WorkerPool(WorkerPool const&) = delete;
  WorkerPool& operator=(WorkerPool const&) = delete;

  // Queues the job; false when max_pending jobs are already waiting or the pool is stopped.
  // A job must not throw.
  bool try_submit(Job job);

  // Refuses new jobs, drops the ones still waiting, waits for running jobs to finish.
  // Idempotent.
  void stop();

  std::size_t pending() const;

 private:
  void work();

  std::size_t const max_pending_;
  std::atomic<std::int64_t>* depth_gauge_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopped_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace courtyard::gateway::net
