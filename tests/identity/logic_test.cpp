#include "services/identity/credentials.hpp"
#include "services/identity/logic.hpp"

#include <catch2/catch.hpp>

using namespace courtyard;
using namespace courtyard::identity;

TEST_CASE("emails are normalised and checked", "[identity][logic]") {
  CHECK(normalize_email("  Alice@Example.ORG \t") == "alice@example.org");
  for (auto const* ok : {"a@b.co", "first.last+tag@sub.example.org", "o'brien@xn--bcher-kva.example", "x_y-z@a-b.io"}) {
    INFO(ok);
    CHECK_FALSE(email_problem(ok).has_value());
  }
  for (auto const* bad : {"", "plain", "@example.org", "a@", "a@b", "a@@b.co", "a@b@c.co", ".a@b.co", "a.@b.co",
                          "a..b@c.co", "a b@c.co", "a@-b.co", "a@b-.co", "a@b..co", "a@b.co.", "ä@b.co", "a@b_c.co"}) {
    INFO(bad);
    CHECK(email_problem(bad).has_value());
  }
  CHECK(email_problem(std::string(65, 'a') + "@b.co").has_value());
  CHECK(email_problem("a@" + std::string(64, 'b') + ".co").has_value());
}

TEST_CASE("passwords and free text", "[identity][logic]") {
  CHECK(password_problem("1234567").has_value());
  CHECK_FALSE(password_problem("12345678").has_value());
  CHECK_FALSE(password_problem("pässwörd").has_value());  // 8 characters, 10 bytes
  CHECK(password_problem("päss").has_value());
  CHECK_FALSE(password_problem(std::string(128, 'x')).has_value());
  CHECK(password_problem(std::string(129, 'x')).has_value());
  CHECK(password_problem("        ").has_value());

  CHECK(utf8_length("héllo") == 5);
  CHECK(trim("  a b \n") == "a b");
  CHECK(text_problem("", 10) == std::optional<std::string>("is required"));
  CHECK(text_problem("ok", 10) == std::nullopt);
  CHECK(text_problem("ééééé", 5) == std::nullopt);
  CHECK(text_problem("ééééé", 4).has_value());
  CHECK(text_problem("tab\there", 20).has_value());
}

TEST_CASE("time zones and scopes", "[identity][logic]") {
  for (auto const* tz :
       {"UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "America/Port-au-Prince"})
    CHECK_FALSE(timezone_problem(tz).has_value());
  for (auto const* tz :
       {"", "/Berlin", "Europe/", "Europe//Berlin", "Europe/Ber lin", "1Europe/Berlin", "Europe\\Berlin"})
    CHECK(timezone_problem(tz).has_value());

  for (auto const* s : {"orders:read", "orders:write", "products", "webhooks:manage", "a.b-c_d:x1"})
    CHECK_FALSE(scope_problem(s).has_value());
  for (auto const* s : {"", "Orders:read", "orders:", ":read", "orders::read", "orders read", "1orders"})
    CHECK(scope_problem(s).has_value());
}

TEST_CASE("roles, statuses, password costs", "[identity][logic]") {
  CHECK(staff_role("manager") == Role::Manager);
  CHECK(staff_role("courier") == Role::Courier);
  CHECK_FALSE(staff_role("resident").has_value());
  CHECK_FALSE(staff_role("admin").has_value());
  for (auto s : {ApplicationStatus::Pending, ApplicationStatus::Approved, ApplicationStatus::Rejected})
    CHECK(parse_status(status_name(s)) == s);
  CHECK_FALSE(parse_status("PENDING").has_value());
  CHECK(parse_password_cost("min") == PasswordCost::Min);
  CHECK_FALSE(parse_password_cost("fast").has_value());
}

TEST_CASE("attempt counters: per-address limit, per-email doubling delay, token bucket", "[identity][logic]") {
  std::int64_t const window = 15 * 60 * 1000;
  std::int64_t const now = 10'000'000;
  AttemptCounter c;
  for (int i = 1; i <= 5; ++i) {
    auto r = reserve_attempt(c, 5, window, now + i);
    REQUIRE(r.allowed);
    CHECK(r.next.attempts == i);
    CHECK(r.next.window_start == now + 1);
    c = r.next;
  }
  auto locked = reserve_attempt(c, 5, window, now + 60'000);
  CHECK_FALSE(locked.allowed);
  CHECK(locked.retry_after_s == (window - 60'000 + 1 + 999) / 1000);
  auto later = reserve_attempt(c, 5, window, now + 1 + window);
  CHECK(later.allowed);
  CHECK(later.next.attempts == 1);

  AttemptCounter g{3, now, 0};
  auto over = reserve_global_attempt(g, 3, window, 60'000, now);
  REQUIRE(over.allowed);
  CHECK(over.next.blocked_until == now + 1000);
  auto held = reserve_global_attempt(over.next, 3, window, 60'000, now + 10);
  CHECK_FALSE(held.allowed);
  CHECK(held.retry_after_s == 1);
  auto next = reserve_global_attempt(over.next, 3, window, 60'000, now + 1000);
  REQUIRE(next.allowed);
  CHECK(next.next.blocked_until == now + 1000 + 2000);
  CHECK(global_delay_ms(1, 60'000) == 1000);
  CHECK(global_delay_ms(3, 60'000) == 4000);
  CHECK(global_delay_ms(10, 60'000) == 60'000);
  CHECK(global_delay_ms(1000, 60'000) == 60'000);

  Bucket b;
  std::int64_t retry = 0;
  for (int i = 0; i < 3; ++i) CHECK(take_token(b, 60, 3, now, retry));
  CHECK_FALSE(take_token(b, 60, 3, now, retry));
  CHECK(retry == 1);
  CHECK(take_token(b, 60, 3, now + 1000, retry));
  CHECK(take_token(b, 0, 1, now, retry));  // 0: unlimited
}

TEST_CASE("credentials: argon2id hashes and token digests", "[identity][logic]") {
  auto hash = hash_password("secret password", PasswordCost::Min);
  CHECK(hash.rfind("$argon2id$", 0) == 0);
  CHECK(verify_password(hash, "secret password"));
  CHECK_FALSE(verify_password(hash, "secret passwore"));
  CHECK_FALSE(verify_password("garbage", "secret password"));
  CHECK(needs_rehash(hash, PasswordCost::Interactive));
  CHECK_FALSE(needs_rehash(hash, PasswordCost::Min));
  CHECK(hash_password("secret password", PasswordCost::Min) != hash);  // salted

  auto a = new_session_token();
  auto b = new_session_token();
  CHECK(a.size() == 64);
  CHECK(a != b);
  CHECK(new_api_key().rfind("ck_", 0) == 0);
  CHECK(token_digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
