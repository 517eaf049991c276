#pragma once
// Internal to the notifications service: route registration, the event reaction and the JSON
// view the routes and api.cpp share.
#include "db/outbox.hpp"
#include "http/router.hpp"
#include "services/notifications/logic.hpp"
#include "services/notifications/repository.hpp"

#include <boost/json/object.hpp>

#include <chrono>

namespace courtyard::notifications {

// notification_routes.cpp: /v1/me/notifications (list, mark read) and the /v1/ws placeholder.
void add_notification_routes(http::Router& r);

// preference_routes.cpp: GET/PUT /v1/me/notification-preferences.
void add_preference_routes(http::Router& r);

// preferences.cpp: stores rows through the recipients' preferences (drops what they turned
// off or, for marketing, did not consent to; marks what is not pushed). Every write of
// notification rows goes through it. Returns rows inserted.
long long store(db::Tx& tx, std::vector<repo::Row> rows);
// The consent lookup members registered (false without one).
bool consented(db::Tx& tx, std::int64_t account_id, std::string_view purpose);
// The stored choice, or the category's default.
Choice choice_for(std::optional<repo::Preference> const& stored, Category const& c, bool marketing_consent);

// subscriptions.cpp: each event of any topic() -> a notification row per recipient (once per
// event and account). A batch of the outbox (subscribe_batch): the merchants' staff looked
// up once per merchant, the preferences read and the rows inserted once for the batch.
void on_events(std::vector<events::Event> const& batch, db::Tx& tx);
inline constexpr int kEventBatch = 100;  // deliveries per on_events call
// merchant_notifications.cpp: merchant.* -> the applicant (decisions) or the managers (applied).
void on_merchant_event(events::Event const& e, db::Tx& tx);

// jobs.cpp: deletes rows (read or not) created more than `retention` before `now_ms`, in
// batches of `batch`, one short transaction each. Returns how many.
long long prune(db::Database& db, std::int64_t now_ms, std::chrono::milliseconds retention, int batch = 500);

// member_notices.cpp: points.expiring and tier.changed (members) -> one row for the member.
void on_member_notice(events::Event const& e, db::Tx& tx);

// wish_notices.cpp: wish.answered (shops) -> every joiner of the wish, paged.
void on_wish_answered(events::Event const& e, db::Tx& tx);

// views.cpp: a row as the API shows it ({id, account_id, community_id, type, title, body,
// data, created_at, read_at}).
boost::json::object notification_json(repo::Notification const& n);
// Every category with its channels (stored or default), whether it is locked, and for
// marketing whether the consent is given; and what each channel means.
boost::json::object preferences_json(std::vector<repo::Preference> const& stored, bool marketing_consent);

}  // namespace courtyard::notifications
