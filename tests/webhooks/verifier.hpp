#pragma once
// A Standard Webhooks verifier written from the specification alone, sharing nothing with
// Courtyard's signer: OpenSSL's HMAC and base64 instead of libsodium's.
//   signed content = webhook-id "." webhook-timestamp "." body
//   key            = base64-decode(secret without "whsec_")
//   header         = space-separated "v1,<base64 HMAC-SHA256>" entries; one match suffices
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <vector>

namespace webhooks_test {

inline std::string b64_decode(std::string const& in) {
  if (in.empty() || in.size() % 4 != 0) return {};
  std::string out(in.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<unsigned char const*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return {};
  std::size_t pad = 0;
  if (in.back() == '=') ++pad;
  if (in.size() > 1 && in[in.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

inline std::string b64_encode(unsigned char const* data, std::size_t len) {
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(len));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// The expected "v1,..." entry for one secret.
inline std::string expected_signature(std::string secret, std::string const& id, std::string const& timestamp,
                                      std::string const& body) {
  if (secret.rfind("whsec_", 0) == 0) secret = secret.substr(6);
  std::string key = b64_decode(secret);
  std::string content = id + "." + timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<unsigned char const*>(content.data()),
       content.size(), mac, &mac_len);
  return "v1," + b64_encode(mac, mac_len);
}

// Which of `secrets` signed this delivery (indices); empty when none did.
inline std::vector<std::size_t> signed_by(std::vector<std::string> const& secrets, std::string const& id,
                                          std::string const& timestamp, std::string const& body,
                                          std::string const& header) {
  std::vector<std::string> entries;
  std::size_t start = 0;
  while (start <= header.size()) {
    auto sp = header.find(' ', start);
    auto e = header.substr(start, sp == std::string::npos ? std::string::npos : sp - start);
    if (!e.empty()) entries.push_back(e);
    if (sp == std::string::npos) break;
    start = sp + 1;
  }
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    auto want = expected_signature(secrets[i], id, timestamp, body);
    for (auto const& e : entries)
      if (e.size() == want.size() && CRYPTO_memcmp(e.data(), want.data(), want.size()) == 0) {
        out.push_back(i);
        break;
      }
  }
  return out;
}

}  // namespace webhooks_test
