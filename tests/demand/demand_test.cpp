// The shared demand view (the merchant and the managers see the same figures, k = 5, no
// identities) and the managers' category-gap report (JSON and CSV).
#include "tests/shops/support.hpp"

using namespace shops_test;

namespace {

void search_n(Shop const& s, Actor const& who, std::string const& query, int n) {
  for (int i = 0; i < n; ++i) {
    auto r = TestApp::get().get(s.c.base() + "/products?" + query, who.token);
    INFO(r.body);
    REQUIRE(r.status == 200);
  }
}

std::string demand_url(Shop const& s) { return s.merchant_base() + "/demand"; }

bj::object const* row_named(bj::array const& rows, std::string_view key, std::string_view name) {
  for (auto const& r : rows)
    if (r.at(key).as_string() == name) return &r.as_object();
  return nullptr;
}

struct World {
  Shop grocery, bakery;
  Actor resident;
};

World demand_world() {
  auto& t = TestApp::get();
  World w;
  w.grocery = shop("grocery");
  w.bakery = second_shop(w.grocery);
  for (auto name : {"Eggs", "Eggs large", "Quail eggs"}) product(w.grocery, name, 500, 10);
  product(w.bakery, "Rye bread", 400, 10);
  w.resident = buyer(w.grocery, 0);
  search_n(w.grocery, w.resident, "q=eggs", 6);
  search_n(w.grocery, w.resident, "q=Durian", 5);                 // nothing anywhere
  search_n(w.grocery, w.resident, "q=kimchi&category=grocery", 2);  // nothing in grocery
  auto wish = t.post(w.grocery.c.base() + "/wishes", {{"title", "night pharmacy"}, {"category", "pharmacy"}},
                     w.resident.token);
  REQUIRE(wish.status == 201);
  auto sug = t.post(w.grocery.c.base() + "/suggestions",
                    {{"title", "A fruit stall"}, {"body", "Could someone sell durian and mangoes?"}}, w.resident.token);
  INFO(sug.body);
  REQUIRE(sug.status == 201);
  return w;
}

}  // namespace

TEST_CASE("a merchant and the managers see the same demand figures, below k as 'fewer than 5'",
          "[demand][view]") {
  auto& t = TestApp::get();
  auto w = demand_world();
  auto& s = w.grocery;

  auto merchant = t.get(demand_url(s), s.owner.token);
  INFO(merchant.body);
  REQUIRE(merchant.status == 200);
  auto manager = t.get(demand_url(s), s.c.manager.token);
  REQUIRE(manager.status == 200);
  CHECK(merchant.json == manager.json);

  CHECK(merchant.json.at("k").as_int64() == 5);
  auto const& cats = merchant.json.at("categories").as_array();
  auto const* g = row_named(cats, "category", "grocery");
  REQUIRE(g);
  CHECK(g->at("searches").as_int64() == 8);  // six for eggs (best hit grocery), two filtered to it
  CHECK(g->at("zero_result_searches").as_string() == "fewer than 5");
  CHECK(g->at("wishes").as_string() == "fewer than 5");
  CHECK(g->at("approved_merchants").as_int64() == 1);
  auto const& terms = g->at("top_terms").as_array();
  REQUIRE(terms.size() == 1);  // kimchi was searched twice: below k, not listed
  CHECK(terms[0].at("term").as_string() == "eggs");
  CHECK(terms[0].at("searches").as_int64() == 6);
  CHECK(merchant.body.find("account") == std::string::npos);  // counts only, no identities
  CHECK(merchant.body.find("author") == std::string::npos);

  // Access: residents 403, another merchant 403, another community 404, bad range 422.
  CHECK(t.get(demand_url(s), w.resident.token).status == 403);
  CHECK(t.get(demand_url(s), w.bakery.owner.token).status == 403);
  auto other = t.community();
  CHECK(t.get(demand_url(s), other.manager.token).status == 404);
  CHECK(t.get(other.base() + "/merchants/" + std::to_string(s.mid) + "/demand", other.manager.token).status == 404);
  CHECK(t.get(demand_url(s) + "?from=yesterday", s.owner.token).status == 422);
  CHECK(t.get(demand_url(s) + "?from=2026-05-01&to=2026-04-01", s.owner.token).status == 422);
  CHECK(t.get(demand_url(s) + "?from=2024-01-01&to=2026-04-01", s.owner.token).status == 422);
}

TEST_CASE("the category-gap report lists unmet categories and terms with the suggestions that mention them",
          "[demand][gaps]") {
  auto& t = TestApp::get();
  auto w = demand_world();
  auto& c = w.grocery.c;

  auto r = t.get(c.base() + "/category-gaps", c.manager.token);
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto const& cats = r.json.at("categories").as_array();
  auto const* pharmacy = row_named(cats, "category", "pharmacy");
  REQUIRE(pharmacy);
  CHECK(pharmacy->at("approved_merchants").as_int64() == 0);
  CHECK(pharmacy->at("gap").as_string() == "none");
  CHECK(pharmacy->at("wishes").as_string() == "fewer than 5");
  CHECK(cats.at(0).at("gap").as_string() == "none");  // gaps come first
  auto const* grocery = row_named(cats, "category", "grocery");
  REQUIRE(grocery);
  CHECK(grocery->at("approved_merchants").as_int64() == 1);
  CHECK(grocery->at("gap").is_null());

  auto const& terms = r.json.at("terms").as_array();
  auto const* durian = row_named(terms, "term", "durian");
  REQUIRE(durian);
  CHECK(durian->at("searches").as_int64() == 5);
  CHECK(durian->at("zero_result_searches").as_int64() == 5);
  CHECK(durian->at("suggestions").as_int64() == 1);
  CHECK(durian->at("gap").as_string() == "none");
  CHECK(!row_named(terms, "term", "eggs"));    // found plenty
  CHECK(!row_named(terms, "term", "kimchi"));  // below k

  auto csv = t.get(c.base() + "/category-gaps?format=csv", c.manager.token);
  REQUIRE(csv.status == 200);
  CHECK(csv.header("Content-Type").rfind("text/csv", 0) == 0);
  CHECK(csv.body.rfind("kind,name,approved_merchants,", 0) == 0);
  CHECK(csv.body.find("category,pharmacy,0,") != std::string::npos);
  CHECK(csv.body.find("term,durian,,5,5,5,,,1,none") != std::string::npos);
  auto accept = t.call("GET", c.base() + "/category-gaps", std::nullopt, c.manager.token, {{"Accept", "text/csv"}});
  CHECK(accept.body == csv.body);

  CHECK(t.get(c.base() + "/category-gaps?format=xml", c.manager.token).status == 422);
  CHECK(t.get(c.base() + "/category-gaps", w.resident.token).status == 403);
  CHECK(t.get(c.base() + "/category-gaps", w.grocery.owner.token).status == 403);
  auto other = t.community();
  CHECK(t.get(c.base() + "/category-gaps", other.manager.token).status == 404);
  // The other community's report has none of this community's demand.
  auto theirs = t.get(other.base() + "/category-gaps", other.manager.token);
  REQUIRE(theirs.status == 200);
  CHECK(theirs.json.at("terms").as_array().empty());
}
