#include "services/webhooks/logic.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>

namespace courtyard::webhooks::logic {

namespace {

std::vector<std::string_view> const kMerchantTopics{
    "order.placed",      "order.accepted",     "order.ready",       "order.completed",
    "order.cancelled",   "order.delivery_failed", "review.posted",  "groupbuy.closed",
    "delivery.created",  "delivery.claimed",   "delivery.picked_up", "delivery.delivered",
    "delivery.failed",
    "refund.requested",  "refund.accepted",    "refund.declined",   "refund.disputed",
    "refund.completed",  "statement.closed",   "payout.made",
    "delivery.late",     "delivery.batch_created", "delivery.batch_completed",
};

std::vector<std::string_view> const kCommunityTopics{
    "resident.applied",   "resident.approved", "resident.rejected", "bill.issued",
    "bill.paid",          "bill.overdue",      "ticket.resolved",   "ticket.closed",
    "announcement.published", "parcel.logged", "parcel.picked_up",  "delivery.created",
    "delivery.claimed",   "delivery.picked_up", "delivery.delivered", "delivery.failed",
    "delivery.late",      "delivery.batch_created", "delivery.batch_completed",
    "ticket.opened",      "ticket.first_response", "ticket.reopened",
};

bool is_wildcard(std::string_view p) { return p.size() > 2 && p.ends_with(".*"); }

}  // namespace

std::vector<std::string_view> const& topics(Audience a) {
  return a == Audience::Merchant ? kMerchantTopics : kCommunityTopics;
}

std::vector<std::string_view> all_topics() {
  std::vector<std::string_view> out(kMerchantTopics);
  for (auto t : kCommunityTopics)
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  return out;
}

bool matches(std::string_view pattern, std::string_view topic) {
  if (is_wildcard(pattern)) {
    auto prefix = pattern.substr(0, pattern.size() - 1);  // "order."
    return topic.size() > prefix.size() && topic.starts_with(prefix);
  }
  return pattern == topic;
}

bool matches_any(std::vector<std::string> const& patterns, std::string_view topic) {
  return std::any_of(patterns.begin(), patterns.end(), [&](std::string const& p) { return matches(p, topic); });
}

std::string pattern_problem(Audience a, std::string_view pattern) {
  auto const& known = topics(a);
  if (std::any_of(known.begin(), known.end(), [&](std::string_view t) { return matches(pattern, t); })) return "";
  std::string list;
  for (auto t : known) list += (list.empty() ? "" : ", ") + std::string(t);
  return "is not an event type this endpoint can receive (one of " + list + ", or a prefix such as order.*)";
}

bool concerns(Audience a, std::int64_t endpoint_merchant, std::string_view topic, std::int64_t event_merchant) {
  auto const& known = topics(a);
  if (std::find(known.begin(), known.end(), topic) == known.end()) return false;
  return a == Audience::Community || (endpoint_merchant > 0 && event_merchant == endpoint_merchant);
}

std::string join_types(std::vector<std::string> const& types) {
  std::string out;
  for (auto const& t : types) out += (out.empty() ? "" : " ") + t;
  return out;
}

std::vector<std::string> split_types(std::string_view stored) {
  std::vector<std::string> out;
  while (!stored.empty()) {
    auto sp = stored.find(' ');
    auto word = stored.substr(0, sp);
    if (!word.empty()) out.emplace_back(word);
    if (sp == std::string_view::npos) break;
    stored.remove_prefix(sp + 1);
  }
  return out;
}

// ---- retries

std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end == text.data() || n <= 0) return std::nullopt;
  std::string_view unit(end, text.data() + text.size() - end);
  std::int64_t scale = 0;
  if (unit == "ms") scale = 1;
  else if (unit == "s") scale = 1000;
  else if (unit == "m") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else if (unit == "d") scale = 86'400'000;
  else return std::nullopt;
  constexpr std::int64_t kMax = 7LL * 86'400'000;
  if (n > kMax / scale) return std::nullopt;
  return n * scale;
}

std::optional<Schedule> parse_schedule(std::string_view text) {
  Schedule out;
  while (true) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    auto ms = parse_duration_ms(item);
    if (!ms) return std::nullopt;
    out.push_back(*ms);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (out.empty() || out.size() > 30) return std::nullopt;
  return out;
}

std::optional<std::int64_t> retry_delay_ms(Schedule const& s, int failures, double unit) {
  if (failures < 1 || static_cast<std::size_t>(failures) > s.size()) return std::nullopt;
  unit = std::clamp(unit, 0.0, 1.0);
  auto base = s[static_cast<std::size_t>(failures - 1)];
  return base + static_cast<std::int64_t>(std::floor(static_cast<double>(base) * kJitter * unit));
}

std::optional<std::int64_t> parse_retry_after_ms(std::string_view v, std::int64_t now_ms) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (v.size() > 9) return kMaxRetryAfterMs;
    std::int64_t s = 0;
    std::from_chars(v.data(), v.data() + v.size(), s);
    return std::min(s * 1000, kMaxRetryAfterMs);
  }
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (v.size() != 29 || v.substr(3, 2) != ", " || v.substr(25) != " GMT") return std::nullopt;
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  auto num = [&](std::size_t at, std::size_t len) -> std::optional<int> {
    int out = 0;
    auto [end, ec] = std::from_chars(v.data() + at, v.data() + at + len, out);
    if (ec != std::errc() || end != v.data() + at + len) return std::nullopt;
    return out;
  };
  auto day = num(5, 2), year = num(12, 4), hh = num(17, 2), mm = num(20, 2), ss = num(23, 2);
  auto mon = kMonths.find(v.substr(8, 3));
  if (!day || !year || !hh || !mm || !ss || mon == std::string_view::npos || mon % 3 != 0 || v[7] != ' ' ||
      v[11] != ' ' || v[16] != ' ' || v[19] != ':' || v[22] != ':')
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = static_cast<int>(mon / 3);
  tm.tm_mday = *day;
  tm.tm_hour = *hh;
  tm.tm_min = *mm;
  tm.tm_sec = *ss;
  std::int64_t at = static_cast<std::int64_t>(timegm(&tm)) * 1000;
  return std::clamp<std::int64_t>(at - now_ms, 0, kMaxRetryAfterMs);
}

Decision decide(int status, std::optional<std::int64_t> retry_after_ms, int attempts, Schedule const& s,
                double jitter_unit, std::int64_t now_ms) {
  Decision d;
  if (status >= 200 && status < 300) {
    d.kind = Decision::Kind::Succeeded;
    return d;
  }
  if (status == 410) {
    d.kind = Decision::Kind::Failed;
    d.disable_reason = "gone";
    return d;
  }
  auto delay = retry_delay_ms(s, attempts, jitter_unit);
  if (!delay) {
    d.kind = Decision::Kind::Failed;
    d.disable_reason = "failing";
    return d;
  }
  if ((status == 429 || status == 503) && retry_after_ms) delay = std::max(*delay, *retry_after_ms);
  d.kind = Decision::Kind::Retry;
  d.next_attempt_at = now_ms + *delay;
  return d;
}

std::string snippet(std::string_view body) {
  if (body.size() <= kSnippetChars) return std::string(body);
  std::size_t n = kSnippetChars;
  // Step back over UTF-8 continuation bytes so the cut never splits a character.
  while (n > 0 && (static_cast<unsigned char>(body[n]) & 0xC0) == 0x80) --n;
  return std::string(body.substr(0, n));
}

}  // namespace courtyard::webhooks::logic
