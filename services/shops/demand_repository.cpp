#include "services/shops/demand_repository.hpp"

#include "db/database.hpp"
#include "db/query.hpp"

#include <algorithm>

namespace courtyard::shops::repo {

namespace {

using soci::use;

#define DEMAND_PRODUCT_COLS \
  "p.id, p.community_id, p.merchant_id, p.name, p.category, p.price_cents, p.stock, p.active, p.created_at, p.updated_at"
Product product_row(db::Cols& c) {
  Product p;
  c.into(p.id, p.community_id, p.merchant_id, p.name, p.category, p.price_cents, p.stock, p.active, p.created_at,
         p.updated_at);
  return p;
}

}  // namespace

// ---- the search index

constexpr char const* kDropTokens = "DELETE FROM product_search_tokens WHERE product_id = :p";
constexpr char const* kDropState = "DELETE FROM product_search_state WHERE product_id = :p";
constexpr char const* kInsertState =
    "INSERT INTO product_search_state (product_id, community_id, version) VALUES (:p, :c, :v)";
void reindex_product(db::Tx& tx, Product const& p, std::vector<search::WeightedToken> const& tokens, int version) {
  std::int64_t pid = p.id, cid = p.community_id;
  tx.exec(kDropTokens, use(pid, "p"));
  if (p.active && !tokens.empty()) {
    db::Query q("INSERT INTO product_search_tokens (community_id, token, category, merchant_id, product_id, weight) "
                "VALUES ");
    bool first = true;
    for (auto const& t : tokens) {
      q.sql(first ? "(" : ", (").value(cid).sql(", ").value(t.token).sql(", ").value(p.category).sql(", ");
      q.value(p.merchant_id).sql(", ").value(pid).sql(", ").value(std::int64_t{t.weight}).sql(")");
      first = false;
    }
    q.exec(tx);
  }
  tx.exec(kDropState, use(pid, "p"));
  tx.exec(kInsertState, use(pid, "p"), use(cid, "c"), use(version, "v"));
}

constexpr char const* kProductsToIndex =
    "SELECT " DEMAND_PRODUCT_COLS " FROM products p LEFT JOIN product_search_state s ON s.product_id = p.id "
    "WHERE s.product_id IS NULL OR s.version <> :v ORDER BY p.id LIMIT :n";
std::vector<Product> products_to_index(db::Tx& tx, int version, std::int64_t limit) {
  return db::all(
      tx, kProductsToIndex, [](db::Row const& r) { db::Cols c(r); return product_row(c); }, use(version, "v"),
      use(limit, "n"));
}

// The hits are ranked over the covering index alone (community, token, product, category,
// merchant, weight); only the page's products are read from their table.
SearchResult search_products(db::Tx& tx, SearchQuery const& sq) {
  SearchResult out;
  if (sq.tokens.empty()) return out;
  db::Query q(
      "SELECT product_id, score, matched, COUNT(*) OVER () AS total, "
      "SUM(CASE WHEN matched >= ");
  q.value(static_cast<std::int64_t>(sq.tokens.size()));
  q.sql(" THEN 1 ELSE 0 END) OVER () AS full_hits FROM ("
        "SELECT t.product_id AS product_id, SUM(t.weight) AS score, COUNT(*) AS matched "
        "FROM product_search_tokens t WHERE t.community_id = ");
  q.value(sq.community_id).sql(" AND t.token IN (");
  for (std::size_t i = 0; i < sq.tokens.size(); ++i) {
    if (i) q.sql(", ");
    q.value(sq.tokens[i]);
  }
  q.sql(")");
  if (!sq.category.empty()) q.sql(" AND t.category = ").value(sq.category);
  q.sql(" AND t.merchant_id NOT IN (SELECT m.id FROM merchants m WHERE m.community_id = ")
      .value(sq.community_id)
      .sql(" AND m.status <> 'approved') GROUP BY t.product_id HAVING COUNT(*) >= ")
      .value(sq.min_match)
      .sql(") h");
  if (sq.after) {
    q.sql(" WHERE score < ").value(sq.after->first).sql(" OR (score = ").value(sq.after->first);
    q.sql(" AND product_id < ").value(sq.after->second).sql(")");
  }
  q.sql(" ORDER BY score DESC, product_id DESC LIMIT ").value(sq.limit);
  std::vector<Hit> hits = q.all(tx, [&](db::Row const& r) {
    db::Cols c(r);
    Hit h;
    c.into(h.product_id, h.score, h.matched, out.total, out.full);
    h.id = search::rank_key(h.score, h.product_id);
    return h;
  });
  if (hits.empty()) return out;

  std::vector<std::int64_t> ids;
  for (auto const& h : hits) ids.push_back(h.product_id);
  db::Query pq("SELECT " DEMAND_PRODUCT_COLS ", m.name FROM products p JOIN merchants m ON m.id = p.merchant_id "
               "WHERE p.community_id = ");
  pq.value(sq.community_id).sql(" AND p.active = 1 AND p.id IN (").values(ids).sql(")");
  auto rows = pq.all(tx, [](db::Row const& r) {
    db::Cols c(r);
    auto p = product_row(c);
    return std::make_pair(p, c.text());
  });
  for (auto& h : hits)
    for (auto const& [p, merchant] : rows)
      if (p.id == h.product_id) {
        h.product = p;
        h.merchant_name = merchant;
        out.hits.push_back(h);
        break;
      }
  return out;
}

constexpr char const* kLogSearch =
    "INSERT INTO product_searches (community_id, query, category, top_category, results, full_matches, at) "
    "VALUES (:c, :q, :cat, :top, :n, :f, :at)";
void log_search(db::Tx& tx, SearchLogRow const& row) {
  tx.exec(kLogSearch, use(row.community_id, "c"), use(row.query, "q"), use(row.category, "cat"),
          use(row.top_category, "top"), use(row.results, "n"), use(row.full_matches, "f"), use(row.at, "at"));
}

// ---- wishes

#define DEMAND_WISH_COLS                                                                                      \
  "w.id, w.community_id, w.author_id, w.title, w.category, w.status, w.details, w.joiners, w.merchant_id, " \
  "w.group_buy_id, w.answered_at, w.created_at"
namespace {
constexpr auto wish_from =
    db::fields(&Wish::id, &Wish::community_id, &Wish::author_id, &Wish::title, &Wish::category, &Wish::status,
               &Wish::details, &Wish::joiners, &Wish::merchant_id, &Wish::group_buy_id, &Wish::answered_at,
               &Wish::created_at, &Wish::joined);
}  // namespace

constexpr char const* kInsertWish =
    "INSERT INTO wishes (community_id, author_id, title, category, details, status, joiners, created_at) "
    "VALUES (:c, :a, :t, :cat, :d, 'open', 0, :at)";
std::int64_t insert_wish(db::Tx& tx, Wish const& w) {
  soci::indicator ind = w.details ? soci::i_ok : soci::i_null;
  std::string details = w.details.value_or("");
  return tx.insert("wishes", kInsertWish, use(w.community_id, "c"), use(w.author_id, "a"), use(w.title, "t"),
                   use(w.category, "cat"), use(details, ind, "d"), use(w.created_at, "at"));
}

constexpr char const* kFindWish =
    "SELECT " DEMAND_WISH_COLS ", (SELECT COUNT(*) FROM wish_joiners j WHERE j.wish_id = w.id AND j.account_id = :v) "
    "FROM wishes w WHERE w.community_id = :c AND w.id = :id";
std::optional<Wish> find_wish(db::Tx& tx, std::int64_t cid, std::int64_t id, std::int64_t viewer) {
  return db::one(tx, kFindWish, wish_from, use(viewer, "v"), use(cid, "c"), use(id, "id"));
}

std::vector<Wish> list_wishes(db::Tx& tx, std::int64_t cid, std::vector<std::string> const& categories,
                              std::string const& status, std::int64_t viewer, json::Page const& page) {
  db::Query q("SELECT " DEMAND_WISH_COLS
              ", (SELECT COUNT(*) FROM wish_joiners j WHERE j.wish_id = w.id AND j.account_id = ");
  q.value(viewer).sql(") FROM wishes w WHERE w.community_id = ").value(cid);
  if (!categories.empty()) {
    q.sql(" AND w.category IN (");
    for (std::size_t i = 0; i < categories.size(); ++i) {
      if (i) q.sql(", ");
      q.value(categories[i]);
    }
    q.sql(")");
  }
  if (!status.empty()) q.sql(" AND w.status = ").value(status);
  q.sql(" AND w.id < ").value(page.below());
  q.sql(" ORDER BY w.id DESC LIMIT ").value(page.fetch());
  return q.all(tx, wish_from);
}

constexpr char const* kInsertJoiner =
    "INSERT INTO wish_joiners (community_id, wish_id, account_id, created_at) VALUES (:c, :w, :a, :at)";
void insert_joiner(db::Tx& tx, std::int64_t cid, std::int64_t wish_id, std::int64_t account_id, std::int64_t now) {
  tx.exec(kInsertJoiner, use(cid, "c"), use(wish_id, "w"), use(account_id, "a"), use(now, "at"));
}

constexpr char const* kHasJoined = "SELECT COUNT(*) FROM wish_joiners WHERE wish_id = :w AND account_id = :a";
bool has_joined(db::Tx& tx, std::int64_t wish_id, std::int64_t account_id) {
  return db::scalar(tx, kHasJoined, use(wish_id, "w"), use(account_id, "a")) > 0;
}

constexpr char const* kCountJoiner =
    "UPDATE wishes SET joiners = joiners + 1 WHERE community_id = :c AND id = :id AND status = 'open'";
bool count_joiner(db::Tx& tx, std::int64_t cid, std::int64_t wish_id) {
  return tx.exec(kCountJoiner, use(cid, "c"), use(wish_id, "id")) == 1;
}

constexpr char const* kAnswerWish =
    "UPDATE wishes SET status = 'answered', merchant_id = :m, group_buy_id = :g, answered_at = :at "
    "WHERE community_id = :c AND id = :id AND status = 'open'";
bool answer_wish(db::Tx& tx, std::int64_t cid, std::int64_t wish_id, std::int64_t merchant_id, std::int64_t group_buy_id,
                 std::int64_t now) {
  return tx.exec(kAnswerWish, use(merchant_id, "m"), use(group_buy_id, "g"), use(now, "at"), use(cid, "c"),
                 use(wish_id, "id")) == 1;
}

constexpr char const* kWishJoiners =
    "SELECT account_id FROM wish_joiners WHERE community_id = :c AND wish_id = :w AND account_id > :after "
    "ORDER BY account_id LIMIT :n";
std::vector<std::int64_t> wish_joiners(db::Tx& tx, std::int64_t cid, std::int64_t wish_id, std::int64_t after,
                                       std::int64_t limit) {
  return db::all(
      tx, kWishJoiners, db::first_integer, use(cid, "c"), use(wish_id, "w"),
      use(after, "after"), use(limit, "n"));
}

// ---- demand figures

constexpr char const* kSearchesByCategory =
    "SELECT cat, COUNT(*), SUM(CASE WHEN full_matches = 0 THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN full_matches < :few THEN 1 ELSE 0 END) FROM ("
    "SELECT CASE WHEN category <> '' THEN category ELSE top_category END AS cat, full_matches "
    "FROM product_searches WHERE community_id = :c AND at >= :f AND at < :t) s "
    "WHERE cat <> '' GROUP BY cat";
std::vector<CategorySearches> searches_by_category(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to) {
  std::int64_t few = search::kFewResults;
  return db::all(
      tx, kSearchesByCategory,
      db::fields(&CategorySearches::category, &CategorySearches::searches, &CategorySearches::zero,
                 &CategorySearches::few),
      use(few, "few"), use(cid, "c"), use(from, "f"), use(to, "t"));
}

std::vector<TermSearches> searched_terms(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to,
                                         std::string const& category, bool only_few, std::int64_t min_searches,
                                         std::int64_t limit) {
  db::Query q("SELECT query, COUNT(*), SUM(CASE WHEN full_matches = 0 THEN 1 ELSE 0 END), "
              "SUM(CASE WHEN full_matches < ");
  q.value(search::kFewResults).sql(" THEN 1 ELSE 0 END) FROM product_searches WHERE community_id = ").value(cid);
  q.sql(" AND at >= ").value(from).sql(" AND at < ").value(to);
  if (!category.empty()) {
    q.sql(" AND (category = ").value(category).sql(" OR (category = '' AND top_category = ").value(category);
    q.sql("))");
  }
  q.sql(" GROUP BY query HAVING COUNT(*) >= ").value(min_searches);
  if (only_few) q.sql(" AND SUM(CASE WHEN full_matches < ").value(search::kFewResults).sql(" THEN 1 ELSE 0 END) > 0");
  q.sql(" ORDER BY COUNT(*) DESC, query LIMIT ").value(limit);
  return q.all(tx, db::fields(&TermSearches::term, &TermSearches::searches, &TermSearches::zero,
                              &TermSearches::few));
}

constexpr char const* kWishesByCategory =
    "SELECT category, COUNT(*), SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), SUM(joiners) FROM wishes "
    "WHERE community_id = :c AND created_at >= :f AND created_at < :t GROUP BY category";
std::vector<CategoryWishes> wishes_by_category(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to) {
  return db::all(
      tx, kWishesByCategory,
      db::fields(&CategoryWishes::category, &CategoryWishes::wishes, &CategoryWishes::open,
                 &CategoryWishes::joiners),
      use(cid, "c"), use(from, "f"), use(to, "t"));
}

constexpr char const* kMerchantsByCategory =
    "SELECT category, COUNT(*) FROM merchants WHERE community_id = :c AND status = 'approved' GROUP BY category";
std::vector<std::pair<std::string, std::int64_t>> merchants_by_category(db::Tx& tx, std::int64_t cid) {
  return db::all(
      tx, kMerchantsByCategory,
      [](db::Row const& r) {
        db::Cols c(r);
        std::pair<std::string, std::int64_t> out;
        c.into(out.first, out.second);
        return out;
      },
      use(cid, "c"));
}

constexpr char const* kMerchantCategories =
    "SELECT category FROM merchants WHERE community_id = :c AND id = :m UNION "
    "SELECT DISTINCT category FROM products WHERE community_id = :c2 AND merchant_id = :m2 AND active = 1";
std::vector<std::string> merchant_categories(db::Tx& tx, std::int64_t cid, std::int64_t mid) {
  auto out = db::all(
      tx, kMerchantCategories, db::first_text, use(cid, "c"), use(mid, "m"),
      use(cid, "c2"), use(mid, "m2"));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace courtyard::shops::repo
