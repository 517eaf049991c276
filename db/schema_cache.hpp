#pragma once
// The services whose schema a database was seen to have (db::has_schema), kept per
// Database object: a schema never disappears while the process runs, so a positive answer
// is asked for once. Looked up by any of the database's pooled sessions.
#include <soci/soci.h>

#include <string>

namespace courtyard::db {

bool schema_known(soci::session const& s, std::string const& service);
void remember_schema(soci::session const& s, std::string const& service);

}  // namespace courtyard::db
