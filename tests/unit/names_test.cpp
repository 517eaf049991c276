#include "http/names.hpp"
#include "http/principal.hpp"

#include <catch2/catch.hpp>

using namespace courtyard;

namespace {
enum class Colour { Red, Green, Blue };
constexpr auto kColour = http::names<Colour>({{Colour::Red, "red"}, {Colour::Green, "green"}, {Colour::Blue, "blue"}});
static_assert(kColour.distinct());
static_assert(kColour.name(Colour::Green) == "green");
static_assert(kColour.parse("blue") == Colour::Blue);
}  // namespace

TEST_CASE("enum names: one table gives both directions", "[names]") {
  for (auto const& [e, name] : kColour) {
    CHECK(kColour.name(e) == name);
    CHECK(kColour.parse(name) == e);
  }
  CHECK_FALSE(kColour.parse("Red"));     // exact spelling only
  CHECK_FALSE(kColour.parse("red "));
  CHECK_FALSE(kColour.parse(""));
  CHECK(kColour.name(static_cast<Colour>(7)) == "?");  // a value the table does not list
}

TEST_CASE("enum names: distinct() refuses an enumerator or a name twice", "[names]") {
  constexpr auto twice_name = http::names<Colour>({{Colour::Red, "red"}, {Colour::Green, "red"}});
  constexpr auto twice_enum = http::names<Colour>({{Colour::Red, "red"}, {Colour::Red, "rouge"}});
  STATIC_REQUIRE_FALSE(twice_name.distinct());
  STATIC_REQUIRE_FALSE(twice_enum.distinct());
}

TEST_CASE("roles round-trip through their names", "[names]") {
  for (Role r : {Role::Resident, Role::Manager, Role::Merchant, Role::Courier}) CHECK(parse_role(role_name(r)) == r);
  CHECK_FALSE(parse_role("admin"));
}
