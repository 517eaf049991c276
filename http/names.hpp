#pragma once
// An enum's names, as the API and the database spell them, written once: one table gives
// both directions, so a name and its enumerator cannot drift apart between a switch and a
// parse loop.
//
//   constexpr auto kOrderStatus = http::names<OrderStatus>({
//       {OrderStatus::Placed, "placed"}, {OrderStatus::Accepted, "accepted"}, ...});
//   std::string_view to_string(OrderStatus s) { return kOrderStatus.name(s); }
//   std::optional<OrderStatus> parse_order_status(std::string_view s) { return kOrderStatus.parse(s); }
//
// Declare the table `constexpr` next to its functions and check it with
// `static_assert(kOrderStatus.distinct())`: no enumerator and no name twice.
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace courtyard::http {

template <class E, std::size_t N>
class Names {
 public:
  using Entry = std::pair<E, std::string_view>;

  constexpr explicit Names(Entry const (&entries)[N]) {
    for (std::size_t i = 0; i < N; ++i) entries_[i] = entries[i];
  }

  // The name of `e`; "?" for a value the table does not list.
  constexpr std::string_view name(E e) const {
    for (auto const& [k, v] : entries_)
      if (k == e) return v;
    return "?";
  }

  // The enumerator named `s` exactly, or nullopt.
  constexpr std::optional<E> parse(std::string_view s) const {
    for (auto const& [k, v] : entries_)
      if (v == s) return k;
    return std::nullopt;
  }

  constexpr bool distinct() const {
    for (std::size_t i = 0; i < N; ++i)
      for (std::size_t j = i + 1; j < N; ++j)
        if (entries_[i].first == entries_[j].first || entries_[i].second == entries_[j].second) return false;
    return true;
  }

  constexpr auto begin() const { return entries_.begin(); }
  constexpr auto end() const { return entries_.end(); }

 private:
  std::array<Entry, N> entries_{};
};

template <class E, std::size_t N>
constexpr Names<E, N> names(std::pair<E, std::string_view> const (&entries)[N]) {
  return Names<E, N>(entries);
}

}  // namespace courtyard::http
