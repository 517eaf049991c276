// Community demand: the figures a manager and a merchant both see for the merchant's
// categories (searches, zero-result searches, wishes; aggregated, no identities, any figure
// below k = 5 shown as "fewer than 5"), and the manager's category-gap report (categories
// and terms residents search for or wish for with no or few results, the suggestions that
// mention them, and how many approved merchants each category has), as JSON or CSV.
#include "db/database.hpp"
#include "db/json_rows.hpp"
#include "http/csv.hpp"
#include "services/property/api.hpp"
#include "services/shops/demand.hpp"
#include "services/shops/routes.hpp"

#include <algorithm>
#include <map>

namespace courtyard::shops {

namespace {

constexpr std::int64_t kTopTerms = 10;
constexpr std::int64_t kGapTerms = 50;
constexpr std::int64_t kMaxSuggestions = 5000;
constexpr std::int64_t kMaxRangeDays = 366;

struct Range {
  std::int64_t from = 0, to = 0;
};

// A bound: a date (whole UTC day) or an RFC 3339 instant.
std::optional<std::int64_t> bound(Request const& req, std::string_view name, bool end) {
  auto v = req.query_param(name);
  if (!v || v->empty()) return std::nullopt;
  if (auto d = logic::parse_date(*v)) return end ? *d + logic::kDayMs : *d;
  if (auto t = json::parse_rfc3339(*v)) return *t;
  throw Invalid(std::string(name), "must be a date (YYYY-MM-DD) or an RFC 3339 timestamp");
}

// Default: the 30 UTC days up to the end of today (the same range for every caller today).
Range range_of(Request const& req) {
  Range r;
  std::int64_t today = *logic::parse_date(logic::utc_date(db::now_ms()));
  r.to = bound(req, "to", true).value_or(today + logic::kDayMs);
  r.from = bound(req, "from", false).value_or(r.to - 30 * logic::kDayMs);
  if (r.from >= r.to) throw Invalid("from", "must be before to");
  if (r.to - r.from > kMaxRangeDays * logic::kDayMs)
    throw Invalid("from", "the range may span at most " + std::to_string(kMaxRangeDays) + " days");
  return r;
}

std::string csv_shown(search::Shown const& s) {
  if (auto const* n = std::get_if<std::int64_t>(&s)) return std::to_string(*n);
  return std::get<std::string>(s);
}

// The demand of one category over the range, the same for whoever may see it.
struct CategoryDemand {
  std::string category;
  std::int64_t approved_merchants = 0;
  std::int64_t searches = 0, zero = 0, few = 0, wishes = 0, open_wishes = 0, joiners = 0, suggestions = 0;
};

std::map<std::string, CategoryDemand> demand_by_category(db::Tx& tx, std::int64_t cid, Range r) {
  std::map<std::string, CategoryDemand> out;
  auto at = [&](std::string const& c) -> CategoryDemand& {
    auto& d = out[c];
    d.category = c;
    return d;
  };
  for (auto const& s : repo::searches_by_category(tx, cid, r.from, r.to)) {
    auto& d = at(s.category);
    d.searches = s.searches;
    d.zero = s.zero;
    d.few = s.few;
  }
  for (auto const& w : repo::wishes_by_category(tx, cid, r.from, r.to)) {
    auto& d = at(w.category);
    d.wishes = w.wishes;
    d.open_wishes = w.open;
    d.joiners = w.joiners;
  }
  for (auto const& [c, n] : repo::merchants_by_category(tx, cid)) at(c).approved_merchants = n;
  return out;
}

bj::object range_json(Range r) {
  return bj::object{{"from", json::rfc3339(r.from)}, {"to", json::rfc3339(r.to)}, {"k", search::kAnonymityFloor}};
}

bj::array terms_json(std::vector<repo::TermSearches> const& terms) {
  bj::array out;
  for (auto const& t : terms)
    out.push_back(bj::object{{"term", t.term},
                             {"searches", shown_json(search::shown(t.searches))},
                             {"zero_result_searches", shown_json(search::shown(t.zero))},
                             {"few_result_searches", shown_json(search::shown(t.few))}});
  return out;
}

// GET …/merchants/{mid}/demand: the merchant (and the community's managers, who see the
// same numbers) read the community's demand in the merchant's categories.
Response merchant_demand(Request const& req, Context& ctx) {
  std::int64_t mid = req.id("mid");
  auto r = range_of(req);
  return ctx.tx([&](db::Tx& tx) {
    merchant_or_404(tx, ctx.community_id, mid);
    auto all = demand_by_category(tx, ctx.community_id, r);
    bj::array categories;
    for (auto const& c : repo::merchant_categories(tx, ctx.community_id, mid)) {
      CategoryDemand d;
      if (auto it = all.find(c); it != all.end()) d = it->second;
      auto terms = repo::searched_terms(tx, ctx.community_id, r.from, r.to, c, false, search::kAnonymityFloor,
                                        kTopTerms);
      categories.push_back(bj::object{{"category", c},
                                      {"approved_merchants", d.approved_merchants},
                                      {"searches", shown_json(search::shown(d.searches))},
                                      {"zero_result_searches", shown_json(search::shown(d.zero))},
                                      {"few_result_searches", shown_json(search::shown(d.few))},
                                      {"wishes", shown_json(search::shown(d.wishes))},
                                      {"open_wishes", shown_json(search::shown(d.open_wishes))},
                                      {"wish_joiners", shown_json(search::shown(d.joiners))},
                                      {"top_terms", terms_json(terms)}});
    }
    auto out = range_json(r);
    out["merchant_id"] = mid;
    out["categories"] = std::move(categories);
    return Response::json(out);
  });
}

// "none" when no approved merchant serves the category, "few" when its searches mostly
// find few products or its wishes wait for an answer; null otherwise.
bj::value gap_of(CategoryDemand const& d) {
  if (d.approved_merchants == 0) return "none";
  if ((d.searches > 0 && d.few * 2 >= d.searches) || d.open_wishes > 0) return "few";
  return nullptr;
}

// GET …/category-gaps (managers): JSON or CSV (`?format=csv` or `Accept: text/csv`).
Response category_gaps(Request const& req, Context& ctx) {
  auto r = range_of(req);
  bool csv = http::csv::wanted(req);
  return ctx.tx([&](db::Tx& tx) {
    auto by_category = demand_by_category(tx, ctx.community_id, r);
    auto terms = repo::searched_terms(tx, ctx.community_id, r.from, r.to, "", true, search::kAnonymityFloor,
                                      kGapTerms);
    std::vector<std::vector<std::string>> suggestion_tokens;
    if (db::has_schema(tx, "property"))
      for (auto const& s : property::suggestion_texts(tx, ctx.community_id, r.from, r.to, kMaxSuggestions))
        suggestion_tokens.push_back(search::tokens(s.title + " " + s.body));
    auto mentioned = [&](std::string const& term) {
      return static_cast<std::int64_t>(std::count_if(suggestion_tokens.begin(), suggestion_tokens.end(),
                                                     [&](auto const& ts) { return search::mentions(ts, term); }));
    };

    std::vector<CategoryDemand> rows;
    for (auto& [c, d] : by_category) {
      d.suggestions = mentioned(c);
      rows.push_back(d);
    }
    // Gaps first (none, then few), then the most searched.
    auto rank = [](CategoryDemand const& d) {
      auto g = gap_of(d);
      return g.is_null() ? 2 : g.as_string() == "none" ? 0 : 1;
    };
    std::stable_sort(rows.begin(), rows.end(), [&](auto const& a, auto const& b) {
      if (rank(a) != rank(b)) return rank(a) < rank(b);
      if (a.searches + a.joiners != b.searches + b.joiners) return a.searches + a.joiners > b.searches + b.joiners;
      return a.category < b.category;
    });

    if (csv) {
      std::string out =
          "kind,name,approved_merchants,searches,zero_result_searches,few_result_searches,wishes,wish_joiners,"
          "suggestions,gap\r\n";
      for (auto const& d : rows) {
        auto g = gap_of(d);
        out += "category," + http::csv::field(d.category) + "," + std::to_string(d.approved_merchants) + "," +
               csv_shown(search::shown(d.searches)) + "," + csv_shown(search::shown(d.zero)) + "," +
               csv_shown(search::shown(d.few)) + "," + csv_shown(search::shown(d.wishes)) + "," +
               csv_shown(search::shown(d.joiners)) + "," + std::to_string(d.suggestions) + "," +
               (g.is_null() ? std::string() : std::string(g.as_string())) + "\r\n";
      }
      for (auto const& t : terms)
        out += "term," + http::csv::field(t.term) + ",," + csv_shown(search::shown(t.searches)) + "," +
               csv_shown(search::shown(t.zero)) + "," + csv_shown(search::shown(t.few)) + ",,," +
               std::to_string(mentioned(t.term)) + "," + (t.zero > 0 ? "none" : "few") + "\r\n";
      return http::csv::download(std::move(out), "category-gaps.csv");
    }

    bj::array categories;
    for (auto const& d : rows)
      categories.push_back(bj::object{{"category", d.category},
                                      {"approved_merchants", d.approved_merchants},
                                      {"searches", shown_json(search::shown(d.searches))},
                                      {"zero_result_searches", shown_json(search::shown(d.zero))},
                                      {"few_result_searches", shown_json(search::shown(d.few))},
                                      {"wishes", shown_json(search::shown(d.wishes))},
                                      {"wish_joiners", shown_json(search::shown(d.joiners))},
                                      {"suggestions", d.suggestions},
                                      {"gap", gap_of(d)}});
    auto term_rows = terms_json(terms);
    for (std::size_t i = 0; i < terms.size(); ++i) {
      auto& o = term_rows[i].as_object();
      o["suggestions"] = mentioned(terms[i].term);
      o["gap"] = terms[i].zero > 0 ? "none" : "few";
    }
    auto out = range_json(r);
    out["categories"] = std::move(categories);
    out["terms"] = std::move(term_rows);
    return Response::json(out);
  });
}

}  // namespace

void add_demand_routes(http::Router& r) {
  r.get("/v1/communities/{cid}/merchants/{mid}/demand",
        Access::any_of(Role::Manager | Role::Merchant).with_scope("figures:read"), merchant_demand);
  r.get("/v1/communities/{cid}/category-gaps", Access::manager(), category_gaps);
}

}  // namespace courtyard::shops
