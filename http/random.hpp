#pragma once
// Random identifiers from libsodium's CSPRNG: session tokens, API keys, webhook ids, instance ids.
#include <cstddef>
#include <string>

namespace courtyard::http {

// `bytes` random bytes as lower-case hex (2 * bytes characters).
std::string random_hex(std::size_t bytes);

}  // namespace courtyard::http
