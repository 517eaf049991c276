#pragma once
// SQL of product search, the search log, wishes and the community demand figures (the
// shops repository's second file, kept apart so the catalogue and order SQL stay as they
// were). Bound parameters only; every query filters by community_id.
#include "db/tx.hpp"
#include "http/json.hpp"
#include "services/shops/repository.hpp"
#include "services/shops/search_text.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::shops::repo {

// ---- the search index
// The product's tokens replace whatever it was indexed under (none when inactive), and its
// state row records `version`.
void reindex_product(db::Tx& tx, Product const& p, std::vector<search::WeightedToken> const& tokens, int version);
// Products (any community) not indexed at `version` yet, at most `limit`.
std::vector<Product> products_to_index(db::Tx& tx, int version, std::int64_t limit);

struct Hit {
  std::int64_t id = 0;  // search::rank_key(score, product_id): the cursor key
  std::int64_t product_id = 0, score = 0, matched = 0;
  Product product;
  std::string merchant_name;
};
struct SearchQuery {
  std::int64_t community_id = 0;
  std::vector<std::string> tokens;  // distinct, non-empty
  std::string category;             // "" = any
  std::int64_t min_match = 1;
  std::optional<std::pair<std::int64_t, std::int64_t>> after;  // {score, product_id} of the last hit shown
  std::int64_t limit = 20;          // rows returned: limit (+1 to tell whether more follow)
};
struct SearchResult {
  std::vector<Hit> hits;       // best first, at most query.limit
  std::int64_t total = 0;      // hits at or after the cursor
  std::int64_t full = 0;       // of those, the ones matching every token
};
// Active products of the community's approved merchants that match at least min_match
// tokens, by score (sum of matched tokens' weights) then newest.
SearchResult search_products(db::Tx& tx, SearchQuery const& q);

struct SearchLogRow {
  std::int64_t community_id = 0;
  std::string query, category, top_category;
  std::int64_t results = 0, full_matches = 0, at = 0;
};
void log_search(db::Tx& tx, SearchLogRow const& row);

// ---- wishes
struct Wish {
  std::int64_t id = 0, community_id = 0, author_id = 0;
  std::string title, category, status;
  std::optional<std::string> details;
  std::int64_t joiners = 0;
  std::optional<std::int64_t> merchant_id, group_buy_id, answered_at;
  std::int64_t created_at = 0;
  bool joined = false;  // by the account the wish was read for
};
std::int64_t insert_wish(db::Tx& tx, Wish const& w);
std::optional<Wish> find_wish(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t viewer);
// categories empty = any; status "" = any.
std::vector<Wish> list_wishes(db::Tx& tx, std::int64_t cid, std::vector<std::string> const& categories,
                              std::string const& status, std::int64_t viewer, json::Page const& page);
// The joiner row; throws the storage's unique violation on a second join.
void insert_joiner(db::Tx& tx, std::int64_t cid, std::int64_t wish_id, std::int64_t account_id, std::int64_t now);
bool has_joined(db::Tx& tx, std::int64_t wish_id, std::int64_t account_id);
// joiners + 1 while the wish is open; false otherwise.
bool count_joiner(db::Tx& tx, std::int64_t cid, std::int64_t wish_id);
// open -> answered with the group buy; false when no longer open.
bool answer_wish(db::Tx& tx, std::int64_t cid, std::int64_t wish_id, std::int64_t merchant_id, std::int64_t group_buy_id,
                 std::int64_t now);
// Joiners' account ids after `after`, ascending, at most `limit`.
std::vector<std::int64_t> wish_joiners(db::Tx& tx, std::int64_t cid, std::int64_t wish_id, std::int64_t after,
                                       std::int64_t limit);

// ---- demand figures over [from, to)
struct CategorySearches {
  std::string category;  // the search's category filter, else its best hit's category
  std::int64_t searches = 0, zero = 0, few = 0;  // zero / few (< kFewResults) full matches
};
std::vector<CategorySearches> searches_by_category(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to);
struct TermSearches {
  std::string term;
  std::int64_t searches = 0, zero = 0, few = 0;
};
// Terms searched at least `min_searches` times; category "" = any, else searches
// attributed to it; only_few: terms with at least one search with few full matches.
std::vector<TermSearches> searched_terms(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to,
                                         std::string const& category, bool only_few, std::int64_t min_searches,
                                         std::int64_t limit);
struct CategoryWishes {
  std::string category;
  std::int64_t wishes = 0, open = 0, joiners = 0;
};
std::vector<CategoryWishes> wishes_by_category(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to);
// Approved merchants per category.
std::vector<std::pair<std::string, std::int64_t>> merchants_by_category(db::Tx& tx, std::int64_t cid);
// The merchant's category and those of its active products.
std::vector<std::string> merchant_categories(db::Tx& tx, std::int64_t cid, std::int64_t mid);

}  // namespace courtyard::shops::repo
