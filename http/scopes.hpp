#pragma once
// The API-key scopes of the merchant routes, in one place: a merchant's key holds some of
// them, each merchant route names the one it needs (Access::merchant(scope)), and a
// merchant's staff account (not its owner) may use only the routes of the staff scopes.
#include <array>
#include <string_view>

namespace courtyard::http::scopes {

inline constexpr std::string_view kProductsRead = "products:read";    // the catalogue
inline constexpr std::string_view kProductsWrite = "products:write";
inline constexpr std::string_view kStockRead = "stock:read";          // the stock ledger
inline constexpr std::string_view kStockWrite = "stock:write";
inline constexpr std::string_view kOrdersRead = "orders:read";
inline constexpr std::string_view kOrdersWrite = "orders:write";
inline constexpr std::string_view kRedemptionsWrite = "redemptions:write";  // pickup codes
inline constexpr std::string_view kCouponsRead = "coupons:read";
inline constexpr std::string_view kCouponsWrite = "coupons:write";
inline constexpr std::string_view kReviewsRead = "reviews:read";
inline constexpr std::string_view kFiguresRead = "figures:read";
inline constexpr std::string_view kGroupBuysWrite = "groupbuys:write";
inline constexpr std::string_view kStatements = "statements";  // the merchant's wallet, statements, payouts
inline constexpr std::string_view kWebhooks = "webhooks";      // webhook endpoints, deliveries, replays
inline constexpr std::string_view kAnalytics = "analytics";    // sales, customers, promotions, stock reports

inline constexpr std::array kMerchantScopes{kProductsRead, kProductsWrite, kStockRead,     kStockWrite,
                                            kOrdersRead,   kOrdersWrite,   kRedemptionsWrite, kCouponsRead,
                                            kCouponsWrite, kReviewsRead,   kFiguresRead,   kGroupBuysWrite,
                                            kStatements,   kWebhooks,      kAnalytics};

// A merchant's staff: orders and redemptions only (never the catalogue, keys, webhooks,
// money or settings, which are routes of other scopes or of none).
inline constexpr std::array kStaffScopes{kOrdersRead, kOrdersWrite, kRedemptionsWrite};

constexpr bool staff_may(std::string_view scope) {
  for (auto s : kStaffScopes)
    if (s == scope) return true;
  return false;
}

// Whether a staff account passes a merchant-admitting route: one naming a merchant scope
// only for the staff scopes; one naming none only when it is not a merchant's own route (no
// {mid}: the community itself, its announcements, other shops' public pages), so the owner's
// scope-less routes (API keys, staff) stay the owner's.
constexpr bool staff_route_ok(std::string_view scope, bool merchant_path) {
  return scope.empty() ? !merchant_path : staff_may(scope);
}

}  // namespace courtyard::http::scopes
