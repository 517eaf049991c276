#pragma once
// Pure rules of webhooks: which events each kind of endpoint may receive and how event-type
// patterns match them, the retry schedule with jitter, and what one attempt's answer means
// for the delivery and the endpoint. No SOCI, no Beast.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace courtyard::webhooks::logic {

// ---- what may be delivered

// A merchant's endpoint hears about its own orders, reviews, group buys and deliveries (the
// event's merchant_id is the endpoint's merchant); a community endpoint (the property side,
// registered by a manager) hears the community's residency, bills, tickets, announcements,
// parcels and deliveries.
enum class Audience { Merchant, Community };

// The outbox topics each audience may subscribe to (services/EVENTS.md).
std::vector<std::string_view> const& topics(Audience a);
// Every deliverable topic, for the outbox subscriptions.
std::vector<std::string_view> all_topics();
// The topic of the test event (sent to one endpoint on request, whatever its filter).
constexpr std::string_view kTestTopic = "webhook.test";

constexpr std::size_t kMaxEventTypes = 50;
// Why `pattern` cannot be subscribed to by this audience ("" when fine): a deliverable topic
// ("order.placed") or a prefix wildcard ("order.*") that covers at least one.
std::string pattern_problem(Audience a, std::string_view pattern);
// True when a pattern ("order.placed", "order.*") covers the topic.
bool matches(std::string_view pattern, std::string_view topic);
bool matches_any(std::vector<std::string> const& patterns, std::string_view topic);
// Does an event of this topic (about merchant `event_merchant`, 0 when none) go to an
// endpoint of this audience (merchant endpoints: `endpoint_merchant`)?
bool concerns(Audience a, std::int64_t endpoint_merchant, std::string_view topic, std::int64_t event_merchant);

// Event types are stored as one space-separated text column.
std::string join_types(std::vector<std::string> const& types);
std::vector<std::string> split_types(std::string_view stored);

// ---- retries

// Delays after the 1st, 2nd, ... failed attempt, in ms. After the last one the delivery has
// failed for good.
using Schedule = std::vector<std::int64_t>;
// About 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then daily: nine attempts over about three days.
constexpr std::string_view kDefaultSchedule = "5s,5m,30m,2h,5h,10h,1d,1d";
// "250ms", "5s", "5m", "2h", "1d" -> ms; nullopt when malformed, zero or over 7 days.
std::optional<std::int64_t> parse_duration_ms(std::string_view text);
// A comma-separated list of durations (1 to 30 of them); nullopt when any is bad.
std::optional<Schedule> parse_schedule(std::string_view text);
// Up to +20% jitter, so endpoints that failed together do not retry together.
constexpr double kJitter = 0.2;
// The delay after `failures` failed attempts (1-based) with `unit` in [0, 1) as the jitter
// draw; nullopt once the schedule is exhausted.
std::optional<std::int64_t> retry_delay_ms(Schedule const& s, int failures, double unit);

// A Retry-After header value (delta-seconds or an IMF-fixdate) -> ms from now; nullopt when
// unparsable. Capped at one day.
std::optional<std::int64_t> parse_retry_after_ms(std::string_view value, std::int64_t now_ms);
constexpr std::int64_t kMaxRetryAfterMs = 24LL * 3600 * 1000;

// What one attempt's answer means. status 0: no HTTP answer (refused, timed out, TLS, a
// blocked address).
struct Decision {
  enum class Kind { Succeeded, Retry, Failed } kind = Kind::Retry;
  std::int64_t next_attempt_at = 0;  // Retry
  // Failed: the endpoint is disabled too, with this reason ("gone": 410; "failing": the
  // schedule ran out). Empty: only the delivery failed.
  std::string disable_reason;
};
// 2xx succeeds; 410 fails the delivery and disables the endpoint; anything else (3xx are not
// followed) retries after the schedule's delay, or after Retry-After on 429/503 when that is
// longer; after the last scheduled retry the delivery fails and the endpoint is disabled.
Decision decide(int status, std::optional<std::int64_t> retry_after_ms, int attempts, Schedule const& s,
                double jitter_unit, std::int64_t now_ms);

// ---- what an endpoint accepts
constexpr std::size_t kMaxUrlChars = 2000;
constexpr std::size_t kMaxDescriptionChars = 200;
constexpr std::size_t kSnippetChars = 500;  // of a response body, kept in the delivery log
// The response snippet: at most kSnippetChars bytes, cut on a UTF-8 boundary.
std::string snippet(std::string_view body);
// Overlap of old and new secret after a rotation: default one day, at most seven.
constexpr std::int64_t kDefaultOverlapS = 24 * 3600;
constexpr std::int64_t kMaxOverlapS = 7 * 24 * 3600;

}  // namespace courtyard::webhooks::logic
