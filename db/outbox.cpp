#include "db/outbox.hpp"

#include "db/tx.hpp"

#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace courtyard::events {

void Bus::subscribe(std::string subscriber, std::string topic, Handler h) {
  std::lock_guard lk(mu_);
  auto& subs = by_topic_[topic];
  for (auto const& s : subs)
    if (s.name == subscriber) throw std::logic_error("duplicate subscriber " + subscriber + " for " + topic);
  subs.push_back({std::move(subscriber), std::move(h)});
}

std::vector<std::string> Bus::subscribers_of(std::string const& topic) const {
  std::vector<std::string> out;
  auto it = by_topic_.find(topic);
  if (it != by_topic_.end())
    for (auto const& s : it->second) out.push_back(s.name);
  return out;
}

Handler const* Bus::handler(std::string const& subscriber, std::string const& topic) const {
  auto it = by_topic_.find(topic);
  if (it == by_topic_.end()) return nullptr;
  for (auto const& s : it->second)
    if (s.name == subscriber) return &s.handler;
  return nullptr;
}

std::vector<std::string> Bus::topics() const {
  std::vector<std::string> out;
  for (auto const& [t, _] : by_topic_) out.push_back(t);
  return out;
}

void Bus::notify_published() {
  {
    std::lock_guard lk(mu_);
    ++generation_;
  }
  cv_.notify_all();
}

bool Bus::wait_for_publish(std::chrono::milliseconds max_wait) {
  std::unique_lock lk(mu_);
  bool woke = cv_.wait_for(lk, max_wait, [this] { return generation_ != seen_; });
  seen_ = generation_;
  return woke;
}

namespace {

struct LeaseLost : std::runtime_error {
  LeaseLost() : std::runtime_error("delivery lease lost") {}
};

struct Delivery {
  std::int64_t id = 0;
  std::string subscriber;
  std::string topic;
  int attempts = 0;
  Event event;
};

}  // namespace

Dispatcher::Dispatcher(db::Database& db, Bus& bus, DispatcherOptions opts) : db_(db), bus_(bus), opts_(std::move(opts)) {}

Dispatcher::~Dispatcher() { stop(); }

int Dispatcher::run_once() {
  std::int64_t now = db::now_ms();
  std::vector<std::int64_t> candidates;
  {
    db::Lease l = db_.acquire();
    int limit = opts_.batch;
    soci::rowset<long long> rs =
        (l->prepare << "SELECT id FROM event_deliveries WHERE status = 'pending' AND due_at <= :n "
                       "AND lease_until < :n2 ORDER BY due_at, id LIMIT :l",
         soci::use(now, "n"), soci::use(now, "n2"), soci::use(limit, "l"));
    for (auto id : rs) candidates.push_back(id);
  }
  int processed = 0;
  for (auto id : candidates) {
    if (stop_) break;
    Delivery d;
    std::string payload;
    {
      // Claim with a conditional update: of several instances exactly one wins.
      db::Lease l = db_.acquire();
      std::int64_t until = now + opts_.lease.count();
      soci::statement st = (l->prepare << "UPDATE event_deliveries SET lease_owner = :o, lease_until = :u "
                                          "WHERE id = :id AND status = 'pending' AND lease_until < :n",
                            soci::use(opts_.owner, "o"), soci::use(until, "u"), soci::use(id, "id"),
                            soci::use(now, "n"));
      st.execute(true);
      if (st.get_affected_rows() != 1) continue;
      *l << "SELECT d.subscriber, d.topic, d.attempts, e.id, e.community_id, e.payload, e.created_at "
            "FROM event_deliveries d JOIN events e ON e.id = d.event_id WHERE d.id = :id",
          soci::use(id), soci::into(d.subscriber), soci::into(d.topic), soci::into(d.attempts), soci::into(d.event.id),
          soci::into(d.event.community_id), soci::into(payload), soci::into(d.event.created_at);
    }
    d.id = id;
    d.event.topic = d.topic;
    Handler const* h = bus_.handler(d.subscriber, d.topic);
    if (!h) {
      // Another instance may run this subscriber; give the lease back untouched.
      db::Lease l = db_.acquire();
      *l << "UPDATE event_deliveries SET lease_owner = NULL, lease_until = 0 WHERE id = :id AND lease_owner = :o",
          soci::use(id), soci::use(opts_.owner);
      continue;
    }
    try {
      d.event.payload = boost::json::parse(payload);
      db::transact(db_, &bus_, [&](db::Tx& tx) {
        (*h)(d.event, tx);
        std::int64_t done = tx.now_ms();
        auto n = tx.exec("UPDATE event_deliveries SET status = 'done', done_at = :n, attempts = attempts + 1 "
                         "WHERE id = :id AND lease_owner = :o AND status = 'pending'",
                         soci::use(done, "n"), soci::use(id, "id"), soci::use(opts_.owner, "o"));
        if (n != 1) throw LeaseLost();
      });
      ++processed;
    } catch (LeaseLost const&) {
      spdlog::warn("event delivery {} ({} -> {}): lease lost, left to its new owner", id, d.topic, d.subscriber);
    } catch (std::exception const& e) {
      int attempts = d.attempts + 1;
      // Backoff: 1 s, 2 s, 4 s ... capped at 5 minutes.
      std::int64_t delay = std::min<std::int64_t>(300000, 1000LL << std::min(attempts - 1, 16));
      std::int64_t due = db::now_ms() + delay;
      std::string status = attempts >= opts_.max_attempts ? "dead" : "pending";
      std::string err = e.what();
      if (err.size() > 1000) err.resize(1000);
      spdlog::warn("event delivery {} ({} -> {}) failed (attempt {}): {}", id, d.topic, d.subscriber, attempts, err);
      try {
        db::Lease l = db_.acquire();
        *l << "UPDATE event_deliveries SET attempts = :a, due_at = :d, lease_owner = NULL, lease_until = 0, "
              "last_error = :e, status = :s WHERE id = :id AND lease_owner = :o",
            soci::use(attempts), soci::use(due), soci::use(err), soci::use(status), soci::use(id),
            soci::use(opts_.owner);
      } catch (std::exception const& e2) {
        spdlog::error("event delivery {}: could not reschedule: {}", id, e2.what());
      }
    }
  }
  return processed;
}

int Dispatcher::drain(int max_rounds) {
  int total = 0;
  for (int i = 0; i < max_rounds; ++i) {
    int n = run_once();
    total += n;
    if (n == 0) break;
  }
  return total;
}

void Dispatcher::start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] {
    while (!stop_) {
      int n = 0;
      try {
        n = run_once();
      } catch (std::exception const& e) {
        spdlog::error("event dispatcher: {}", e.what());
      }
      if (n == 0 && !stop_) bus_.wait_for_publish(opts_.poll);
    }
  });
}

void Dispatcher::stop() {
  stop_ = true;
  bus_.notify_published();
  if (thread_.joinable()) thread_.join();
}

}  // namespace courtyard::events
