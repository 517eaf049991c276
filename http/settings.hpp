#pragma once
// A service's section of the configuration. Each service declares its keys
// ("identity.token-ttl-hours": default, help, range); the gateway's loader accepts them as
// flags (--identity.token-ttl-hours 720), environment variables
// (COURTYARD_IDENTITY_TOKEN_TTL_HOURS) and file lines (`token-ttl-hours = 720` under
// `[identity]`, or `identity.token-ttl-hours = 720`), rejects unknown keys, and hands each
// service the values. The service reads and validates them when it is built; a bad value
// stops start-up with exit code 2.
#include <cstdint>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace courtyard::settings {

struct Key {
  enum class Type { Text, Integer, Boolean, Choice };
  std::string name;      // "<service>.<key>", e.g. "identity.token-ttl-hours"
  std::string fallback;  // default, as text
  std::string help;
  std::string deprecated_alias;  // an old flat name still accepted (documented as deprecated)
  Type type = Type::Text;
  std::int64_t min = 0, max = 0;      // Integer
  std::vector<std::string> choices;  // Choice

  static Key integer(std::string name, std::int64_t fallback, std::int64_t min, std::int64_t max, std::string help,
                     std::string alias = {});
  static Key choice(std::string name, std::string fallback, std::vector<std::string> choices, std::string help,
                    std::string alias = {});
  static Key boolean(std::string name, bool fallback, std::string help, std::string alias = {});
};

// Why `value` is not acceptable for `key` ("must be between 1 and 10 (got 0)"), or "".
std::string check(Key const& key, std::string const& value);

// Thrown for a bad value; the gateway reports it as a configuration error (exit code 2).
struct InvalidSetting : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

class Values {
 public:
  Values() = default;
  // Starts from each key's default.
  explicit Values(std::vector<Key> const& keys);
  void set(std::string const& key, std::string value) { values_[key] = std::move(value); }
  bool has(std::string_view key) const { return values_.find(key) != values_.end(); }

  std::string const& text(std::string_view key) const;  // InvalidSetting when not declared
  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max) const;
  bool boolean(std::string_view key) const;
  std::string const& one_of(std::string_view key, std::initializer_list<std::string_view> allowed) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace courtyard::settings
