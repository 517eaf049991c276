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
  for (auto const& k : keys) values_[k.name] = k.fallback;
}

std::string const& Values::text(std::string_view key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw InvalidSetting("setting " + std::string(key) + " is not declared by any service");
  return it->second;
}

std::int64_t Values::integer(std::string_view key, std::int64_t min, std::int64_t max) const {
  std::string const& s = text(key);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size())
    throw InvalidSetting("--" + std::string(key) + " must be a whole number (got '" + s + "')");
  if (v < min || v > max)
    throw InvalidSetting("--" + std::string(key) + " must be between " + std::to_string(min) + " and " +
                         std::to_string(max) + " (got " + s + ")");
  return v;
}

bool Values::boolean(std::string_view key) const {
  std::string const& s = text(key);
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  throw InvalidSetting("--" + std::string(key) + " must be true or false (got '" + s + "')");
}

std::string const& Values::one_of(std::string_view key, std::initializer_list<std::string_view> allowed) const {
  std::string const& s = text(key);
  std::string list;
  for (auto a : allowed) {
    if (a == s) return s;
    list += (list.empty() ? "" : "|") + std::string(a);
  }
  throw InvalidSetting("--" + std::string(key) + " must be one of " + list + " (got '" + s + "')");
}

}  // namespace courtyard::settings
