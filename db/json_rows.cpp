#include "db/json_rows.hpp"

#include "db/query.hpp"
#include "db/schema_cache.hpp"

#include <boost/json.hpp>

namespace courtyard::db {

namespace {

boost::json::value cell(soci::row const& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return nullptr;
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_string:
      return boost::json::value(r.get<std::string>(i));
    case soci::dt_double:
      return r.get<double>(i);
    case soci::dt_integer:
      return static_cast<std::int64_t>(r.get<int>(i));
    case soci::dt_long_long:
      return static_cast<std::int64_t>(r.get<long long>(i));
    case soci::dt_unsigned_long_long:
      return static_cast<std::int64_t>(r.get<unsigned long long>(i));
    default:
      return nullptr;  // dates and blobs: Courtyard stores neither
  }
}

}  // namespace

boost::json::array json_rows(Tx& tx, std::string const& query, std::int64_t account_id) {
  boost::json::array out;
  each(
      tx, query,
      [&](soci::row const& r) {
        boost::json::object o;
        for (std::size_t i = 0; i < r.size(); ++i) o[r.get_properties(i).get_name()] = cell(r, i);
        out.push_back(std::move(o));
      },
      soci::use(account_id, "a"));
  return out;
}

bool has_schema(Tx& tx, std::string const& service) {
  // Only the positive answer is kept: a service can be migrated while the process runs.
  if (schema_known(tx.sql(), service)) return true;
  bool has = scalar(tx, "SELECT COUNT(*) FROM schema_migrations WHERE service = :s", soci::use(service, "s")) > 0;
  if (has) remember_schema(tx.sql(), service);
  return has;
}

}  // namespace courtyard::db
