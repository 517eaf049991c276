#include "services/shops/onboarding.hpp"

#include "http/names.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace courtyard::shops::onboarding {

namespace bj = boost::json;

namespace {

constexpr std::array<std::string_view, 7> kDays{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::size_t utf8_chars(std::string_view s) {
  return std::size_t(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool has_control(std::string_view s, bool newlines_ok) {
  return std::any_of(s.begin(), s.end(), [&](char ch) {
    auto c = static_cast<unsigned char>(ch);
    if (newlines_ok && (c == '\n' || c == '\t')) return false;
    return c < 0x20 || c == 0x7F;
  });
}

// Text: required or optional, trimmed, at most `max` characters.
std::optional<std::string> text(bj::object const& o, std::string_view key, std::size_t max, bool required,
                                bool multiline, std::string const& field, FieldProblems& problems,
                                std::vector<std::string>& wrong_types) {
  auto const* v = o.if_contains(key);
  if (!v || v->is_null()) {
    if (required) problems.emplace_back(field, "is required");
    return std::nullopt;
  }
  if (!v->is_string()) {
    wrong_types.push_back("field '" + field + "' must be a string");
    return std::nullopt;
  }
  std::string t = trim(v->get_string());
  if (t.empty()) {
    if (required) problems.emplace_back(field, "is required");
    return std::nullopt;
  }
  if (utf8_chars(t) > max) {
    problems.emplace_back(field, "must be at most " + std::to_string(max) + " characters");
    return std::nullopt;
  }
  if (has_control(t, multiline)) {
    problems.emplace_back(field, "must not contain control characters");
    return std::nullopt;
  }
  return t;
}

// minutes in [0, 1440] -> "HH:MM".
std::string clock_text(int minutes) {
  std::string out = "00:00";
  out[0] = char('0' + minutes / 600);
  out[1] = char('0' + minutes / 60 % 10);
  out[3] = char('0' + minutes % 60 / 10);
  out[4] = char('0' + minutes % 10);
  return out;
}

// opening_hours -> its canonical JSON ("" when absent).
std::string read_hours(bj::object const& body, FieldProblems& problems, std::vector<std::string>& wrong_types) {
  auto const* v = body.if_contains("opening_hours");
  if (!v || v->is_null()) return "";
  if (!v->is_object()) {
    wrong_types.push_back("field 'opening_hours' must be an object of weekdays (mon..sun), each a list of {open, close}");
    return "";
  }
  auto const& days = v->get_object();
  for (auto const& kv : days)
    if (std::find(kDays.begin(), kDays.end(), std::string_view(kv.key())) == kDays.end())
      problems.emplace_back("opening_hours." + std::string(kv.key()), "is not a weekday (mon, tue, ..., sun)");
  bj::object out;
  for (auto day : kDays) {
    auto const* d = days.if_contains(day);
    if (!d || d->is_null()) continue;
    std::string field = "opening_hours." + std::string(day);
    if (!d->is_array()) {
      problems.emplace_back(field, "must be a list of {open, close} (empty: closed)");
      continue;
    }
    auto const& list = d->get_array();
    if (list.size() > kMaxIntervalsPerDay) {
      problems.emplace_back(field, "must list at most " + std::to_string(kMaxIntervalsPerDay) + " opening intervals");
      continue;
    }
    std::vector<std::pair<int, int>> intervals;
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string f = field + "[" + std::to_string(i) + "]";
      if (!list[i].is_object()) {
        problems.emplace_back(f, "must be {\"open\": \"HH:MM\", \"close\": \"HH:MM\"}");
        continue;
      }
      auto const& iv = list[i].get_object();
      std::optional<int> open, close;
      for (auto [key, target] : {std::pair{"open", &open}, std::pair{"close", &close}}) {
        auto const* t = iv.if_contains(key);
        if (!t || !t->is_string() || !(*target = parse_clock(t->get_string())))
          problems.emplace_back(f + "." + key, "must be a time of day HH:MM (00:00 to 24:00)");
      }
      if (!open || !close) continue;
      if (*close <= *open) {
        problems.emplace_back(f + ".close", "must be after open (split an opening past midnight over two days)");
        continue;
      }
      intervals.emplace_back(*open, *close);
    }
    std::sort(intervals.begin(), intervals.end());
    for (std::size_t i = 1; i < intervals.size(); ++i)
      if (intervals[i].first < intervals[i - 1].second) {
        problems.emplace_back(field, "opening intervals must not overlap");
        break;
      }
    bj::array day_out;
    for (auto [o, c] : intervals) day_out.push_back(bj::object{{"open", clock_text(o)}, {"close", clock_text(c)}});
    out[day] = std::move(day_out);
  }
  return bj::serialize(out);
}

void read_contact(bj::object const& body, Application& a, FieldProblems& problems,
                  std::vector<std::string>& wrong_types) {
  auto const* v = body.if_contains("contact");
  if (!v || v->is_null()) {
    problems.emplace_back("contact", "is required: an email and/or a phone number");
    return;
  }
  if (!v->is_object()) {
    wrong_types.push_back("field 'contact' must be an object with email and/or phone");
    return;
  }
  auto const& c = v->get_object();
  a.contact_email = text(c, "email", kMaxEmailChars, false, false, "contact.email", problems, wrong_types);
  if (a.contact_email) {
    std::transform(a.contact_email->begin(), a.contact_email->end(), a.contact_email->begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (auto why = email_problem(*a.contact_email)) problems.emplace_back("contact.email", *why);
  }
  a.contact_phone = text(c, "phone", 32, false, false, "contact.phone", problems, wrong_types);
  if (a.contact_phone)
    if (auto why = phone_problem(*a.contact_phone)) problems.emplace_back("contact.phone", *why);
  bool given = c.if_contains("email") || c.if_contains("phone");
  if (!a.contact_email && !a.contact_phone && !given)
    problems.emplace_back("contact", "must give an email and/or a phone number");
}

void read_service_area(bj::object const& body, Application& a, FieldProblems& problems) {
  auto const* v = body.if_contains("service_area");
  if (!v || v->is_null()) return;  // the whole community
  if (v->is_string() && v->get_string() == "community") return;
  if (!v->is_object() || !v->get_object().if_contains("building_ids") ||
      !v->get_object().at("building_ids").is_array()) {
    problems.emplace_back("service_area", "must be \"community\" or {\"building_ids\": [...]}");
    return;
  }
  auto const& ids = v->get_object().at("building_ids").get_array();
  if (ids.empty() || ids.size() > kMaxServiceBuildings) {
    problems.emplace_back("service_area.building_ids",
                          "must list 1 to " + std::to_string(kMaxServiceBuildings) + " buildings");
    return;
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (!ids[i].is_int64() || ids[i].get_int64() <= 0) {
      problems.emplace_back("service_area.building_ids[" + std::to_string(i) + "]", "must be a building id");
      continue;
    }
    a.service_buildings.push_back(ids[i].get_int64());
  }
  std::sort(a.service_buildings.begin(), a.service_buildings.end());
  a.service_buildings.erase(std::unique(a.service_buildings.begin(), a.service_buildings.end()),
                            a.service_buildings.end());
}

void read_fulfilment(bj::object const& body, Application& a, FieldProblems& problems,
                     std::vector<std::string>& wrong_types) {
  auto const* v = body.if_contains("fulfilment");
  if (!v || v->is_null()) return;  // both
  if (!v->is_array()) {
    wrong_types.push_back("field 'fulfilment' must be an array of pickup and/or delivery");
    return;
  }
  if (v->get_array().empty()) {
    problems.emplace_back("fulfilment", "must list pickup and/or delivery");
    return;
  }
  a.pickup = a.delivery = false;
  for (std::size_t i = 0; i < v->get_array().size(); ++i) {
    auto const& m = v->get_array()[i];
    if (m.is_string() && m.get_string() == "pickup") a.pickup = true;
    else if (m.is_string() && m.get_string() == "delivery") a.delivery = true;
    else problems.emplace_back("fulfilment[" + std::to_string(i) + "]", "must be pickup or delivery");
  }
}

}  // namespace

std::optional<int> parse_clock(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (int i : {0, 1, 3, 4})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

std::optional<std::string> email_problem(std::string_view e) {
  auto at = e.find('@');
  if (e.size() > kMaxEmailChars || at == std::string_view::npos || at == 0 || e.find('@', at + 1) != std::string_view::npos)
    return "must be an email address";
  auto domain = e.substr(at + 1);
  auto dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.' ||
      std::any_of(e.begin(), e.end(), [](char c) { return c == ' ' || static_cast<unsigned char>(c) < 0x21; }))
    return "must be an email address";
  return std::nullopt;
}

std::optional<std::string> phone_problem(std::string_view p) {
  int digits = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (std::isdigit(static_cast<unsigned char>(c))) ++digits;
    else if (c == '+' && i == 0) continue;
    else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.')
      return "must be a phone number: digits, spaces, - ( ) . and a leading +";
  }
  if (digits < 6 || digits > 15) return "must have 6 to 15 digits";
  return std::nullopt;
}

Application read_application(bj::object const& body, FieldProblems& problems, std::vector<std::string>& wrong_types) {
  Application a;
  a.name = text(body, "name", kMaxNameChars, true, false, "name", problems, wrong_types).value_or("");
  a.category = text(body, "category", kMaxCategoryChars, true, false, "category", problems, wrong_types).value_or("");
  std::transform(a.category.begin(), a.category.end(), a.category.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  a.description =
      text(body, "description", kMaxDescriptionChars, false, true, "description", problems, wrong_types).value_or("");
  read_contact(body, a, problems, wrong_types);
  a.opening_hours = read_hours(body, problems, wrong_types);
  read_service_area(body, a, problems);
  read_fulfilment(body, a, problems, wrong_types);
  return a;
}

std::string fulfilment_text(bool pickup, bool delivery) {
  if (pickup && delivery) return "pickup delivery";
  return pickup ? "pickup" : "delivery";
}

namespace {
constexpr auto kStatus = http::names<Status>({{Status::Pending, "pending"},
                                              {Status::Approved, "approved"},
                                              {Status::Rejected, "rejected"},
                                              {Status::Suspended, "suspended"}});
constexpr auto kDecision = http::names<Decision>({{Decision::Approve, "approve"},
                                                  {Decision::Reject, "reject"},
                                                  {Decision::Suspend, "suspend"},
                                                  {Decision::Reinstate, "reinstate"}});
static_assert(kStatus.distinct() && kDecision.distinct());
}  // namespace

std::string_view to_string(Status s) { return kStatus.name(s); }
std::optional<Status> parse_status(std::string_view s) { return kStatus.parse(s); }
std::string_view to_string(Decision d) { return kDecision.name(d); }

Status decision_from(Decision d) {
  switch (d) {
    case Decision::Approve:
    case Decision::Reject: return Status::Pending;
    case Decision::Suspend: return Status::Approved;
    case Decision::Reinstate: return Status::Suspended;
  }
  return Status::Pending;
}

Status decision_to(Decision d) {
  switch (d) {
    case Decision::Approve: return Status::Approved;
    case Decision::Reject: return Status::Rejected;
    case Decision::Suspend: return Status::Suspended;
    case Decision::Reinstate: return Status::Approved;
  }
  return Status::Pending;
}

std::string decision_topic(Decision d) {
  switch (d) {
    case Decision::Approve: return "merchant.approved";
    case Decision::Reject: return "merchant.rejected";
    case Decision::Suspend: return "merchant.suspended";
    case Decision::Reinstate: return "merchant.reinstated";
  }
  return "";
}

}  // namespace courtyard::shops::onboarding
