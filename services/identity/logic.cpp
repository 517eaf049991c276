#include "services/identity/logic.hpp"

#include "http/names.hpp"

#include <algorithm>
#include <cmath>

namespace courtyard::identity {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool valid_local_part(std::string_view local) {
  if (local.empty() || local.size() > 64) return false;
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  constexpr std::string_view kSpecials = ".!#$%&'*+/=?^_`{|}~-";
  return std::all_of(local.begin(), local.end(),
                     [&](char c) { return is_lower(c) || is_digit(c) || kSpecials.find(c) != std::string_view::npos; });
}

bool valid_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  int labels = 0;
  std::size_t start = 0;
  while (start <= domain.size()) {
    std::size_t end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    std::string_view label = domain.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(), [](char c) { return is_lower(c) || is_digit(c) || c == '-'; }))
      return false;
    ++labels;
    start = end + 1;
  }
  return labels >= 2;
}

bool valid_scope_word(std::string_view w) {
  if (w.empty() || !is_lower(w.front())) return false;
  return std::all_of(w.begin(), w.end(),
                     [](char c) { return is_lower(c) || is_digit(c) || c == '_' || c == '.' || c == '-'; });
}

}  // namespace

std::string trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string normalize_email(std::string_view raw) {
  std::string out = trim(raw);
  for (char& c : out) {
    if (is_upper(c)) c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<std::string> email_problem(std::string_view email) {
  if (email.empty()) return "is required";
  if (email.size() > kMaxEmailLength) return "must be at most 254 characters";
  auto at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos ||
      !valid_local_part(email.substr(0, at)) || !valid_domain(email.substr(at + 1)))
    return "must be a valid email address (ASCII; internationalised domains in punycode)";
  return std::nullopt;
}

std::optional<std::string> password_problem(std::string_view password) {
  std::size_t n = utf8_length(password);
  if (n < kMinPasswordChars) return "must be at least 8 characters";
  if (n > kMaxPasswordChars) return "must be at most 128 characters";
  if (std::all_of(password.begin(), password.end(), is_space)) return "must not be only whitespace";
  return std::nullopt;
}

std::optional<std::string> text_problem(std::string_view trimmed, std::size_t max_chars) {
  if (trimmed.empty()) return "is required";
  if (utf8_length(trimmed) > max_chars) return "must be at most " + std::to_string(max_chars) + " characters";
  if (std::any_of(trimmed.begin(), trimmed.end(), [](char c) { return is_control(static_cast<unsigned char>(c)); }))
    return "must not contain control characters";
  return std::nullopt;
}

std::optional<std::string> timezone_problem(std::string_view tz) {
  // The IANA database is not available to check against everywhere, so this checks the
  // shape of a zone name ("UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5").
  constexpr char kWhy[] = "must be an IANA time zone name such as Europe/Berlin";
  if (tz.empty() || tz.size() > 64) return kWhy;
  std::size_t start = 0;
  while (start <= tz.size()) {
    std::size_t end = tz.find('/', start);
    if (end == std::string_view::npos) end = tz.size();
    std::string_view part = tz.substr(start, end - start);
    if (part.empty() || !(is_upper(part.front()) || is_lower(part.front()))) return kWhy;
    bool ok = std::all_of(part.begin(), part.end(), [](char c) {
      return is_upper(c) || is_lower(c) || is_digit(c) || c == '_' || c == '-' || c == '+';
    });
    if (!ok) return kWhy;
    start = end + 1;
  }
  return std::nullopt;
}

std::optional<std::string> scope_problem(std::string_view scope) {
  constexpr char kWhy[] = "must look like \"orders:write\" (lower-case words joined by ':')";
  if (scope.empty() || scope.size() > 64) return kWhy;
  std::size_t start = 0;
  while (start <= scope.size()) {
    std::size_t end = scope.find(':', start);
    if (end == std::string_view::npos) end = scope.size();
    if (!valid_scope_word(scope.substr(start, end - start))) return kWhy;
    start = end + 1;
  }
  return std::nullopt;
}

std::optional<Role> staff_role(std::string_view name) {
  if (name == "manager") return Role::Manager;
  if (name == "courier") return Role::Courier;
  return std::nullopt;
}

namespace {
constexpr auto kApplicationStatus = http::names<ApplicationStatus>({{ApplicationStatus::Pending, "pending"},
                                                                    {ApplicationStatus::Approved, "approved"},
                                                                    {ApplicationStatus::Rejected, "rejected"}});
static_assert(kApplicationStatus.distinct());
}  // namespace

std::string_view status_name(ApplicationStatus s) { return kApplicationStatus.name(s); }
std::optional<ApplicationStatus> parse_status(std::string_view s) { return kApplicationStatus.parse(s); }

std::optional<PasswordCost> parse_password_cost(std::string_view s) {
  if (s == "interactive") return PasswordCost::Interactive;
  if (s == "moderate") return PasswordCost::Moderate;
  if (s == "min") return PasswordCost::Min;
  return std::nullopt;
}

namespace {

std::int64_t seconds_until(std::int64_t at_ms, std::int64_t now_ms) {
  return std::max<std::int64_t>(1, (at_ms - now_ms + 999) / 1000);
}

}  // namespace

Reservation reserve_attempt(AttemptCounter const& c, int max_attempts, std::int64_t window_ms, std::int64_t now_ms) {
  AttemptCounter cur = c;
  if (cur.attempts == 0 || cur.window_start + window_ms <= now_ms) cur = {0, now_ms, 0};
  if (cur.attempts >= max_attempts) return {false, seconds_until(cur.window_start + window_ms, now_ms), c};
  ++cur.attempts;
  return {true, 0, cur};
}

std::int64_t global_delay_ms(std::int64_t n, std::int64_t max_delay_ms) {
  if (n < 1) return 0;
  if (n > 40) return max_delay_ms;
  return std::min<std::int64_t>(max_delay_ms, std::int64_t(1000) << (n - 1));
}

Reservation reserve_global_attempt(AttemptCounter const& c, int threshold, std::int64_t window_ms,
                                   std::int64_t max_delay_ms, std::int64_t now_ms) {
  AttemptCounter cur = c;
  if (cur.attempts == 0 || (cur.window_start + window_ms <= now_ms && cur.blocked_until <= now_ms))
    cur = {0, now_ms, 0};
  if (cur.attempts < threshold) {
    ++cur.attempts;
    return {true, 0, cur};
  }
  if (cur.blocked_until > now_ms) return {false, seconds_until(cur.blocked_until, now_ms), c};
  ++cur.attempts;
  // Held from now, so a concurrent attempt waits too; the window restarts with the delay.
  cur.blocked_until = now_ms + global_delay_ms(cur.attempts - threshold, max_delay_ms);
  cur.window_start = now_ms;
  return {true, 0, cur};
}

bool take_token(Bucket& b, int per_minute, int burst, std::int64_t now_ms, std::int64_t& retry_after_s) {
  if (per_minute <= 0) return true;
  double const cap = std::max(1, burst);
  double const per_ms = per_minute / 60000.0;
  if (b.tokens < 0) {
    b.tokens = cap;
  } else if (now_ms > b.at_ms) {
    b.tokens = std::min(cap, b.tokens + double(now_ms - b.at_ms) * per_ms);
  }
  b.at_ms = std::max(b.at_ms, now_ms);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  retry_after_s = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil((1.0 - b.tokens) / per_ms / 1000.0)));
  return false;
}

}  // namespace courtyard::identity
