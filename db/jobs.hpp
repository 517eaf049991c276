#pragma once
// Timers (billing, overdue marking, group-buy deadlines, auto-assignment). A job runs on
// at most one instance per period: it claims a lease row in `job_leases` with a
// conditional update. Jobs must still be idempotent per row (use conditional updates on
// the rows they change), because a lease can expire mid-run.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace courtyard::db {
class Database;
}
namespace courtyard::events {
class Bus;
}

namespace courtyard::jobs {

struct JobContext {
  db::Database& db;
  events::Bus& bus;
  std::int64_t now_ms;
};

using JobFn = std::function<void(JobContext&)>;

class Scheduler {
 public:
  Scheduler(db::Database& db, events::Bus& bus, std::string owner);
  ~Scheduler();
  // Registers a job; `name` is stable (lease key), e.g. "property.mark_overdue".
  void every(std::string name, std::chrono::milliseconds interval, JobFn fn);
  // Runs every job whose interval has elapsed and whose lease we get; returns how many ran.
  int tick();
  // Runs the named job now, ignoring its interval (tests). Returns false if unknown.
  bool run_now(std::string const& name);
  std::vector<std::string> names() const;
  void start(std::chrono::milliseconds poll = std::chrono::milliseconds(1000));
  void stop();

 private:
  struct Job {
    std::string name;
    std::chrono::milliseconds interval;
    JobFn fn;
  };
  bool claim(Job const& j, std::int64_t now, bool force);
  void run(Job const& j);
  db::Database& db_;
  events::Bus& bus_;
  std::string owner_;
  std::vector<Job> jobs_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace courtyard::jobs
