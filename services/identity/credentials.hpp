#pragma once
// Secrets: argon2id password hashes, random bearer tokens and the SHA-256 digests they are
// stored as (libsodium). A token or API key is shown once and never stored in the clear.
#include "services/identity/logic.hpp"

#include <string>
#include <string_view>

namespace courtyard::identity {

// Initialises libsodium once per process; throws std::runtime_error when it cannot.
void ensure_sodium();

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
