// json_out.hpp: a view written as text is the same bytes as the tree serialised.
#include "http/json.hpp"
#include "http/json_out.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <random>

using namespace courtyard;

namespace {

struct Item {
  std::int64_t id = 0;
  std::string label;
};

// Every kind of field the sinks take.
template <class Out>
void sample_fields(Out& out, Item const& it) {
  out.put("id", it.id);
  out.put("small", 7);
  out.put("negative", std::int64_t{-9223372036854775807LL - 1});
  out.put("max", std::int64_t{9223372036854775807LL});
  out.put("yes", true);
  out.put("no", false);
  out.put("label", it.label);
  out.put("literal", "plain");
  out.put("view", std::string_view("a\0b", 3));
  out.put("nothing", nullptr);
  out.put("some_int", std::optional<std::int64_t>(42));
  out.put("no_int", std::optional<std::int64_t>());
  out.put("some_text", std::optional<std::string>("x\"y"));
  out.put("no_text", std::optional<std::string>());
  out.put_time("at", std::int64_t{1795428000250});
  out.put_time("opt_at", std::optional<std::int64_t>(0));
  out.put_time("no_at", std::optional<std::int64_t>());
  out.put_objects("children", std::vector<int>{1, 2}, [](auto& child, int n) { child.put("n", n); });
  out.put_objects("none", std::vector<int>{}, [](auto& child, int n) { child.put("n", n); });
}

std::string tree_text(Item const& it) {
  return boost::json::serialize(json::tree([&](json::TreeObject& out) { sample_fields(out, it); }));
}
std::string text_text(Item const& it) {
  return json::text([&](json::TextObject& out) { sample_fields(out, it); });
}

}  // namespace

TEST_CASE("a view written as text is the serialised tree, byte for byte", "[json]") {
  Item plain{1, "Sourdough"};
  CHECK(text_text(plain) == tree_text(plain));
  CHECK(boost::json::parse(text_text(plain)).as_object().at("view").as_string().size() == 3);

  // Every escape boost::json writes: quote, backslash, the short forms, \u00xx, and UTF-8 as is.
  std::string tricky = "q\" b\\ \b\f\n\r\t \x01\x1f\x7f / caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8d\x9e";
  Item odd{2, tricky};
  CHECK(text_text(odd) == tree_text(odd));
  CHECK(boost::json::parse(text_text(odd)).as_object().at("label").as_string() == tricky);

  std::mt19937 gen(11);
  for (int round = 0; round < 200; ++round) {
    std::string s(gen() % 12, ' ');
    for (auto& c : s) c = static_cast<char>(gen() % 128);
    Item r{round, s};
    INFO("round " << round);
    REQUIRE(text_text(r) == tree_text(r));
  }
}

TEST_CASE("a page written as text is page_of_rows serialised", "[json]") {
  std::vector<Item> rows;
  for (int i = 9; i >= 1; --i) rows.push_back({i, "row " + std::to_string(i)});
  auto view = [](Item const& it) { return json::tree([&](json::TreeObject& out) { sample_fields(out, it); }); };
  auto fill = [](json::TextObject& out, Item const& it) { sample_fields(out, it); };
  for (std::int64_t limit : {1, 3, 8, 9, 10, 200}) {
    json::Page page;
    page.limit = limit;
    INFO("limit " << limit);
    CHECK(json::page_text(rows, page, fill) == boost::json::serialize(json::page_of_rows(rows, page, view)));
  }
  json::Page page;
  page.limit = 3;
  auto cut = json::page_cut(rows, page);
  CHECK(cut.count == 3);
  CHECK(cut.next == 7);  // the last row shown
  page.limit = 9;
  CHECK_FALSE(json::page_cut(rows, page).next);
  CHECK(json::page_text(std::vector<Item>{}, page, fill) == R"({"items":[],"next_cursor":null})");
}

TEST_CASE("a quoted timestamp is rfc3339 in quotes", "[json][time]") {
  for (std::int64_t ms : {std::int64_t{1795428000250}, std::int64_t{0}, std::int64_t{-1001}}) {
    std::string quoted;
    json::append_time(quoted, ms);
    CHECK(quoted == "\"" + json::rfc3339(ms) + "\"");
  }
}
