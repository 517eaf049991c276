// GET/PUT /v1/me/notification-preferences: the caller's choice of channels per category.
#include "http/context.hpp"
#include "http/errors.hpp"
#include "services/notifications/logic.hpp"
#include "services/notifications/routes.hpp"

#include <boost/json.hpp>

namespace courtyard::notifications {

namespace bj = boost::json;
using http::Access;
using http::Request;
using http::Response;

namespace {

bj::object current(db::Tx& tx, std::int64_t account) {
  return preferences_json(repo::preferences(tx, account), consented(tx, account, "marketing"));
}

Response my_preferences(Request const&, Context& ctx) {
  return ctx.tx([&](db::Tx& tx) { return Response::json(current(tx, ctx.principal.account_id)); });
}

// {"orders": {"push": false}, "marketing": {"in_app": true}}: the categories and channels
// named change, the rest keep their value. All or nothing.
Response put_preferences(Request const& req, Context& ctx) {
  auto body = req.json();
  std::vector<std::pair<Category const*, ChoiceChange>> changes;
  std::vector<FieldError> errs;
  for (auto const& [key, value] : body) {
    std::string name(key);
    auto const* c = find_category(name);
    if (!c) {
      errs.push_back({name, "is not a notification category"});
      continue;
    }
    if (!value.is_object()) throw BadRequest(name + " must be an object of channels, e.g. {\"push\": false}");
    ChoiceChange change;
    for (auto const& [ck, cv] : value.as_object()) {
      std::string field = name + "." + std::string(ck);
      std::optional<bool>* slot = ck == "in_app" ? &change.in_app
                                  : ck == "push" ? &change.push
                                  : ck == "email" ? &change.email
                                                  : nullptr;
      if (!slot) {
        errs.push_back({field, "is not a channel (in_app, push, email)"});
        continue;
      }
      if (!cv.is_bool()) throw BadRequest(field + " must be true or false");
      *slot = cv.as_bool();
    }
    changes.emplace_back(c, change);
  }
  if (!errs.empty()) throw Invalid(std::move(errs));
  if (changes.empty()) throw Invalid("body", "name at least one category");
  std::int64_t me = ctx.principal.account_id;
  return ctx.tx([&](db::Tx& tx) {
    auto stored = repo::preferences(tx, me);
    bool consent = consented(tx, me, "marketing");
    std::vector<repo::Preference> writes;
    std::vector<FieldError> refused;
    for (auto const& [c, change] : changes) {
      std::optional<repo::Preference> mine;
      for (auto const& p : stored)
        if (p.category == c->name) mine = p;
      auto applied = apply_change(*c, choice_for(mine, *c, consent), change);
      if (applied.refused) {
        refused.push_back({std::string(c->name), *applied.refused});
        continue;
      }
      writes.push_back({me, std::string(c->name), applied.choice.in_app, applied.choice.push, applied.choice.email});
    }
    if (!refused.empty()) throw Invalid(std::move(refused), "preference-refused");
    for (auto const& w : writes) repo::set_preference(tx, w, tx.now_ms());
    return Response::json(current(tx, me));
  });
}

}  // namespace

void add_preference_routes(http::Router& r) {
  r.get("/v1/me/notification-preferences", Access::authenticated(), my_preferences);
  r.put("/v1/me/notification-preferences", Access::authenticated(), put_preferences);
}

}  // namespace courtyard::notifications
