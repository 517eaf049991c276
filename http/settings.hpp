#pragma once
// A service's section of the configuration. Each service declares its keys
// ("identity.token-ttl-hours": default, help, range); the gateway's loader accepts them as
// flags (--identity.token-ttl-hours 720), environment variables
// (COURTYARD_IDENTITY_TOKEN_TTL_HOURS) and file lines (`token-ttl-hours = 720` under
// `[identity]`, or `identity.token-ttl-hours = 720`), rejects unknown keys, and hands each
// service the values. The service reads and validates them when it is built; a bad value
// stops start-up with exit code 2.
#include <cstdint>
#include <map>
#include <optional>
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

// The values of the declared keys. Each read checks the value against its key's declaration
// (the range, the choices), so a service states a key's limits once, in its settings_keys().
class Values {
 public:
  Values() = default;
  // Starts from each key's default.
  explicit Values(std::vector<Key> const& keys);
  // Attaches a key's declaration; a key without a value set takes its default.
  void declare(Key const& key);
  // Sets a value, before or after its key is declared; set() does not check it, reads do.
  void set(std::string const& key, std::string value);
  bool has(std::string_view key) const { return values_.find(key) != values_.end(); }

  // Each throws InvalidSetting when `key` is not declared, is declared with another type, or
  // holds a value its declaration refuses.
  std::string const& text(std::string_view key) const;
  std::int64_t integer(std::string_view key) const;  // within the key's min..max
  bool boolean(std::string_view key) const;
  std::string const& choice(std::string_view key) const;  // one of the key's choices

 private:
  struct Entry {
    std::optional<Key> key;  // nullopt: set, not declared (yet)
    std::string value;
  };
  Entry const& checked(std::string_view key, Key::Type type) const;
  std::map<std::string, Entry, std::less<>> values_;
};

}  // namespace courtyard::settings
