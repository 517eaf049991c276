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

struct Throttle {
  bool locked = false;
  std::int64_t retry_after_s = 0;
};
// `recent_failures` are the failure times inside the window, newest first (at most
// `max_failures` of them are needed). Locked once `max_failures` are inside the window;
// unlocked again when the oldest of those leaves it.
Throttle login_throttle(std::vector<std::int64_t> const& recent_failures, int max_failures, std::int64_t window_ms,
                        std::int64_t now_ms);

}  // namespace courtyard::identity
