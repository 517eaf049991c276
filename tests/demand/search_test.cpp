// Product search across the community's approved merchants: ranking, category filter, CJK,
// paging, the index kept with product changes, the backfill job, access and bad input.
#include "db/query.hpp"
#include "tests/shops/support.hpp"

#include <cctype>
#include <set>

using namespace shops_test;

namespace {

std::string search_url(Community const& c, std::string const& query) { return c.base() + "/products?" + query; }

std::string enc(std::string const& s) {
  std::string out;
  char const* hex = "0123456789ABCDEF";
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

std::vector<std::string> names(Result const& r) {
  std::vector<std::string> out;
  for (auto const& i : r.json.at("items").as_array()) out.emplace_back(i.at("name").as_string());
  return out;
}

Result search_for(Shop const& s, Actor const& who, std::string const& q, std::string extra = "") {
  auto r = TestApp::get().get(search_url(s.c, "q=" + enc(q) + extra), who.token);
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r;
}

}  // namespace

TEST_CASE("search ranks the community's products by matched words, name above category", "[demand][search]") {
  auto& t = TestApp::get();
  auto s = shop("grocery");
  auto bakery = second_shop(s);
  product(s, "Organic Eggs", 600, 10);
  product(s, "Free-range eggs", 450, 10);
  product(s, "Egg noodles", 300, 10, "pasta");
  product(s, "Whole milk", 200, 10);
  product(bakery, "Organic sourdough", 500, 5);
  auto r = buyer(s, 0);

  // Plural and case fold: "EGGS" finds every egg product; the two-word match comes first.
  auto hit = search_for(s, r, "organic EGGS");
  auto n = names(hit);
  REQUIRE(n.size() == 4);
  CHECK(n[0] == "Organic Eggs");
  CHECK(hit.json.at("items").at(0).at("score").as_int64() == 6);
  CHECK(hit.json.at("items").at(0).at("merchant_name").is_string());
  CHECK(hit.json.at("total").as_int64() == 4);
  CHECK(hit.json.at("query").as_string() == "organic eggs");
  std::set<std::string> rest(n.begin() + 1, n.end());
  CHECK(rest == std::set<std::string>{"Free-range eggs", "Egg noodles", "Organic sourdough"});

  // A name word outranks a category word: "grocery" is only the category of the eggs.
  CHECK(names(search_for(s, r, "milk")) == std::vector<std::string>{"Whole milk"});
  auto cat = search_for(s, r, "egg", "&category=pasta");
  CHECK(names(cat) == std::vector<std::string>{"Egg noodles"});

  // Nothing found is an empty page, not an error.
  auto none = search_for(s, r, "durian");
  CHECK(none.json.at("items").as_array().empty());
  CHECK(none.json.at("total").as_int64() == 0);

  // Merchants and managers search too (every member).
  CHECK(t.get(search_url(s.c, "q=eggs"), s.owner.token).status == 200);
  CHECK(t.get(search_url(s.c, "q=eggs"), s.c.manager.token).status == 200);
}

TEST_CASE("the index follows product changes and merchant suspension", "[demand][search]") {
  auto& t = TestApp::get();
  auto s = shop("grocery");
  auto r = buyer(s, 0);
  auto pid = product(s, "Blue cheese", 900, 3);
  CHECK(names(search_for(s, r, "cheese")).size() == 1);

  // Renamed: the old words no longer find it, the new ones do (same transaction as the change).
  REQUIRE(t.patch(s.product(pid), {{"name", "Goat cheese"}}, s.owner.token).status == 200);
  CHECK(names(search_for(s, r, "blue")).empty());
  CHECK(names(search_for(s, r, "goat")) == std::vector<std::string>{"Goat cheese"});
  // Taken off sale: gone; back on sale: found again.
  REQUIRE(t.patch(s.product(pid), {{"active", false}}, s.owner.token).status == 200);
  CHECK(names(search_for(s, r, "goat")).empty());
  REQUIRE(t.patch(s.product(pid), {{"active", true}}, s.owner.token).status == 200);
  CHECK(names(search_for(s, r, "goat")).size() == 1);
  // A suspended merchant's products are not offered.
  REQUIRE(t.post(s.c.base() + "/merchants/" + std::to_string(s.mid) + "/suspend", {{"reason", "inspection"}},
                 s.c.manager.token)
              .status == 200);
  CHECK(names(search_for(s, r, "goat")).empty());
}

TEST_CASE("Chinese names are found by character bigrams and single characters", "[demand][search][cjk]") {
  auto s = shop("grocery");
  auto r = buyer(s, 0);
  product(s, "有机鸡蛋 12枚", 1800, 10);
  product(s, "土鸡蛋", 1500, 10);
  product(s, "鸡胸肉", 2500, 10);
  product(s, "Ｏｒｇａｎｉｃ 牛奶", 900, 10);

  auto both = names(search_for(s, r, "鸡蛋"));
  CHECK(std::set<std::string>(both.begin(), both.end()) == std::set<std::string>{"有机鸡蛋 12枚", "土鸡蛋"});
  // The whole phrase: the organic eggs match all three bigrams and lead.
  auto phrase = names(search_for(s, r, "有机鸡蛋"));
  REQUIRE(!phrase.empty());
  CHECK(phrase[0] == "有机鸡蛋 12枚");
  // One character finds every name that has it.
  CHECK(names(search_for(s, r, "鸡")).size() == 3);
  // Full-width Latin folds to ASCII, and mixed text searches both halves.
  CHECK(names(search_for(s, r, "organic")) == std::vector<std::string>{"Ｏｒｇａｎｉｃ 牛奶"});
  CHECK(names(search_for(s, r, "牛奶")) == std::vector<std::string>{"Ｏｒｇａｎｉｃ 牛奶"});
}

TEST_CASE("search pages through ranked hits with the cursor", "[demand][search]") {
  auto& t = TestApp::get();
  auto s = shop("grocery");
  auto r = buyer(s, 0);
  for (int i = 0; i < 7; ++i) product(s, "Apple variety " + std::to_string(i), 100 + i, 5);
  product(s, "Apple juice apple", 300, 5);  // duplicate word counts once
  product(s, "Green apple tart", 300, 5, "bakery");

  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  for (;;) {
    auto res = search_for(s, r, "apple variety", "&limit=3" + (cursor.empty() ? std::string() : "&cursor=" + cursor));
    ++pages;
    for (auto& n : names(res)) seen.push_back(n);
    if (res.json.at("next_cursor").is_null()) break;
    cursor = std::string(res.json.at("next_cursor").as_string());
    CHECK(!res.json.as_object().contains("total") == (pages > 1));
    REQUIRE(pages < 10);
  }
  REQUIRE(seen.size() == 9);
  std::set<std::string> distinct(seen.begin(), seen.end());
  CHECK(distinct.size() == 9);
  // The seven two-word matches first.
  for (int i = 0; i < 7; ++i) CHECK(seen[i].rfind("Apple variety", 0) == 0);
  (void)t;
}

TEST_CASE("search answers bad input, strangers and other communities with problems", "[demand][search]") {
  auto& t = TestApp::get();
  auto s = shop("grocery");
  auto r = buyer(s, 0);
  product(s, "Rice", 100, 5);
  CHECK(t.get(search_url(s.c, "category=grocery"), r.token).status == 422);
  CHECK(t.get(search_url(s.c, "q=%20%2C%2C"), r.token).status == 422);
  CHECK(t.get(search_url(s.c, "q=rice&limit=0"), r.token).status == 422);
  CHECK(t.get(search_url(s.c, "q=rice&cursor=%21%21"), r.token).status == 422);
  CHECK(t.get(search_url(s.c, "q=" + std::string(600, 'a')), r.token).status == 422);
  CHECK(t.get(search_url(s.c, "q=rice")).status == 401);
  auto other = t.community();
  auto stranger = t.resident(other);
  CHECK(t.get(search_url(s.c, "q=rice"), stranger.token).status == 404);
  // Another community's products are never found from here.
  auto s2 = shop("grocery");
  product(s2, "Rice special", 100, 5);
  CHECK(names(search_for(s, r, "special")).empty());
}

TEST_CASE("products written before the index existed are indexed by the job", "[demand][search]") {
  auto& t = TestApp::get();
  auto s = shop("grocery");
  auto r = buyer(s, 0);
  // A bulk load that bypasses the routes (as the demo data or an import would).
  courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    std::int64_t now = courtyard::db::now_ms();
    tx.exec("INSERT INTO products (community_id, merchant_id, name, category, price_cents, stock, active, created_at, "
            "updated_at) VALUES (:c, :m, 'Imported quinoa', 'grocery', 100, 1, 1, :t, :t2)",
            soci::use(s.c.id, "c"), soci::use(s.mid, "m"), soci::use(now, "t"), soci::use(now, "t2"));
  });
  CHECK(names(search_for(s, r, "quinoa")).empty());
  REQUIRE(t.run_job("shops.index_products"));
  CHECK(names(search_for(s, r, "quinoa")) == std::vector<std::string>{"Imported quinoa"});
}

TEST_CASE("the index job indexes a bulk load larger than one batch in one run", "[demand][search]") {
  auto& t = TestApp::get();
  auto s = shop("grocery");
  auto r = buyer(s, 0);
  constexpr int kProducts = 1203;  // two full batches of 500 and a partial one
  courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    std::int64_t now = courtyard::db::now_ms();
    for (int done = 0; done < kProducts; done += 400) {
      courtyard::db::Query q("INSERT INTO products (community_id, merchant_id, name, category, price_cents, stock, "
                             "active, created_at, updated_at) VALUES ");
      for (int i = done; i < done + 400 && i < kProducts; ++i) {
        q.sql(i > done ? ", (" : "(").value(s.c.id).sql(", ").value(s.mid).sql(", ");
        q.value("Bulk millet " + std::to_string(i)).sql(", 'grocery', 100, 1, 1, ").value(now).sql(", ").value(now);
        q.sql(")");
      }
      q.exec(tx);
    }
  });
  REQUIRE(t.run_job("shops.index_products"));
  auto found = t.get(search_url(s.c, "q=" + enc("bulk millet 1202")), r.token);
  REQUIRE(found.status == 200);
  auto const& items = found.json.at("items").as_array();
  REQUIRE(!items.empty());
  CHECK(items[0].at("name").as_string() == "Bulk millet 1202");
  std::int64_t pending = courtyard::db::transact(t.app().db(), nullptr, [&](courtyard::db::Tx& tx) {
    return courtyard::db::scalar(tx, "SELECT COUNT(*) FROM products p WHERE p.merchant_id = :m AND NOT EXISTS "
                                     "(SELECT 1 FROM product_search_state s WHERE s.product_id = p.id)",
                                 soci::use(s.mid, "m"));
  });
  CHECK(pending == 0);
}
