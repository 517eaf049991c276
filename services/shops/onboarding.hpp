#pragma once
// Merchant onboarding rules with no storage or network: what a merchant application must
// carry and how it is checked, and the states an application/merchant moves through on a
// manager's decision. Unit-tested with plain values.
#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace courtyard::shops::onboarding {

inline constexpr std::size_t kMaxNameChars = 100;
inline constexpr std::size_t kMaxCategoryChars = 50;
inline constexpr std::size_t kMaxDescriptionChars = 2000;
inline constexpr std::size_t kMaxReasonChars = 500;
inline constexpr std::size_t kMaxEmailChars = 254;
inline constexpr std::size_t kMaxIntervalsPerDay = 4;
inline constexpr std::size_t kMaxServiceBuildings = 200;

// The business details of an application, checked and in their stored form.
struct Application {
  std::string name, category;  // category lower-cased
  std::string description;     // "" when not given
  std::optional<std::string> contact_email, contact_phone;  // at least one
  // {"mon":[{"open":"08:00","close":"18:00"}], ...}: days not listed are closed; "" = not stated.
  std::string opening_hours;
  std::vector<std::int64_t> service_buildings;  // empty = the whole community
  bool pickup = true, delivery = true;
};

using FieldProblems = std::vector<std::pair<std::string, std::string>>;  // field -> why

// Reads and checks an application body: `problems` lists every invalid value (one 422),
// `wrong_types` every field of the wrong JSON type (a 400, as for every body in the API).
// Building ids are checked for shape here; whether they belong to the community is the
// caller's (storage) question.
Application read_application(boost::json::object const& body, FieldProblems& problems,
                             std::vector<std::string>& wrong_types);

// "HH:MM" (00:00..24:00) -> minutes since midnight.
std::optional<int> parse_clock(std::string_view s);
std::optional<std::string> email_problem(std::string_view email);
std::optional<std::string> phone_problem(std::string_view phone);

// The stored fulfilment modes ("pickup delivery", "pickup", "delivery") and back.
std::string fulfilment_text(bool pickup, bool delivery);

enum class Status { Pending, Approved, Rejected, Suspended };
enum class Decision { Approve, Reject, Suspend, Reinstate };
std::string_view to_string(Status s);
std::optional<Status> parse_status(std::string_view s);
std::string_view to_string(Decision d);
// The state a decision moves from, and to: approve/reject a pending application, suspend an
// approved merchant, reinstate a suspended one.
Status decision_from(Decision d);
Status decision_to(Decision d);
// The event each decision publishes ("merchant.approved", ...).
std::string decision_topic(Decision d);

}  // namespace courtyard::shops::onboarding
