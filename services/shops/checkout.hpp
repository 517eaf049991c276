#pragma once
// Checkout (order_routes.cpp reads the body and places one order; checkout_batch.cpp places
// concurrent checkouts of one shop together). ARCHITECTURE.md, "Checkout batches".
#include "services/shops/routes.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::shops {

struct Checkout {
  std::int64_t merchant_id = 0;
  std::vector<logic::Line> lines;
  logic::Fulfilment fulfilment = logic::Fulfilment::Pickup;
  std::optional<std::string> coupon_code;
  std::int64_t points = 0;  // loyalty points to pay part of the order with
  std::optional<std::int64_t> slot_id;  // a delivery slot of the merchant (delivery service)
  std::optional<std::string> referral_code;  // a neighbour's (referral_routes.cpp)
};

// The pieces an order is built from, alone (place_order) or in a batch (place_batch):
// the order's head for the caller's checkout (placed; a redemption code for a pickup), ...
repo::Order order_head(Context const& ctx, std::int64_t merchant_id, Checkout const& c);
// ... each line priced from its product and added as an item, ...
void add_item(repo::Order& o, logic::Line& line, repo::Product const& p);
// ... and the buyer's loyalty tier discount, taken off the price after any coupon.
void apply_tier_discount(repo::Order& o, int pct);

// A checkout a batch can place: lines paid from the wallet only (no coupon, points,
// referral or delivery slot, each of which locks or reads rows of its own).
bool batchable(Checkout const& c);

// Answers a batchable checkout. While another checkout of the same shop is being placed,
// this one waits and is then placed together with every other that arrived meanwhile (up to
// kMaxCheckoutBatch), in one transaction with a few multi-row statements: the orders, their
// events, their payments, their Idempotency-Key answers and the stock, with the same rows
// and answers `alone` would have produced. A checkout the batch cannot place as it is (a
// product missing or not for sale, short of stock or money, a repeated key, …) and a batch
// that fails as a whole are answered by `alone` (place_order under ctx.idempotent), so
// every refusal keeps its own status and problem. Nobody waiting: `alone` runs at once.
http::Response place_combined(http::Request const& req, Context& ctx, Checkout const& c,
                              std::function<http::Response()> const& alone);

inline constexpr std::size_t kMaxCheckoutBatch = 64;

// Counters for tests and benchmarks (process-wide, monotonic).
struct CheckoutBatchStats {
  std::uint64_t batches = 0;        // batches of two or more that committed
  std::uint64_t batched_orders = 0; // orders those batches placed
  std::uint64_t fallbacks = 0;      // checkouts a batch handed back to `alone`
  std::uint64_t failed_batches = 0; // batches of two or more that rolled back as a whole
};
CheckoutBatchStats checkout_batch_stats();
// The same as Prometheus text for /metrics (courtyard_shops_checkout_…), with a histogram of
// how long batches of two or more took (their transaction, commit included).
void checkout_batch_metrics(std::string& out);

}  // namespace courtyard::shops
