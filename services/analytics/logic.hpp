#pragma once
// Analytics rules on plain values: local days and periods, report ranges, the rates a
// report shows, promotion uplift, the purchase-sale-stock line and the reorder suggestion.
// No SOCI, no HTTP.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace courtyard::analytics::logic {

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kMaxRangeDays = 3 * 366 + 1;  // any range up to three years
constexpr std::int64_t kBaselineDays = 28;           // promotions compare with the four weeks before
constexpr std::int64_t kReorderWindowDays = 28;      // the recent sales rate behind a reorder suggestion
constexpr std::int64_t kReorderCoverDays = 14;       // ...which should cover this many days

// ---- days (days since 1970-01-01 of a local calendar date)
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d);
std::optional<std::int64_t> parse_date(std::string_view s);  // "YYYY-MM-DD"
std::string format_date(std::int64_t day);
// The month number of a day (year * 12 + month - 1) and its label "YYYY-MM".
std::int64_t month_of(std::int64_t day);
std::string format_month(std::int64_t month);
std::int64_t month_start(std::int64_t month);  // its first day

enum class Grain { Day, Week, Month };
std::optional<Grain> parse_grain(std::string_view s);
std::string_view to_string(Grain g);
// The first day of the period holding `day` (weeks start on Monday, ISO).
std::int64_t period_start(std::int64_t day, Grain g);
// The period's label: "2026-11-23" (day or week: its first day) or "2026-11" (month).
std::string period_label(std::int64_t start, Grain g);

// Product rollups are also kept per block of kBlockDays days (analytics_product_blocks), so a
// range reads its whole blocks there and only its ragged ends from the day rows. Blocks are
// aligned on the day number (not the calendar): a block starts on a day divisible by
// kBlockDays. 16 balances the two parts for 90-day ranges: ~6 block rows and at most 30 day
// rows per product, instead of 90 day rows.
constexpr std::int64_t kBlockDays = 16;
std::int64_t block_start(std::int64_t day);  // the first day of the block holding `day`
// [from, to] as whole blocks (their first days: first_block..last_block step kBlockDays; none
// when first_block > last_block) and the days before and after them ([head_from, head_to],
// [tail_from, tail_to]; empty when from > to). Without a whole block, all days are the head.
struct BlockSplit {
  std::int64_t first_block = 0, last_block = -1, head_from = 0, head_to = -1, tail_from = 0, tail_to = -1;
};
BlockSplit split_blocks(std::int64_t from, std::int64_t to);
// [from, to] as whole calendar months (month numbers first_month..last_month; none when
// first_month > last_month) and the days before and after them, like split_blocks.
struct MonthSplit {
  std::int64_t first_month = 0, last_month = -1, head_from = 0, head_to = -1, tail_from = 0, tail_to = -1;
};
MonthSplit split_months(std::int64_t from, std::int64_t to);

// A report's range: whole local days [from, to], both inclusive. Why it is invalid, if it is.
std::optional<std::string> range_problem(std::int64_t from, std::int64_t to);

// ---- figures
// part / whole rounded to four decimals; nullopt when whole is 0.
std::optional<double> ratio(std::int64_t part, std::int64_t whole);
// Average order value in cents (rounded), 0 without orders.
std::int64_t average(std::int64_t total, std::int64_t count);

// What a promotion added: revenue on the days it ran minus what the merchant's revenue in
// the baseline (the four weeks before it started) would have given on as many days.
std::int64_t incremental_revenue(std::int64_t revenue_while_running, std::int64_t running_days,
                                 std::int64_t baseline_revenue, std::int64_t baseline_days);

// ---- purchase-sale-stock
// The sums of one product's ledger movements in the period, by reason (sale and cancel are
// negative and positive deltas); opening is the stock at the period's start.
struct StockLine {
  std::int64_t opening = 0, received = 0, sold = 0, returned = 0, adjusted = 0, closing = 0;
  std::map<std::string, std::int64_t> adjustments;  // reason -> net delta (adjustment and any other)
  std::optional<double> sell_through;  // sold / (opening + received + returned)
  std::optional<double> days_of_cover;  // closing / (sold per day of the period)
};
StockLine stock_line(std::int64_t opening, std::vector<std::pair<std::string, std::int64_t>> const& in_period,
                     std::int64_t period_days);
// Units to order so the stock covers kReorderCoverDays at the rate of the recent sales.
std::int64_t suggested_reorder(std::int64_t sold_in_window, std::int64_t window_days, std::int64_t stock,
                               std::int64_t cover_days = kReorderCoverDays);
// A threshold is crossed (an alert is due) when the stock is at or below it.
constexpr bool low_stock(std::int64_t stock, std::int64_t threshold) { return stock <= threshold; }
std::optional<std::string> threshold_problem(std::int64_t threshold);

}  // namespace courtyard::analytics::logic
