#pragma once
// Per-service, versioned schema migrations recorded in `schema_migrations`.
// SQL is written once for both backends; these tokens are expanded by dialect:
//   {pk}      BIGINT auto-increment primary key column type
//   {engine}  " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4" on MySQL, "" on SQLite
// and `DROP INDEX name ON table` (MySQL's form) loses its ON clause on SQLite.
// Statements are separated by ";" at the end of a line. Use VARCHAR(n) for indexed text,
// TEXT for free text, BIGINT for ids, money (cents) and times (epoch ms).
#include "db/database.hpp"

#include <string>
#include <vector>

namespace courtyard::db {

struct Migration {
  int version;
  std::string description;
  std::string sql;
};

std::string expand_dialect(std::string const& sql, Backend b);
std::vector<std::string> split_statements(std::string const& sql);

// Applies every not-yet-applied migration of `service` in version order. Safe when
// several instances start at once (a database lock on MySQL, BEGIN IMMEDIATE on SQLite).
// Returns how many were applied. Throws on a failed migration (start-up aborts).
int migrate(Database& db, std::string const& service, std::vector<Migration> const& migrations);

// The platform's own tables (outbox, jobs, idempotency keys, schema_migrations).
std::vector<Migration> platform_migrations();

}  // namespace courtyard::db
