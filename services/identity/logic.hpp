#pragma once
// Identity rules with no storage or network: input validation, application states,
// login throttling. Validators return the reason a value is rejected, or nullopt.
#include "http/principal.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace courtyard::identity {

inline constexpr std::size_t kMaxEmailLength = 254;
inline constexpr std::size_t kMinPasswordChars = 8;
inline constexpr std::size_t kMaxPasswordChars = 128;
inline constexpr std::size_t kMaxDisplayNameChars = 100;
inline constexpr std::size_t kMaxCommunityNameChars = 200;
inline constexpr std::size_t kMaxAddressChars = 500;
inline constexpr std::size_t kMaxBuildingNameChars = 100;
inline constexpr std::size_t kMaxUnitNumberChars = 32;
inline constexpr std::size_t kMaxKeyNameChars = 100;
inline constexpr std::size_t kMaxScopes = 32;
inline constexpr std::string_view kApiKeyPrefix = "ck_";

// Trims ASCII whitespace at both ends.
std::string trim(std::string_view s);
// Number of code points in a UTF-8 string.
std::size_t utf8_length(std::string_view s);

// Trimmed and lower-cased: the form stored, compared and counted for login throttling.
std::string normalize_email(std::string_view raw);
std::optional<std::string> email_problem(std::string_view normalized);
std::optional<std::string> password_problem(std::string_view password);
// Free text that must be present (after trimming), short and single-line.
std::optional<std::string> text_problem(std::string_view trimmed, std::size_t max_chars);
std::optional<std::string> timezone_problem(std::string_view tz);
// API-key scopes look like "orders:write": lower-case words joined by ':'.
std::optional<std::string> scope_problem(std::string_view scope);

// Roles a manager may grant through /staff.
std::optional<Role> staff_role(std::string_view name);

enum class ApplicationStatus { Pending, Approved, Rejected };
std::string_view status_name(ApplicationStatus s);
std::optional<ApplicationStatus> parse_status(std::string_view s);

enum class PasswordCost { Interactive, Moderate, Min };
std::optional<PasswordCost> parse_password_cost(std::string_view s);

// A login-attempt counter: one per (email, client address), and one per email for every
// address together. `attempts` counts failures in the window plus attempts still being
// verified (reserved before the password is checked, so a concurrent burst cannot pass
// the limit); `blocked_until` is the global counter's exponential delay.
struct AttemptCounter {
  std::int64_t attempts = 0;
  std::int64_t window_start = 0;
  std::int64_t blocked_until = 0;
};

struct Reservation {
  bool allowed = false;
  std::int64_t retry_after_s = 0;  // when refused
  AttemptCounter next;             // the counter to store when allowed
};

// Per (email, address): at most `max_attempts` in a fixed window that starts with the first
// attempt; refused (Retry-After: the window's end) once they are used up.
Reservation reserve_attempt(AttemptCounter const& c, int max_attempts, std::int64_t window_ms, std::int64_t now_ms);
// Per email, every address together: free up to `threshold`; beyond it one attempt at a time,
// each followed by a delay that doubles (1 s, 2 s, 4 s, ... at most `max_delay_ms`), so a
// distributed guesser slows down without locking the owner out for good.
Reservation reserve_global_attempt(AttemptCounter const& c, int threshold, std::int64_t window_ms,
                                   std::int64_t max_delay_ms, std::int64_t now_ms);
// The delay after the `n`th attempt beyond the threshold (n >= 1).
std::int64_t global_delay_ms(std::int64_t n, std::int64_t max_delay_ms);

// A token bucket (per client address, in memory): `per_minute` tokens a minute, at most `burst`.
struct Bucket {
  double tokens = -1;  // < 0: not used yet (full)
  std::int64_t at_ms = 0;
};
// Takes one token; false (and `retry_after_s` set) when the bucket is empty.
bool take_token(Bucket& b, int per_minute, int burst, std::int64_t now_ms, std::int64_t& retry_after_s);

}  // namespace courtyard::identity
