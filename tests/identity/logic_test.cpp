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

TEST_CASE("login throttle: locked at the limit, until the oldest counted failure ages out", "[identity][logic]") {
  std::int64_t const window = 15 * 60 * 1000;
  std::int64_t const now = 10'000'000;
  CHECK_FALSE(login_throttle({}, 5, window, now).locked);
  CHECK_FALSE(login_throttle({now - 1, now - 2, now - 3, now - 4}, 5, window, now).locked);
  // Newest first; the 5th newest failure was 60 s ago, so the lock lifts in window - 60 s.
  auto t = login_throttle({now - 1000, now - 2000, now - 3000, now - 4000, now - 60'000}, 5, window, now);
  CHECK(t.locked);
  CHECK(t.retry_after_s == (window - 60'000) / 1000);
  CHECK_FALSE(login_throttle({now - 1000, now - 2000, now - 3000, now - 4000, now - window}, 5, window, now).locked);
  auto edge = login_throttle({now, now, now, now, now - window + 1}, 5, window, now);
  CHECK(edge.locked);
  CHECK(edge.retry_after_s == 1);
  CHECK_FALSE(login_throttle({now, now}, 0, window, now).locked);
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
