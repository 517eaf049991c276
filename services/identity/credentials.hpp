#pragma once
// Secrets: argon2id password hashes, random bearer tokens and the SHA-256 digests they are
// stored as (libsodium). A token or API key is shown once and never stored in the clear.
#include "services/identity/logic.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace courtyard::identity {

// Initialises libsodium once per process; throws std::runtime_error when it cannot.
void ensure_sodium();

// Argon2id runs through a process-wide gate: at most `hash_concurrency()` at once (default
// twice the cores). A caller that finds it full waits up to `kHashWaitMs`, then gets 503 +
// Retry-After instead of every worker queueing behind the hashes.
inline constexpr int kHashWaitMs = 250;
void set_hash_concurrency(int limit);  // 0: twice the hardware threads
int hash_concurrency();
// Argon2id computations run so far in this process (hashes and verifications); for tests and
// metrics.
std::uint64_t argon2_runs();
// One slot of the gate, held for its lifetime; throws Unavailable when none frees up in time.
class HashPermit {
 public:
  HashPermit();
  ~HashPermit();
  HashPermit(HashPermit const&) = delete;
  HashPermit& operator=(HashPermit const&) = delete;
};

std::string hash_password(std::string_view password, PasswordCost cost);
bool verify_password(std::string const& stored_hash, std::string_view password);
// True when the stored hash was made with other limits than `cost` asks for now.
bool needs_rehash(std::string const& stored_hash, PasswordCost cost);
// Burns the time a real verification takes, so an unknown email answers as slowly as a
// wrong password.
void verify_dummy_password(std::string_view password, PasswordCost cost);

// 32 random bytes, hex encoded.
std::string new_session_token();
// "ck_" + 32 random bytes, hex encoded.
std::string new_api_key();
// Lower-case hex SHA-256 of the text: how tokens and keys are stored and looked up.
std::string token_digest(std::string_view token);

}  // namespace courtyard::identity
