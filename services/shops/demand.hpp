#pragma once
// Internal to shops: product search, C2B wishes and the community demand figures
// (ARCHITECTURE.md "Search, wishes and community demand").
#include "db/database.hpp"
#include "db/outbox.hpp"
#include "http/router.hpp"
#include "services/shops/demand_repository.hpp"

#include <boost/json.hpp>
#include <chrono>

namespace courtyard::shops {

void add_search_routes(http::Router& r);  // GET …/products (search)
void add_wish_routes(http::Router& r);    // wishes: post, list, join, answer
void add_demand_routes(http::Router& r);  // the shared demand view and the category gaps

// The tokenizer version the index is built with; bump it when search_text changes what a
// product is indexed under, and the job re-indexes every product.
constexpr int kSearchIndexVersion = 1;

// Re-indexes one product (its tokens, or none when inactive) in the caller's transaction:
// called wherever a product is created or its name, category or active flag change.
void index_product(db::Tx& tx, repo::Product const& p);

// The "shops.index_products" job body: indexes products the index has not seen at this
// version (rows written before the index existed, or by bulk loads), a batch per
// transaction. Returns how many it indexed.
int index_pending_products(db::Database& db, events::Bus& bus, std::int64_t batch = 500);
// The job: batches (each its own transaction, so writers interleave) until none is left or
// `budget` has passed, so a bulk load of 50,000 products is indexed in one run or a few,
// not at 500 a minute. Returns how many it indexed.
int index_pending_products_for(db::Database& db, events::Bus& bus, std::chrono::milliseconds budget,
                               std::int64_t batch = 500);

// ---- views (demand_views.cpp)
boost::json::object hit_json(repo::Hit const& h);
// A wish as a member sees it: counts and the caller's own part, never who else joined.
boost::json::object wish_json(repo::Wish const& w, std::int64_t viewer);
boost::json::value shown_json(search::Shown const& s);

}  // namespace courtyard::shops
