#include "services/identity/credentials.hpp"

#include "http/errors.hpp"
#include "http/random.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace courtyard::identity {

namespace {

struct Limits {
  unsigned long long ops;
  std::size_t mem;
};

Limits limits(PasswordCost cost) {
  switch (cost) {
    case PasswordCost::Interactive:
      return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
    case PasswordCost::Moderate:
      return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
    case PasswordCost::Min:
      return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
  }
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

std::string hex(unsigned char const* data, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  int limit = 0;  // 0: not set yet
  int in_use = 0;
};

Gate& gate() {
  static Gate g;
  return g;
}

int default_concurrency() { return std::max(2, 2 * static_cast<int>(std::thread::hardware_concurrency())); }

std::atomic<std::uint64_t> g_runs{0};

}  // namespace

void set_hash_concurrency(int limit) {
  auto& g = gate();
  std::lock_guard lk(g.mu);
  g.limit = limit > 0 ? limit : default_concurrency();
  g.cv.notify_all();
}

int hash_concurrency() {
  auto& g = gate();
  std::lock_guard lk(g.mu);
  return g.limit > 0 ? g.limit : default_concurrency();
}

std::uint64_t argon2_runs() { return g_runs.load(); }

HashPermit::HashPermit() {
  auto& g = gate();
  std::unique_lock lk(g.mu);
  auto free = [&] { return g.in_use < (g.limit > 0 ? g.limit : default_concurrency()); };
  if (!g.cv.wait_for(lk, std::chrono::milliseconds(kHashWaitMs), free))
    throw Unavailable("too many sign-ins are being checked right now; try again", 1);
  ++g.in_use;
}

HashPermit::~HashPermit() {
  auto& g = gate();
  {
    std::lock_guard lk(g.mu);
    --g.in_use;
  }
  g.cv.notify_one();
}

void ensure_sodium() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = sodium_init() >= 0; });
  if (!ok) throw std::runtime_error("libsodium failed to initialise");
}

std::string hash_password(std::string_view password, PasswordCost cost) {
  ensure_sodium();
  auto [ops, mem] = limits(cost);
  std::array<char, crypto_pwhash_STRBYTES> out{};
  HashPermit permit;
  ++g_runs;
  if (crypto_pwhash_str(out.data(), password.data(), password.size(), ops, mem) != 0) {
    // Only fails when the memory for the hash cannot be allocated.
    throw Unavailable("the server is short of memory; try again");
  }
  return std::string(out.data());
}

bool verify_password(std::string const& stored_hash, std::string_view password) {
  ensure_sodium();
  if (stored_hash.size() >= crypto_pwhash_STRBYTES) return false;
  HashPermit permit;
  ++g_runs;
  return crypto_pwhash_str_verify(stored_hash.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(std::string const& stored_hash, PasswordCost cost) {
  ensure_sodium();
  if (stored_hash.size() >= crypto_pwhash_STRBYTES) return true;
  auto [ops, mem] = limits(cost);
  return crypto_pwhash_str_needs_rehash(stored_hash.c_str(), ops, mem) != 0;
}

void verify_dummy_password(std::string_view password, PasswordCost cost) {
  static std::once_flag once[3];
  static std::string dummy[3];
  auto i = static_cast<std::size_t>(cost);
  std::call_once(once[i], [&] { dummy[i] = hash_password("not a password of anyone", cost); });
  (void)verify_password(dummy[i], password);
}

std::string new_session_token() { return http::random_hex(32); }

std::string new_api_key() { return std::string(kApiKeyPrefix) + http::random_hex(32); }

std::string token_digest(std::string_view token) {
  ensure_sodium();
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<unsigned char const*>(token.data()), token.size());
  return hex(digest.data(), digest.size());
}

}  // namespace courtyard::identity
