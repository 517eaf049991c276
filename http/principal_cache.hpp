#pragma once
// A short-lived in-memory cache of signed-in principals (bearer or cookie session → account,
// admin flag, memberships), so an authenticated request does not read the session, account and
// memberships on every call.
//
// Invalidation, on every instance:
//   * whoever changes what a principal holds (logout, a role granted, an account made admin)
//     calls principals::changed(tx, account) in the changing transaction. As its last
//     statements before COMMIT it takes the next number of a one-row sequence and appends
//     (seq, account) to principal_revocations; the sequence row's lock makes seq values commit
//     in order, so a reader that has seen seq N has seen every change up to N;
//   * this process's caches forget the account right after the commit;
//   * every cache reads the revocations after its cursor at most every `poll` (one indexed
//     range read, usually empty), from the request that finds the poll due;
//   * a cache serves an entry only while its last completed poll began less than `max_stale`
//     ago, so a cached principal never outlives a change committed elsewhere by more than
//     max_stale (1 s by default), even when storage stops answering;
//   * an entry lives at most `ttl`, and never past its session's expires_at;
//   * a lookup that read storage before a change and stores after it would cache a stale
//     principal: store() refuses when any account was forgotten since the lookup began.
//
// API-key principals are not cached (their validity also depends on the merchant's roles).
#include "db/jobs.hpp"
#include "db/migration.hpp"
#include "db/tx.hpp"
#include "http/principal.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace courtyard::principals {

std::vector<db::Migration> migrations();
// Drops revocations older than a day (a cache that has not polled for that long holds no
// entry it could still serve).
void jobs(jobs::Scheduler& s);
// What the job runs: deletes revocations created a day or more before `now_ms`; their count.
std::int64_t prune(db::Database& db, std::int64_t now_ms);

// The principal of `account_id` changed in this (write) transaction: every cache forgets it.
void changed(db::Tx& tx, std::int64_t account_id);

class Cache {
 public:
  struct Options {
    std::chrono::milliseconds ttl{10'000};
    std::chrono::milliseconds poll{250};
    std::chrono::milliseconds max_stale{1'000};
    std::size_t capacity = 100'000;
  };
  using Entry = std::shared_ptr<Principal const>;

  Cache(db::Database& db, Options options);
  ~Cache();
  Cache(Cache const&) = delete;
  Cache& operator=(Cache const&) = delete;

  // The cached principal for the credential, or nullptr (unknown, expired, or revocations not
  // read recently enough). Reads the revocations first when a poll is due.
  Entry find(std::string_view credential);
  // Take before reading the principal from storage; pass to store().
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // Keeps a session principal (expires_at set) unless an account was forgotten since
  // `generation`; returns it either way.
  Entry store(std::string_view credential, std::uint64_t generation, Principal p);
  void forget(std::int64_t account_id);
  // Reads the revocations after the cursor now (tests, and find() when due). False when
  // storage did not answer.
  bool poll();

  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct Item {
    Entry principal;
    std::chrono::steady_clock::time_point until;
    std::int64_t session_expires_ms = 0;
  };
  using Clock = std::chrono::steady_clock;

  bool poll_locked();  // poll_mu_ held
  std::string key_of(std::string_view credential) const;
  bool fresh(Clock::time_point now) const;

  db::Database& db_;
  Options options_;
  std::mutex mu_;
  std::unordered_map<std::string, Item> items_;
  std::unordered_multimap<std::int64_t, std::string> keys_of_account_;
  std::atomic<std::uint64_t> generation_{1};
  std::atomic<std::uint64_t> hits_{0}, misses_{0};

  std::mutex poll_mu_;
  std::optional<std::int64_t> cursor_;  // guarded by poll_mu_
  // Start of the last poll that completed (steady clock, ns since epoch; 0 = never).
  std::atomic<Clock::rep> polled_from_{0};
  std::atomic<Clock::rep> last_attempt_{0};
};

}  // namespace courtyard::principals
