#pragma once
// What the API key tests share: a merchant of the community without the shops service, and
// its keys' collection.
#include "db/tx.hpp"
#include "services/identity/api.hpp"
#include "tests/support/test_app.hpp"

#include <string>

namespace api_keys_test {

using namespace courtyard;

// Identity's tests run without the shops service, so the merchant role is granted the way
// shops grants it when a manager approves a merchant. Returns a merchant id no other test uses.
inline std::int64_t make_merchant(test::TestApp& t, test::Community const& c, test::Actor const& owner) {
  static std::int64_t next = 700000;
  std::int64_t mid = ++next;
  db::transact(t.app().db(), &t.app().bus(),
               [&](db::Tx& tx) { identity::grant_role(tx, owner.account_id, c.id, Role::Merchant, 0, mid); });
  return mid;
}

inline std::string keys_path(test::Community const& c, std::int64_t mid) {
  return c.base() + "/merchants/" + std::to_string(mid) + "/api-keys";
}

// A community's resident who owns a merchant, and the merchant's keys' collection.
struct MerchantKeys {
  test::TestApp& t = test::TestApp::get();
  test::Community c = t.community();
  test::Actor owner = t.resident(c);
  std::int64_t mid = make_merchant(t, c, owner);
  std::string path = keys_path(c, mid);
};

}  // namespace api_keys_test
