#include "db/json_rows.hpp"

#include "db/query.hpp"
#include "db/schema_cache.hpp"

#include <boost/json.hpp>

namespace courtyard::db {

namespace {

boost::json::value cell(Row const& r, std::size_t i) {
  switch (r.kind(i)) {
    case Row::Kind::Text: return boost::json::value(*r.opt_text(i));
    case Row::Kind::Real: return *r.opt_real(i);
    case Row::Kind::Integer: return *r.opt_int(i);
    default: return nullptr;  // NULL; dates and blobs: Courtyard stores neither
  }
}

}  // namespace

boost::json::array json_rows(Tx& tx, std::string const& query, std::int64_t account_id) {
  boost::json::array out;
  each(
      tx, query,
      [&](Row const& r) {
        boost::json::object o;
        for (std::size_t i = 0; i < r.size(); ++i) o[r.name(i)] = cell(r, i);
        out.push_back(std::move(o));
      },
      soci::use(account_id, "a"));
  return out;
}

boost::json::object json_sections(Tx& tx, std::int64_t account_id,
                                  std::initializer_list<std::pair<char const*, char const*>> sections) {
  boost::json::object out;
  for (auto const& [name, query] : sections) out[name] = json_rows(tx, query, account_id);
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
