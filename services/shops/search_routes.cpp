// Product search across the community's approved merchants, its index (kept in the
// transaction that changes a product) and the query log for demand analysis.
#include "db/database.hpp"
#include "services/shops/demand.hpp"
#include "services/shops/routes.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace courtyard::shops {

void index_product(db::Tx& tx, repo::Product const& p) {
  repo::reindex_product(tx, p, search::product_tokens(p.name, p.category), kSearchIndexVersion);
}

int index_pending_products(db::Database& db, events::Bus& bus, std::int64_t batch) {
  return db::transact(db, &bus, [&](db::Tx& tx) {
    auto products = repo::products_to_index(tx, kSearchIndexVersion, batch);
    for (auto const& p : products) index_product(tx, p);
    return static_cast<int>(products.size());
  });
}

int index_pending_products_for(db::Database& db, events::Bus& bus, std::chrono::milliseconds budget,
                               std::int64_t batch) {
  auto until = std::chrono::steady_clock::now() + budget;
  int total = 0;
  for (;;) {
    int n = index_pending_products(db, bus, batch);
    total += n;
    if (n < batch || std::chrono::steady_clock::now() >= until) return total;
  }
}

namespace {

constexpr std::size_t kMaxRawQueryBytes = 500;
constexpr std::int64_t kMaxSearchLimit = 50;

// GET /v1/communities/{cid}/products?q=…&category=…: ranked by score (name words 3, CJK
// characters of the name 1, category words 1; search_text.hpp), then newest first. The
// first page of each search is logged (what and how many, never who).
Response search_products(Request const& req, Context& ctx) {
  auto raw = req.query_param("q").value_or("");
  if (raw.size() > kMaxRawQueryBytes)
    throw Invalid("q", "must be at most " + std::to_string(kMaxRawQueryBytes) + " bytes");
  auto tokens = search::query_tokens(raw);
  if (tokens.empty()) throw Invalid("q", "must contain a word to search for");
  std::string category(req.query_param("category").value_or(""));
  if (category.size() > 50) throw Invalid("category", "must be at most 50 characters");
  std::transform(category.begin(), category.end(), category.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto page = req.page();
  if (page.limit > kMaxSearchLimit) page.limit = kMaxSearchLimit;

  repo::SearchQuery q;
  q.community_id = ctx.community_id;
  q.tokens = tokens;
  q.category = category;
  q.min_match = search::min_match(tokens.size());
  if (page.after) q.after = search::rank_of(*page.after);
  q.limit = page.fetch();
  auto found = ctx.tx([&](db::Tx& tx) { return repo::search_products(tx, q); });

  auto out = json::page_of_rows(found.hits, page, hit_json);
  out["query"] = search::normalise(raw);
  out["tokens"] = bj::value_from(tokens);
  if (page.after) return Response::json(out);

  out["total"] = found.total;
  // The log write is its own short transaction after the read, so a search never holds
  // SQLite's write lock while it ranks.
  repo::SearchLogRow row;
  row.community_id = ctx.community_id;
  row.query = search::normalise(raw);
  row.category = category;
  row.top_category = found.hits.empty() ? "" : found.hits.front().product.category;
  row.results = found.total;
  row.full_matches = found.full;
  try {
    db::transact(ctx.db, &ctx.bus, [&](db::Tx& tx) {
      row.at = tx.now_ms();
      repo::log_search(tx, row);
    });
  } catch (std::exception const& e) {
    // The resident still gets the answer; demand figures miss one search.
    spdlog::warn("search log write failed in community {}: {}", ctx.community_id, e.what());
  }
  return Response::json(out);
}

}  // namespace

void add_search_routes(http::Router& r) {
  r.get("/v1/communities/{cid}/products", Access::member(), search_products);
}

}  // namespace courtyard::shops
