// The pure parts: the signer against the Standard Webhooks test vector and an independent
// verifier, the URL guard on address literals (no connection is opened), event-type
// patterns, the retry schedule, Retry-After and the decision after an attempt, sealed secrets.
#include "services/webhooks/logic.hpp"
#include "services/webhooks/signature.hpp"
#include "services/webhooks/url_guard.hpp"
#include "tests/webhooks/verifier.hpp"

#include <catch2/catch.hpp>
#include <sodium.h>

using namespace courtyard::webhooks;

namespace {
// The specification's published vector (standard-webhooks, libraries/*/tests).
constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr char kId[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t kTimestamp = 1614265330;
constexpr char kBody[] = "{\"test\": 2432232314}";
constexpr char kExpected[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

struct SodiumInit {
  SodiumInit() { REQUIRE(sodium_init() >= 0); }
};
}  // namespace

TEST_CASE("the signer reproduces the Standard Webhooks test vector", "[webhooks][signature]") {
  SodiumInit init;
  CHECK(sign(kSecret, kId, kTimestamp, kBody) == kExpected);
  // The prefix is optional on the key, as in the reference libraries.
  CHECK(sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", kId, kTimestamp, kBody) == kExpected);
  // Any change to id, timestamp or body changes the signature.
  CHECK(sign(kSecret, "msg_other", kTimestamp, kBody) != kExpected);
  CHECK(sign(kSecret, kId, kTimestamp + 1, kBody) != kExpected);
  CHECK(sign(kSecret, kId, kTimestamp, "{\"test\": 2432232315}") != kExpected);
  CHECK_THROWS(sign("whsec_not base64!", kId, kTimestamp, kBody));
}

TEST_CASE("the independent verifier agrees with the vector and with the signer", "[webhooks][signature]") {
  SodiumInit init;
  CHECK(webhooks_test::expected_signature(kSecret, kId, "1614265330", kBody) == kExpected);
  for (int i = 0; i < 20; ++i) {
    auto secret = new_secret();
    REQUIRE(secret.rfind("whsec_", 0) == 0);
    auto key = secret_key(secret);
    REQUIRE(key);
    CHECK(key->size() == kSecretBytes);
    std::string body = "{\"n\":" + std::to_string(i) + ",\"text\":\"h\\u00e9llo \xe2\x82\xac\"}";
    auto header = sign(secret, "msg_" + std::to_string(i), 1700000000 + i, body);
    CHECK(webhooks_test::signed_by({secret}, "msg_" + std::to_string(i), std::to_string(1700000000 + i), body, header) ==
          std::vector<std::size_t>{0});
    CHECK(webhooks_test::signed_by({new_secret()}, "msg_" + std::to_string(i), std::to_string(1700000000 + i), body,
                                   header)
              .empty());
  }
}

TEST_CASE("the signature header carries one entry per secret during a rotation", "[webhooks][signature]") {
  SodiumInit init;
  auto old_secret = new_secret(), new_secret_ = new_secret();
  auto header = signature_header({new_secret_, old_secret}, kId, kTimestamp, kBody);
  CHECK(header.find(' ') != std::string::npos);
  CHECK(webhooks_test::signed_by({old_secret, new_secret_}, kId, "1614265330", kBody, header) ==
        std::vector<std::size_t>{0, 1});
  CHECK(signature_header({kSecret}, kId, kTimestamp, kBody) == kExpected);
}

TEST_CASE("secrets are sealed at rest with the configured key", "[webhooks][signature]") {
  SodiumInit init;
  SecretBox plain("");
  CHECK_FALSE(plain.sealing());
  CHECK(plain.open(plain.seal(kSecret)) == kSecret);

  SecretBox box(std::string(64, 'a'));
  CHECK(box.sealing());
  auto sealed = box.seal(kSecret);
  CHECK(sealed.find("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == std::string::npos);
  CHECK(box.open(sealed) == kSecret);
  CHECK(box.seal(kSecret) != sealed);  // a fresh nonce each time
  CHECK_THROWS(SecretBox(std::string(64, 'b')).open(sealed));
  CHECK_THROWS(plain.open(sealed));
  CHECK_THROWS_AS(SecretBox("abc"), std::invalid_argument);
  CHECK_THROWS_AS(SecretBox(std::string(64, 'z')), std::invalid_argument);
}

TEST_CASE("the URL guard refuses inward addresses and other schemes without connecting", "[webhooks][ssrf]") {
  struct Row {
    char const* url;
    bool allowed;
  };
  Row const rows[] = {
      {"https://hooks.example.com/courtyard", true},
      {"http://hooks.example.com:8080/x?y=1", true},
      {"https://93.184.216.34/hook", true},
      {"https://[2606:2800:220:1:248:1893:25c8:1946]/hook", true},
      {"HTTPS://Hooks.Example.COM/", true},
      {"ftp://hooks.example.com/", false},
      {"file:///etc/passwd", false},
      {"gopher://hooks.example.com/", false},
      {"javascript:alert(1)", false},
      {"hooks.example.com/no-scheme", false},
      {"https://user:pass@hooks.example.com/", false},
      {"https://hooks.example.com/#frag", false},
      {"https:///nohost", false},
      // loopback
      {"http://127.0.0.1/", false},
      {"http://127.1.2.3:8080/", false},
      {"http://localhost/", false},
      {"http://api.localhost/", false},
      {"http://[::1]/", false},
      {"http://[::ffff:127.0.0.1]/", false},
      // private, shared, link-local, metadata
      {"http://10.0.0.1/", false},
      {"http://172.16.5.4/", false},
      {"http://172.31.255.255/", false},
      {"http://172.32.0.1/", true},
      {"http://192.168.1.1/", false},
      {"http://100.64.0.1/", false},
      {"http://100.127.255.254/", false},
      {"http://100.128.0.1/", true},
      {"http://169.254.0.1/", false},
      {"http://169.254.169.254/latest/meta-data/", false},
      {"http://[fe80::1]/", false},
      {"http://[fd00:ec2::254]/", false},
      {"http://[fc00::1]/", false},
      {"http://[fdff:ffff::1]/", false},
      // unspecified, multicast, broadcast, reserved
      {"http://0.0.0.0/", false},
      {"http://[::]/", false},
      {"http://224.0.0.1/", false},
      {"http://239.255.255.250/", false},
      {"http://[ff02::1]/", false},
      {"http://255.255.255.255/", false},
      {"http://240.0.0.1/", false},
      // IPv4 inside IPv6
      {"http://[::ffff:10.0.0.1]/", false},
      {"http://[::ffff:169.254.169.254]/", false},
      {"http://[::ffff:192.168.0.1]/", false},
      {"http://[::ffff:93.184.216.34]/", true},
      {"http://[64:ff9b::a00:1]/", false},
      {"http://[2002:c0a8:0101::1]/", false},
      // numeric spellings a resolver reads as addresses
      {"http://2130706433/", false},
      {"http://0x7f000001/", false},
      {"http://0177.0.0.1/", false},
  };
  for (auto const& r : rows) {
    INFO(r.url);
    auto c = guard::check_url(r.url, false);
    CHECK(c.target.has_value() == r.allowed);
    if (!r.allowed) CHECK_FALSE(c.problem.empty());
  }

  // allow-loopback lets loopback through, and nothing else.
  for (auto url : {"http://127.0.0.1:9000/h", "http://[::1]:9000/h", "http://localhost:9000/h",
                   "http://[::ffff:127.0.0.1]/"}) {
    INFO(url);
    CHECK(guard::check_url(url, true).target.has_value());
  }
  for (auto url : {"http://10.0.0.1/", "http://169.254.169.254/", "http://[fd00:ec2::254]/", "http://0.0.0.0/"}) {
    INFO(url);
    CHECK_FALSE(guard::check_url(url, true).target.has_value());
  }

  auto t = guard::check_url("https://hooks.example.com/a/b?c=d", false).target;
  REQUIRE(t);
  CHECK(t->tls);
  CHECK(t->port == "443");
  CHECK(t->target == "/a/b?c=d");
  CHECK(t->host_header == "hooks.example.com");
  auto v6 = guard::check_url("http://[2606:2800:220:1:248:1893:25c8:1946]:8080", false).target;
  REQUIRE(v6);
  CHECK(v6->host == "2606:2800:220:1:248:1893:25c8:1946");
  CHECK(v6->host_header == "[2606:2800:220:1:248:1893:25c8:1946]:8080");
  CHECK(v6->target == "/");
}

TEST_CASE("resolved addresses are judged one by one", "[webhooks][ssrf]") {
  using boost::asio::ip::make_address;
  CHECK(guard::blocked(make_address("8.8.8.8"), false).empty());
  CHECK(guard::blocked(make_address("2001:4860:4860::8888"), false).empty());
  CHECK(guard::blocked(make_address("169.254.169.254"), false) == "a cloud metadata address");
  CHECK(guard::blocked(make_address("fd00:ec2::254"), false) == "a cloud metadata address");
  CHECK(guard::blocked(make_address("127.0.0.1"), false) == "a loopback address");
  CHECK(guard::blocked(make_address("127.0.0.1"), true).empty());
  CHECK(guard::blocked(make_address("::ffff:127.0.0.1"), true).empty());
  CHECK_FALSE(guard::blocked(make_address("::ffff:10.1.2.3"), true).empty());
  CHECK(guard::blocked(make_address("100.64.1.1"), false) == "a shared (carrier-grade NAT) address");
}

TEST_CASE("event-type patterns: exact topics and prefix wildcards per audience", "[webhooks][logic]") {
  using logic::Audience;
  CHECK(logic::pattern_problem(Audience::Merchant, "order.placed").empty());
  CHECK(logic::pattern_problem(Audience::Merchant, "order.*").empty());
  CHECK(logic::pattern_problem(Audience::Merchant, "delivery.*").empty());
  CHECK(logic::pattern_problem(Audience::Merchant, "review.posted").empty());
  CHECK_FALSE(logic::pattern_problem(Audience::Merchant, "bill.issued").empty());
  CHECK_FALSE(logic::pattern_problem(Audience::Merchant, "bill.*").empty());
  CHECK_FALSE(logic::pattern_problem(Audience::Merchant, "*").empty());
  CHECK_FALSE(logic::pattern_problem(Audience::Merchant, "order.").empty());
  CHECK_FALSE(logic::pattern_problem(Audience::Merchant, "order.nope").empty());
  CHECK(logic::pattern_problem(Audience::Community, "bill.*").empty());
  CHECK(logic::pattern_problem(Audience::Community, "parcel.logged").empty());
  CHECK_FALSE(logic::pattern_problem(Audience::Community, "order.placed").empty());

  CHECK(logic::matches("order.*", "order.placed"));
  CHECK_FALSE(logic::matches("order.*", "orders.placed"));
  CHECK_FALSE(logic::matches("order.*", "order"));
  CHECK(logic::matches_any({"review.posted", "order.cancelled"}, "order.cancelled"));
  CHECK_FALSE(logic::matches_any({"review.posted"}, "order.cancelled"));

  CHECK(logic::concerns(Audience::Merchant, 7, "order.placed", 7));
  CHECK_FALSE(logic::concerns(Audience::Merchant, 7, "order.placed", 8));
  CHECK_FALSE(logic::concerns(Audience::Merchant, 7, "bill.issued", 7));
  CHECK(logic::concerns(Audience::Community, 0, "bill.issued", 0));
  CHECK_FALSE(logic::concerns(Audience::Community, 0, "order.placed", 7));

  CHECK(logic::split_types(logic::join_types({"a.b", "c.*"})) == std::vector<std::string>{"a.b", "c.*"});
}

TEST_CASE("the retry schedule: parsing, jitter, exhaustion", "[webhooks][logic]") {
  auto s = logic::parse_schedule(logic::kDefaultSchedule);
  REQUIRE(s);
  CHECK(*s == logic::Schedule{5000, 300000, 1800000, 7200000, 18000000, 36000000, 86400000, 86400000});
  std::int64_t total = 0;
  for (auto d : *s) total += d;
  CHECK(total < 3LL * 86400000);  // about three days
  CHECK(logic::parse_schedule("250ms, 1s,2m") == logic::Schedule{250, 1000, 120000});
  for (auto bad : {"", "5", "5x", "0s", "-1s", "8d", "1s,,2s", "s"}) {
    INFO(bad);
    CHECK_FALSE(logic::parse_schedule(bad));
  }
  CHECK(logic::retry_delay_ms(*s, 1, 0.0) == 5000);
  CHECK(logic::retry_delay_ms(*s, 1, 0.999) == 5000 + 999);
  CHECK(logic::retry_delay_ms(*s, 2, 0.5) == 300000 + 30000);
  CHECK(logic::retry_delay_ms(*s, 8, 0.0) == 86400000);
  CHECK_FALSE(logic::retry_delay_ms(*s, 9, 0.0));
  CHECK_FALSE(logic::retry_delay_ms(*s, 0, 0.0));
}

TEST_CASE("Retry-After: seconds or an HTTP date", "[webhooks][logic]") {
  std::int64_t now = 784111777000;  // Sun, 06 Nov 1994 08:49:37 GMT
  CHECK(logic::parse_retry_after_ms("120", now) == 120000);
  CHECK(logic::parse_retry_after_ms(" 0 ", now) == 0);
  CHECK(logic::parse_retry_after_ms("999999999999", now) == logic::kMaxRetryAfterMs);
  CHECK(logic::parse_retry_after_ms("Sun, 06 Nov 1994 08:51:37 GMT", now) == 120000);
  CHECK(logic::parse_retry_after_ms("Sun, 06 Nov 1994 08:40:00 GMT", now) == 0);
  CHECK_FALSE(logic::parse_retry_after_ms("soon", now));
  CHECK_FALSE(logic::parse_retry_after_ms("", now));
  CHECK_FALSE(logic::parse_retry_after_ms("-5", now));
}

TEST_CASE("what an attempt's answer decides", "[webhooks][logic]") {
  using K = logic::Decision::Kind;
  logic::Schedule s{5000, 300000};
  auto d = logic::decide(200, std::nullopt, 1, s, 0.0, 1000);
  CHECK(d.kind == K::Succeeded);
  CHECK(logic::decide(204, std::nullopt, 1, s, 0.0, 1000).kind == K::Succeeded);
  d = logic::decide(500, std::nullopt, 1, s, 0.0, 1000);
  CHECK(d.kind == K::Retry);
  CHECK(d.next_attempt_at == 6000);
  d = logic::decide(0, std::nullopt, 2, s, 0.0, 1000);  // refused, timed out
  CHECK(d.next_attempt_at == 301000);
  d = logic::decide(301, std::nullopt, 1, s, 0.0, 1000);  // redirects are not followed
  CHECK(d.kind == K::Retry);
  d = logic::decide(500, std::nullopt, 3, s, 0.0, 1000);
  CHECK(d.kind == K::Failed);
  CHECK(d.disable_reason == "failing");
  d = logic::decide(410, std::nullopt, 1, s, 0.0, 1000);
  CHECK(d.kind == K::Failed);
  CHECK(d.disable_reason == "gone");
  // 429/503 wait for Retry-After when it is longer than the schedule's delay.
  CHECK(logic::decide(429, 60000, 1, s, 0.0, 1000).next_attempt_at == 61000);
  CHECK(logic::decide(503, 60000, 1, s, 0.0, 1000).next_attempt_at == 61000);
  CHECK(logic::decide(503, 1000, 1, s, 0.0, 1000).next_attempt_at == 6000);
  CHECK(logic::decide(500, 60000, 1, s, 0.0, 1000).next_attempt_at == 6000);
}

TEST_CASE("response snippets are cut on a character boundary", "[webhooks][logic]") {
  CHECK(logic::snippet("short") == "short");
  std::string long_text(logic::kSnippetChars - 1, 'a');
  long_text += "\xe2\x82\xac tail";
  auto s = logic::snippet(long_text);
  CHECK(s.size() == logic::kSnippetChars - 1);
}
