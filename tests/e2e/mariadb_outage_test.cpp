// MariaDB killed and restarted under load (issue #10): Courtyard keeps running on a private
// mariadbd that is SIGKILLed mid-load. While it is down every request is answered, quickly,
// with 503 + Retry-After as problem+json (never a 500, never a hang); once mariadbd is back on
// the same data directory and port, requests succeed again without restarting Courtyard, and
// the invariants of the crash test hold.
#include "tests/e2e/fault_support.hpp"
#include "tests/e2e/mariadb_process.hpp"
#include "tests/e2e/server_process.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <iostream>

using namespace courtyard::e2e;
namespace bj = boost::json;

namespace {

// Longest a request may take while storage is down: the pool wait (5 s) plus slack.
constexpr auto kAnswerBound = std::chrono::seconds(8);

struct Probe {
  HttpResponse response;
  std::chrono::milliseconds took;
};

Probe timed(unsigned short port, std::string_view method, std::string const& target, std::string const& body,
            std::string const& token) {
  auto const t0 = std::chrono::steady_clock::now();
  auto r = fetch(port, method, target, body, {{"Authorization", "Bearer " + token}});
  return {std::move(r),
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)};
}

std::string order_body(Seeded const& s) {
  return bj::serialize(bj::object{{"merchant_id", s.merchant_id},
                                  {"items", bj::array{bj::object{{"product_id", s.product_ids.at(0)}, {"quantity", 1}}}},
                                  {"fulfilment", "pickup"}});
}

}  // namespace

TEST_CASE("faults: MariaDB killed under load answers 503 + Retry-After, then recovers without a restart",
          "[faults][outage]") {
  auto const seed = test_seed();
  std::cout << "outage test: seed " << seed << " (COURTYARD_TEST_SEED=" << seed << " replays it)" << std::endl;
  MariaDbProcess mariadb;
  SharedDatabase database(mariadb.url());
  ServerProcess server({"--db", database.url(), "--rate-limit-rps", "0", "--dispatcher-poll-ms", "100", "--workers",
                        "8"});
  Seeded const s = seed_community(server.port(), SeedOptions{.residents = 4, .bill_periods = 6});
  auto const& token = s.residents.at(0).token;

  // Load, then the kill.
  LoadResult all;
  auto load = std::make_unique<LoadClient>(s, std::vector<unsigned short>{server.port()}, seed);
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  mariadb.kill9();
  auto const killed_at = std::chrono::steady_clock::now();

  // The outage: every answer is a bounded 503 with Retry-After, as problem+json.
  int probes = 0;
  while (std::chrono::steady_clock::now() - killed_at < std::chrono::seconds(4)) {
    for (auto const& [method, target, body] :
         {std::tuple<std::string, std::string, std::string>{"POST", s.base + "/orders", order_body(s)},
          {"GET", "/v1/me/bills?status=unpaid", ""},
          {"GET", "/v1/me/wallet?community_id=" + std::to_string(s.community_id), ""}}) {
      auto p = timed(server.port(), method, target, body, token);
      ++probes;
      INFO(method << " " << target << " during the outage: " << p.response.status << " " << p.response.body);
      CHECK(p.response.status == 503);
      CHECK(p.response.header("retry-after") != "");
      CHECK(p.response.header("content-type").rfind("application/problem+json", 0) == 0);
      CHECK(p.took < kAnswerBound);
    }
  }
  CHECK(fetch(server.port(), "GET", "/healthz").status == 200);  // the process itself is fine
  CHECK(fetch(server.port(), "GET", "/readyz").status == 503);
  load->stop();
  auto const during = load->result();
  all.merge(during);
  std::cout << "before and during the outage (" << probes << " probes): " << during.summary() << std::endl;
  {
    INFO(during.summary());
    for (auto const& e : during.server_errors) INFO(e);
    CHECK(during.count(500, 502) + during.count(504, 599) == 0);
    CHECK(during.orders.size() > 0);
  }

  // mariadbd back on the same data and port; Courtyard recovers by itself.
  mariadb.start();
  auto const restarted_at = std::chrono::steady_clock::now();
  int recovered_status = 0;
  while (std::chrono::steady_clock::now() - restarted_at < std::chrono::seconds(15)) {
    auto p = timed(server.port(), "POST", s.base + "/orders", order_body(s), token);
    recovered_status = p.response.status;
    if (recovered_status == 201) {
      all.orders.insert(p.response.json().at("id").as_int64());
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (recovered_status != 201) {
    auto const log = server.log();
    INFO("server log (tail):\n" << log.substr(log.size() > 6000 ? log.size() - 6000 : 0));
    REQUIRE(recovered_status == 201);
  }
  std::cout << "first order after mariadbd restarted: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - restarted_at).count()
            << " ms" << std::endl;
  CHECK(fetch(server.port(), "GET", "/readyz").status == 200);

  // Every pooled connection works again: a full load phase without a single 5xx.
  load = std::make_unique<LoadClient>(s, std::vector<unsigned short>{server.port()}, seed + 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  load->stop();
  auto const after = load->result();
  all.merge(after);
  std::cout << "after recovery: " << after.summary() << std::endl;
  {
    INFO(after.summary());
    for (auto const& e : after.server_errors) INFO(e);
    CHECK(after.count(500, 599) == 0);
    CHECK(after.transport_errors == 0);
    CHECK(after.orders.size() > 0);
  }

  // A delivery claimed just as storage went away keeps its lease (30 s) and is then taken
  // again: the grace covers it.
  auto const inv = check_invariants(database.url(), s, all, std::chrono::seconds(45));
  std::cout << "invariants: " << inv.report() << std::endl;
  INFO(inv.report());
  CHECK(inv.ok());
}
