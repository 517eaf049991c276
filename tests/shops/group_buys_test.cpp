// Group buys: creation, joining with held funds, and the closer job (reached -> orders,
// not reached or stock short -> every hold released), also with concurrent closers.
#include "services/shops/api.hpp"
#include "tests/shops/support.hpp"
#include "tests/support/threads.hpp"

using namespace shops_test;

namespace {

constexpr std::int64_t kCloseIn = 60'000;

std::string closes_in(std::int64_t ms) { return courtyard::json::rfc3339(courtyard::db::now_ms() + ms); }

std::int64_t create_group_buy(Shop const& s, std::int64_t pid, std::int64_t price, std::int64_t min) {
  auto r = TestApp::get().post(s.c.base() + "/group-buys",
                               {{"product_id", pid}, {"unit_price_cents", price}, {"min_participants", min},
                                {"closes_at", closes_in(kCloseIn)}},
                               s.owner.token);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.id();
}

std::string gb_path(Shop const& s, std::int64_t gid) { return s.c.base() + "/group-buys/" + std::to_string(gid); }

Result join(Shop const& s, std::int64_t gid, Actor const& who, std::int64_t q, std::string key = "") {
  return TestApp::get().post(gb_path(s, gid) + "/join", {{"quantity", q}}, who.token,
                             key.empty() ? courtyard::http::Headers{} : idem(key));
}

std::vector<bj::object> closed_events(Shop const& s, std::int64_t gid) {
  std::vector<bj::object> out;
  for (auto& e : events(s.c, "groupbuy.closed"))
    if (e.at("group_buy_id").as_int64() == gid) out.push_back(e);
  return out;
}

void close_now() {
  auto& t = TestApp::get();
  t.advance_clock_ms(kCloseIn + 1000);
  REQUIRE(t.run_job("shops.close_group_buys"));
}

}  // namespace

TEST_CASE("group buy creation and joining", "[shops][groupbuys]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto pid = product(s, "Rice 10kg", 3000, 50);
  auto rival = second_shop(s);
  auto theirs = product(rival, "Flour", 800, 5);
  auto r = buyer(s, 10'000);
  auto base = s.c.base() + "/group-buys";

  // Validation and roles.
  CHECK(t.post(base, {{"product_id", pid}, {"unit_price_cents", 2500}, {"min_participants", 3},
                      {"closes_at", closes_in(-1000)}},
               s.owner.token)
            .status == 422);
  CHECK(t.post(base, {{"product_id", pid}, {"unit_price_cents", 0}, {"min_participants", 3},
                      {"closes_at", closes_in(kCloseIn)}},
               s.owner.token)
            .status == 422);
  CHECK(t.post(base, {{"product_id", 999999999}, {"unit_price_cents", 2500}, {"min_participants", 3},
                      {"closes_at", closes_in(kCloseIn)}},
               s.owner.token)
            .status == 422);
  CHECK(t.post(base, {{"product_id", "x"}}, s.owner.token).status == 400);
  CHECK(t.post(base, {{"product_id", theirs}, {"unit_price_cents", 2500}, {"min_participants", 3},
                      {"closes_at", closes_in(kCloseIn)}},
               s.owner.token)
            .status == 403);
  CHECK(t.post(base, {{"product_id", pid}, {"unit_price_cents", 2500}, {"min_participants", 3},
                      {"closes_at", closes_in(kCloseIn)}},
               r.token)
            .status == 403);

  auto created = t.post(base, {{"product_id", pid}, {"unit_price_cents", 2500}, {"min_participants", 3},
                               {"closes_at", closes_in(kCloseIn)}},
                        s.owner.token);
  REQUIRE(created.status == 201);
  auto gid = created.id();
  CHECK(created.header("Location") == gb_path(s, gid));
  CHECK(created.json.at("status").as_string() == "open");
  CHECK(created.json.at("merchant_id").as_int64() == s.mid);

  // Joining holds the money.
  auto joined = join(s, gid, r, 2, t.unique("join"));
  REQUIRE(joined.status == 201);
  CHECK(joined.json.at("amount_cents").as_int64() == 5000);
  CHECK(joined.json.at("status").as_string() == "held");
  CHECK(t.balance(s.c, r) == 5000);
  auto again = join(s, gid, r, 1);
  CHECK(again.status == 409);
  CHECK(again.problem_type() == "/problems/already-joined");
  CHECK(t.balance(s.c, r) == 5000);
  auto poor = buyer(s, 1000);
  auto broke = join(s, gid, poor, 1);
  CHECK(broke.status == 409);
  CHECK(broke.problem_type() == "/problems/insufficient-funds");
  CHECK(join(s, gid, poor, 0).status == 422);
  CHECK(t.post(gb_path(s, gid) + "/join", {{"quantity", "1"}}, poor.token).status == 400);
  CHECK(join(s, 999999999, poor, 1).status == 404);
  CHECK(t.post(gb_path(s, gid) + "/join", {{"quantity", 1}}, s.c.manager.token).status == 403);

  // Idempotent join: the replay holds nothing more.
  auto r2 = buyer(s, 10'000);
  auto k = t.unique("join");
  auto j1 = join(s, gid, r2, 1, k);
  auto j2 = join(s, gid, r2, 1, k);
  REQUIRE(j1.status == 201);
  CHECK(j2.status == 201);
  CHECK(j2.body == j1.body);
  CHECK(t.balance(s.c, r2) == 7500);

  // Listing and reading.
  auto list = t.get(base + "?status=open", r.token);
  REQUIRE(list.status == 200);
  CHECK(list.json.at("items").at(0).at("id").as_int64() == gid);
  CHECK(t.get(base + "?status=gone", r.token).status == 422);
  auto one = t.get(gb_path(s, gid), r.token);
  REQUIRE(one.status == 200);
  CHECK(one.json.at("participants").as_int64() == 2);
  CHECK(one.json.at("my_participation").at("quantity").as_int64() == 2);
  CHECK(t.get(gb_path(s, 999999999), r.token).status == 404);
  auto other = t.community();
  auto stranger = t.resident(other);
  CHECK(t.get(gb_path(s, gid), other.manager.token).status == 404);
  CHECK(t.get(other.base() + "/group-buys/" + std::to_string(gid), stranger.token).status == 404);
  CHECK(t.post(other.base() + "/group-buys/" + std::to_string(gid) + "/join", {{"quantity", 1}}, stranger.token).status ==
        404);
  CHECK(ledger_balanced(s.c));
}

TEST_CASE("group buy reached: one order per participant, holds paid to the merchant", "[shops][groupbuys][jobs]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto pid = product(s, "Olive oil 5l", 4000, 10);
  auto gid = create_group_buy(s, pid, 3000, 2);
  std::vector<Actor> people{buyer(s, 10'000), buyer(s, 10'000), buyer(s, 10'000, 1)};
  std::vector<std::int64_t> qty{1, 2, 1};
  for (std::size_t i = 0; i < people.size(); ++i) REQUIRE(join(s, gid, people[i], qty[i]).status == 201);
  CHECK(merchant_balance(s) == 0);

  close_now();
  auto g = t.get(gb_path(s, gid), people[0].token);
  REQUIRE(g.status == 200);
  CHECK(g.json.at("status").as_string() == "closed");
  CHECK(g.json.at("outcome").as_string() == "reached");
  CHECK(g.json.at("my_participation").at("status").as_string() == "ordered");
  CHECK(stock(s, pid) == 6);
  CHECK(movements_total(s, pid) == 6);
  CHECK(merchant_balance(s) == 12'000);
  for (std::size_t i = 0; i < people.size(); ++i) {
    CHECK(t.balance(s.c, people[i]) == 10'000 - 3000 * qty[i]);
    auto mine = t.get("/v1/me/orders", people[i].token);
    REQUIRE(mine.json.at("items").as_array().size() == 1);
    auto const& o = mine.json.at("items").at(0);
    CHECK(o.at("group_buy_id").as_int64() == gid);
    CHECK(o.at("total_cents").as_int64() == 3000 * qty[i]);
    CHECK(o.at("status").as_string() == "placed");
    CHECK(o.at("redemption_code").as_string().size() == 12);
  }
  CHECK(t.get(s.c.base() + "/group-buys/" + std::to_string(gid), people[2].token)
            .json.at("my_participation")
            .at("order_id")
            .is_int64());
  auto closed = closed_events(s, gid);
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].at("reached").as_bool());
  CHECK(closed[0].at("order_ids").as_array().size() == 3);
  CHECK(closed[0].at("participant_ids").as_array().size() == 3);
  CHECK(events(s.c, "order.placed").size() == 3);
  CHECK(ledger_balanced(s.c));

  // Closed: no more joining; running the job again changes nothing.
  auto late = join(s, gid, buyer(s, 10'000), 1);
  CHECK(late.status == 409);
  CHECK(late.problem_type() == "/problems/group-buy-closed");
  REQUIRE(t.run_job("shops.close_group_buys"));
  CHECK(closed_events(s, gid).size() == 1);
  CHECK(merchant_balance(s) == 12'000);
}

TEST_CASE("group buy not reached or short of stock: every hold released", "[shops][groupbuys][jobs]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto pid = product(s, "Coffee beans", 2000, 3);
  auto lonely = create_group_buy(s, pid, 1500, 3);
  auto greedy = create_group_buy(s, pid, 1500, 2);
  auto a = buyer(s, 10'000), b = buyer(s, 10'000), c = buyer(s, 10'000);
  REQUIRE(join(s, lonely, a, 1).status == 201);
  REQUIRE(join(s, greedy, b, 2).status == 201);
  REQUIRE(join(s, greedy, c, 2).status == 201);  // 4 wanted, 3 in stock
  CHECK(t.balance(s.c, b) == 7000);

  // Once closes_at passes, nobody joins even before the job has run.
  t.advance_clock_ms(kCloseIn + 1000);
  CHECK(join(s, lonely, b, 1).problem_type() == "/problems/group-buy-closed");
  REQUIRE(t.run_job("shops.close_group_buys"));

  for (auto const* who : {&a, &b, &c}) CHECK(t.balance(s.c, *who) == 10'000);
  CHECK(stock(s, pid) == 3);
  CHECK(merchant_balance(s) == 0);
  auto e1 = closed_events(s, lonely);
  REQUIRE(e1.size() == 1);
  CHECK_FALSE(e1[0].at("reached").as_bool());
  CHECK(e1[0].at("outcome").as_string() == "not_enough_participants");
  CHECK(e1[0].at("order_ids").as_array().empty());
  auto e2 = closed_events(s, greedy);
  REQUIRE(e2.size() == 1);
  CHECK(e2[0].at("outcome").as_string() == "stock_short");
  CHECK(t.get(gb_path(s, greedy), b.token).json.at("my_participation").at("status").as_string() == "released");
  CHECK(t.get("/v1/me/orders", b.token).json.at("items").as_array().empty());
  CHECK(ledger_balanced(s.c));
}

TEST_CASE("concurrent closers settle each group buy exactly once", "[shops][groupbuys][jobs][concurrency]") {
  auto& t = TestApp::get();
  auto s = shop();
  auto pid = product(s, "Honey jar", 900, 100);
  std::vector<std::int64_t> gids;
  std::vector<Actor> people;
  for (int i = 0; i < 3; ++i) people.push_back(buyer(s, 20'000));
  for (int g = 0; g < 4; ++g) {
    gids.push_back(create_group_buy(s, pid, 700, 2));
    for (auto const& p : people) REQUIRE(join(s, gids.back(), p, 1).status == 201);
  }
  t.advance_clock_ms(kCloseIn + 1000);

  // Two instances' worth of closers (and more) at once, straight at the job body.
  constexpr int kClosers = 6;
  courtyard::test::in_threads(kClosers, [&](int) {
    courtyard::shops::close_due_group_buys(t.app().db(), t.app().bus(), courtyard::db::now_ms());
  });

  for (auto gid : gids) {
    INFO("group buy " << gid);
    CHECK(closed_events(s, gid).size() == 1);
    CHECK(t.get(gb_path(s, gid), people[0].token).json.at("outcome").as_string() == "reached");
  }
  CHECK(events(s.c, "order.placed").size() == gids.size() * people.size());
  for (auto const& p : people) {
    CHECK(t.get("/v1/me/orders", p.token).json.at("items").as_array().size() == gids.size());
    CHECK(t.balance(s.c, p) == 20'000 - 700 * static_cast<std::int64_t>(gids.size()));
  }
  CHECK(stock(s, pid) == 100 - 12);
  CHECK(movements_total(s, pid) == 100 - 12);
  CHECK(merchant_balance(s) == 700 * 12);
  CHECK(ledger_balanced(s.c));
}
