#pragma once
// Internal to the identity service: route registration by area, and what the handlers share
// (reading request bodies and pages, rendering resources).
#include "http/router.hpp"
#include "http/context.hpp"
#include "http/errors.hpp"
#include "http/json.hpp"
#include "services/identity/repository.hpp"
#include "services/identity/service.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace courtyard::identity {

namespace bj = boost::json;
using http::Access;
using http::Request;
using http::Response;

void add_account_routes(http::Router& r, Settings const& settings, std::shared_ptr<HashBuckets> buckets);
void add_community_routes(http::Router& r, Settings const& settings);
void add_api_key_routes(http::Router& r);
void add_merchant_staff_routes(http::Router& r);

// Reads body fields (fields.cpp) and collects every field problem, so one 422 lists them all.
// A field of the wrong JSON type is a 400 straight away.
class Fields {
 public:
  explicit Fields(http::Request const& req);
  // Required string as sent; nullopt (problem recorded) when absent, null or empty.
  std::optional<std::string> string(std::string_view key);
  // Required single-line text, trimmed, at most `max_chars` characters.
  std::optional<std::string> text(std::string_view key, std::size_t max_chars);
  // Required positive integer id.
  std::optional<std::int64_t> id(std::string_view key);
  // Required array of strings.
  std::optional<std::vector<std::string>> strings(std::string_view key);
  // Optional RFC 3339 time: nullopt when absent or null (or invalid: problem recorded).
  std::optional<std::int64_t> opt_time(std::string_view key);
  void check(std::string field, std::optional<std::string> problem);
  // Throws Invalid listing every recorded problem.
  void done() const;

 private:
  boost::json::value const* required(std::string_view key);

  boost::json::object body_;
  std::vector<FieldError> errors_;
};

// Views (views.cpp).
boost::json::object account_json(repo::Account const& a);
boost::json::array roles_json(std::vector<Membership> const& memberships);
boost::json::object community_json(repo::Community const& c);
boost::json::object building_json(repo::Building const& b);
boost::json::object unit_json(repo::Unit const& u);
boost::json::object application_json(repo::Application const& a);
boost::json::object staff_json(std::int64_t community_id, repo::StaffMember const& s);
boost::json::object merchant_account_json(std::int64_t community_id, std::int64_t merchant_id,
                                          repo::StaffMember const& s);
boost::json::object api_key_json(repo::ApiKey const& k);

// Maps a uniqueness violation from the storage to 409 `duplicate`; rethrows anything else.
template <class F>
auto unique_or_conflict(std::string_view detail, F&& fn) {
  try {
    return fn();
  } catch (ApiError const&) {
    throw;
  } catch (std::exception const& e) {
    if (db::is_unique_violation(e)) throw Conflict("duplicate", std::string(detail));
    throw;
  }
}

}  // namespace courtyard::identity
