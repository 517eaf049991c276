#include "http/settings.hpp"

#include <charconv>

namespace courtyard::settings {

Key Key::integer(std::string name, std::int64_t fallback, std::int64_t min, std::int64_t max, std::string help,
                 std::string alias) {
  Key k;
  k.name = std::move(name);
  k.fallback = std::to_string(fallback);
  k.help = std::move(help);
  k.deprecated_alias = std::move(alias);
  k.type = Type::Integer;
  k.min = min;
  k.max = max;
  return k;
}

Key Key::choice(std::string name, std::string fallback, std::vector<std::string> choices, std::string help,
                std::string alias) {
  Key k;
  k.name = std::move(name);
  k.fallback = std::move(fallback);
  k.help = std::move(help);
  k.deprecated_alias = std::move(alias);
  k.type = Type::Choice;
  k.choices = std::move(choices);
  return k;
}

Key Key::boolean(std::string name, bool fallback, std::string help, std::string alias) {
  Key k;
  k.name = std::move(name);
  k.fallback = fallback ? "true" : "false";
  k.help = std::move(help);
  k.deprecated_alias = std::move(alias);
  k.type = Type::Boolean;
  return k;
}

std::string check(Key const& key, std::string const& value) {
  switch (key.type) {
    case Key::Type::Text:
      return {};
    case Key::Type::Integer: {
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || end != value.data() + value.size() || value.empty())
        return "must be a whole number (got '" + value + "')";
      if (v < key.min || v > key.max)
        return "must be between " + std::to_string(key.min) + " and " + std::to_string(key.max) + " (got " + value + ")";
      return {};
    }
    case Key::Type::Boolean:
      for (auto ok : {"true", "false", "1", "0", "yes", "no", "on", "off"})
        if (value == ok) return {};
      return "must be true or false (got '" + value + "')";
    case Key::Type::Choice: {
      std::string list;
      for (auto const& c : key.choices) {
        if (c == value) return {};
        list += (list.empty() ? "" : "|") + c;
      }
      return "must be one of " + list + " (got '" + value + "')";
    }
  }
  return {};
}

Values::Values(std::vector<Key> const& keys) {
  for (auto const& k : keys) declare(k);
}

void Values::declare(Key const& key) {
  auto [it, fresh] = values_.try_emplace(key.name, Entry{key, key.fallback});
  if (!fresh) it->second.key = key;
}

void Values::set(std::string const& key, std::string value) { values_[key].value = std::move(value); }

Values::Entry const& Values::checked(std::string_view key, Key::Type type) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw InvalidSetting("setting " + std::string(key) + " is not declared by any service");
  auto const& e = it->second;
  if (!e.key) {
    if (type == Key::Type::Text) return e;  // text() reads what was set, declared or not
    throw InvalidSetting("setting " + std::string(key) + " is not declared by any service");
  }
  if (type != Key::Type::Text && e.key->type != type)
    throw InvalidSetting("setting " + std::string(key) + " is declared with another type");
  if (auto why = check(*e.key, e.value); !why.empty()) throw InvalidSetting("--" + std::string(key) + " " + why);
  return e;
}

std::string const& Values::text(std::string_view key) const { return checked(key, Key::Type::Text).value; }

std::int64_t Values::integer(std::string_view key) const {
  std::string const& s = checked(key, Key::Type::Integer).value;
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);  // check() has parsed it
  return v;
}

bool Values::boolean(std::string_view key) const {
  std::string const& s = checked(key, Key::Type::Boolean).value;
  return s == "true" || s == "1" || s == "yes" || s == "on";  // check() allows only these and their opposites
}

std::string const& Values::choice(std::string_view key) const { return checked(key, Key::Type::Choice).value; }

}  // namespace courtyard::settings
