#pragma once
// Events: the transactional outbox. Publishing inserts an `events` row and one
// `event_deliveries` row per subscriber in the publisher's transaction. A Dispatcher
// claims due deliveries with a lease (so several instances never double-process), runs
// the subscriber in its own transaction that also marks the delivery done (only if the
// lease is still ours), or reschedules with backoff. At-least-once; subscribers must be
// idempotent (key on event.id).
#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace courtyard::db {
class Database;
class Tx;
}  // namespace courtyard::db

namespace courtyard::events {

struct Event {
  std::int64_t id = 0;
  std::string topic;
  std::int64_t community_id = 0;
  boost::json::value payload;
  std::int64_t created_at = 0;  // epoch ms
};

// A subscriber runs inside a transaction; what it writes commits together with the
// delivery being marked done.
using Handler = std::function<void(Event const&, db::Tx&)>;

class Bus {
 public:
  // `subscriber` is a stable name stored in delivery rows, e.g. "notifications.order".
  void subscribe(std::string subscriber, std::string topic, Handler h);
  // Subscribers of a topic (names), for the outbox insert. Thread-safe after start-up.
  std::vector<std::string> subscribers_of(std::string const& topic) const;
  Handler const* handler(std::string const& subscriber, std::string const& topic) const;
  // Every topic someone published or subscribed to, for docs/tests.
  std::vector<std::string> topics() const;

  // Called after a publishing transaction commits: wakes local dispatchers.
  void notify_published();
  // Dispatchers wait on this.
  bool wait_for_publish(std::chrono::milliseconds max_wait);

 private:
  struct Sub {
    std::string name;
    Handler handler;
  };
  std::map<std::string, std::vector<Sub>> by_topic_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t generation_ = 0;
  std::uint64_t seen_ = 0;
};

struct DispatcherOptions {
  std::string owner;                          // unique per instance (lease owner)
  std::chrono::milliseconds lease{30000};
  std::chrono::milliseconds poll{250};
  int batch = 64;
  int max_attempts = 12;                      // then the delivery is marked 'dead'
};

class Dispatcher {
 public:
  Dispatcher(db::Database& db, Bus& bus, DispatcherOptions opts);
  ~Dispatcher();
  // Claims and runs one batch of due deliveries; returns how many were processed.
  int run_once();
  // Runs until no delivery is due (tests).
  int drain(int max_rounds = 100);
  void start();  // background thread
  void stop();

 private:
  db::Database& db_;
  Bus& bus_;
  DispatcherOptions opts_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace courtyard::events
