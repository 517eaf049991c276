#include "db/jobs.hpp"

#include "db/tx.hpp"

#include <spdlog/spdlog.h>

namespace courtyard::jobs {

namespace {
constexpr std::int64_t kLeaseMs = 5 * 60 * 1000;
}

Scheduler::Scheduler(db::Database& db, events::Bus& bus, std::string owner)
    : db_(db), bus_(bus), owner_(std::move(owner)) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::every(std::string name, std::chrono::milliseconds interval, JobFn fn) {
  for (auto const& j : jobs_)
    if (j.name == name) throw std::logic_error("duplicate job " + name);
  jobs_.push_back({std::move(name), interval, std::move(fn)});
}

std::vector<std::string> Scheduler::names() const {
  std::vector<std::string> out;
  for (auto const& j : jobs_) out.push_back(j.name);
  return out;
}

bool Scheduler::claim(Job const& j, std::int64_t now, bool force) {
  db::Lease l = db_.acquire();
  std::string ins = std::string(db::insert_ignore(db_.backend())) +
                    " INTO job_leases (name, owner, lease_until, last_run_at) VALUES (:n, NULL, 0, 0)";
  *l << ins, soci::use(j.name);
  std::int64_t until = now + kLeaseMs;
  std::int64_t due_before = force ? now + 1 : now - j.interval.count() + 1;
  soci::statement st = (l->prepare << "UPDATE job_leases SET owner = :o, lease_until = :u "
                                      "WHERE name = :n AND lease_until < :now AND last_run_at < :due",
                        soci::use(owner_, "o"), soci::use(until, "u"), soci::use(j.name, "n"), soci::use(now, "now"),
                        soci::use(due_before, "due"));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

void Scheduler::run(Job const& j) {
  std::int64_t now = db::now_ms();
  JobContext ctx{db_, bus_, now};
  // One line per run, stamped with the period start stored as last_run_at: the trail the
  // two-instance test reads to prove each period ran on one instance only.
  spdlog::debug("job {} ran: period {} ms, interval {} ms, owner {}", j.name, now, j.interval.count(), owner_);
  try {
    j.fn(ctx);
  } catch (std::exception const& e) {
    spdlog::error("job {} failed: {}", j.name, e.what());
  }
  try {
    db::Lease l = db_.acquire();
    *l << "UPDATE job_leases SET last_run_at = :t, lease_until = 0 WHERE name = :n AND owner = :o", soci::use(now),
        soci::use(j.name), soci::use(owner_);
  } catch (std::exception const& e) {
    spdlog::error("job {}: could not release lease: {}", j.name, e.what());
  }
}

int Scheduler::tick() {
  int ran = 0;
  for (auto const& j : jobs_) {
    if (stop_) break;
    try {
      if (!claim(j, db::now_ms(), false)) continue;
    } catch (std::exception const& e) {
      spdlog::error("job {}: claim failed: {}", j.name, e.what());
      continue;
    }
    run(j);
    ++ran;
  }
  return ran;
}

bool Scheduler::run_now(std::string const& name) {
  for (auto const& j : jobs_) {
    if (j.name != name) continue;
    if (!claim(j, db::now_ms(), true)) return false;
    run(j);
    return true;
  }
  return false;
}

void Scheduler::start(std::chrono::milliseconds poll) {
  if (thread_.joinable() || jobs_.empty()) return;
  stop_ = false;
  thread_ = std::thread([this, poll] {
    while (!stop_) {
      tick();
      for (auto waited = std::chrono::milliseconds(0); waited < poll && !stop_; waited += std::chrono::milliseconds(50))
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
}

void Scheduler::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

}  // namespace courtyard::jobs
