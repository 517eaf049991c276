#include "http/json.hpp"
#include "http/json_out.hpp"

#include "http/errors.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace courtyard::json {

namespace {

bj::value const* find(bj::object const& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return nullptr;
  return &it->value();
}

[[noreturn]] void wrong_type(std::string_view key, char const* expected) {
  throw BadRequest(std::string(key) + " must be " + expected, "wrong-type");
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string checked_text(std::string_view key, bj::string const& s, std::size_t min_len, std::size_t max_len) {
  std::string out(s.data(), s.size());
  // Trim surrounding whitespace: "   " is not a name.
  auto b = out.find_first_not_of(" \t\r\n");
  auto e = out.find_last_not_of(" \t\r\n");
  out = b == std::string::npos ? std::string() : out.substr(b, e - b + 1);
  auto len = utf8_length(out);
  if (len < min_len) throw Invalid(std::string(key), min_len <= 1 ? "must not be empty" : "must have at least " + std::to_string(min_len) + " characters");
  if (len > max_len) throw Invalid(std::string(key), "must have at most " + std::to_string(max_len) + " characters");
  if (out.find('\0') != std::string::npos) throw Invalid(std::string(key), "must not contain NUL characters");
  return out;
}


bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::string str(bj::object const& o, std::string_view key, std::size_t min_len, std::size_t max_len) {
  auto const* v = find(o, key);
  if (!v) throw Invalid(std::string(key), "is required");
  if (!v->is_string()) wrong_type(key, "a string");
  return checked_text(key, v->as_string(), min_len, max_len);
}

std::int64_t integer(bj::object const& o, std::string_view key) {
  auto v = opt_integer(o, key);
  if (!v) throw Invalid(std::string(key), "is required");
  return *v;
}

bool boolean(bj::object const& o, std::string_view key) {
  auto v = opt_boolean(o, key);
  if (!v) throw Invalid(std::string(key), "is required");
  return *v;
}

std::optional<std::string> opt_str(bj::object const& o, std::string_view key, std::size_t max_len) {
  auto const* v = find(o, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) wrong_type(key, "a string");
  return checked_text(key, v->as_string(), 0, max_len);
}

std::optional<std::int64_t> opt_integer(bj::object const& o, std::string_view key) {
  auto const* v = find(o, key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) {
    if (v->as_uint64() > static_cast<std::uint64_t>(INT64_MAX)) throw Invalid(std::string(key), "is out of range");
    return static_cast<std::int64_t>(v->as_uint64());
  }
  wrong_type(key, "an integer");
}

std::optional<bool> opt_boolean(bj::object const& o, std::string_view key) {
  auto const* v = find(o, key);
  if (!v) return std::nullopt;
  if (!v->is_bool()) wrong_type(key, "a boolean");
  return v->as_bool();
}

std::int64_t time_ms(bj::object const& o, std::string_view key) {
  auto v = opt_time_ms(o, key);
  if (!v) throw Invalid(std::string(key), "is required");
  return *v;
}

std::optional<std::int64_t> opt_time_ms(bj::object const& o, std::string_view key) {
  auto const* v = find(o, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) wrong_type(key, "an RFC 3339 timestamp string");
  auto t = parse_rfc3339(std::string_view(v->as_string().data(), v->as_string().size()));
  if (!t) throw Invalid(std::string(key), "must be an RFC 3339 timestamp like 2026-11-23T10:00:00Z");
  return t;
}

bj::array const& array(bj::object const& o, std::string_view key) {
  auto const* v = find(o, key);
  if (!v) throw Invalid(std::string(key), "is required");
  if (!v->is_array()) wrong_type(key, "an array");
  return v->as_array();
}

namespace {

// Writes rfc3339(epoch_ms) into buf (at least 40 chars); returns its length. Pure arithmetic:
// gmtime_r takes glibc's time-zone lock on every call, and every timestamp of every list row
// comes through here.
std::size_t format_rfc3339(char* buf, std::int64_t epoch_ms) {
  std::int64_t secs = epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000;
  int const ms = static_cast<int>(epoch_ms - secs * 1000);
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int const in_day = static_cast<int>(secs - days * 86400);
  int year;
  unsigned month, day;
  civil_from_days(days, year, month, day);
  int const hour = in_day / 3600, minute = in_day / 60 % 60, second = in_day % 60;
  if (year < 0 || year > 9999) {
    int n = ms == 0 ? std::snprintf(buf, 40, "%04d-%02u-%02uT%02d:%02d:%02dZ", year, month, day, hour, minute, second)
                    : std::snprintf(buf, 40, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", year, month, day, hour, minute,
                                    second, ms);
    return static_cast<std::size_t>(n);
  }
  auto put = [](char* at, int v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10) at[i] = static_cast<char>('0' + v % 10);
  };
  put(buf, year, 4);
  buf[4] = '-';
  put(buf + 5, static_cast<int>(month), 2);
  buf[7] = '-';
  put(buf + 8, static_cast<int>(day), 2);
  buf[10] = 'T';
  put(buf + 11, hour, 2);
  buf[13] = ':';
  put(buf + 14, minute, 2);
  buf[16] = ':';
  put(buf + 17, second, 2);
  std::size_t n = 19;
  if (ms != 0) {
    buf[19] = '.';
    put(buf + 20, ms, 3);
    n = 23;
  }
  buf[n++] = 'Z';
  return n;
}

}  // namespace

std::string rfc3339(std::int64_t epoch_ms) {
  char buf[40];
  return std::string(buf, format_rfc3339(buf, epoch_ms));
}

void append_time(std::string& out, std::int64_t epoch_ms) {
  char buf[42];
  buf[0] = '"';
  std::size_t n = format_rfc3339(buf + 1, epoch_ms);
  buf[n + 1] = '"';
  out.append(buf, n + 2);
}

void append_string(std::string& out, std::string_view s) {
  // The escapes of boost::json::serialize: \" and \\, the short forms of \b \t \n \f \r,
  // \u00xx (lower-case hex) for the other control characters; everything else as is.
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;  // start of the unescaped run not yet copied
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto const c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\b': out.append("\\b"); break;
      case '\t': out.append("\\t"); break;
      case '\n': out.append("\\n"); break;
      case '\f': out.append("\\f"); break;
      case '\r': out.append("\\r"); break;
      default: {
        char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(u, 6);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
  int y, mo, d, h, mi, se;
  if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se))
    return std::nullopt;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || se > 60) return std::nullopt;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return std::nullopt;
  std::size_t pos = 19;
  int ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int scale = 100;
    std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (scale > 0) ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  std::int64_t offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, om) ||
        oh > 23 || om > 59)
      return std::nullopt;
    offset_min = (oh * 60 + om) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + std::min(se, 59) - offset_min * 60;
  std::int64_t out = secs * 1000 + ms;
  // An offset can carry a time past year 9999 or before year 0000 in UTC, which rfc3339()
  // could not print back as RFC 3339 (found by the fuzzer): refuse it.
  constexpr std::int64_t kMin = -62167219200000;  // 0000-01-01T00:00:00Z
  constexpr std::int64_t kMax = 253402300799999;  // 9999-12-31T23:59:59.999Z
  if (out < kMin || out > kMax) return std::nullopt;
  return out;
}

bj::value time_or_null(std::optional<std::int64_t> epoch_ms) {
  if (!epoch_ms) return nullptr;
  return bj::value(rfc3339(*epoch_ms));
}

std::string encode_cursor(std::int64_t key) {
  // Opaque to clients, but simple: "c" + decimal key. Clients must not build cursors.
  return "c" + std::to_string(key);
}

std::optional<std::int64_t> decode_cursor(std::string_view cursor) {
  if (cursor.size() < 2 || cursor.size() > 21 || cursor[0] != 'c') return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(cursor.data() + 1, cursor.data() + cursor.size(), v);
  if (ec != std::errc() || p != cursor.data() + cursor.size() || v < 0) return std::nullopt;
  return v;
}

bj::object page_result(bj::array items, std::optional<std::int64_t> next_key) {
  bj::object o;
  o["items"] = std::move(items);
  o["next_cursor"] = next_key ? bj::value(encode_cursor(*next_key)) : bj::value(nullptr);
  return o;
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  auto doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

std::optional<std::int64_t> int_field(bj::object const& o, std::string_view key) {
  auto const* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v->as_uint64());
  return std::nullopt;
}

std::optional<std::int64_t> int_field(bj::value const& v, std::string_view key) {
  return v.is_object() ? int_field(v.as_object(), key) : std::nullopt;
}

}  // namespace courtyard::json
