#include "services/analytics/logic.hpp"

#include "http/names.hpp"

#include <cmath>
#include <cstdio>

namespace courtyard::analytics::logic {

// Howard Hinnant's civil calendar algorithms.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  std::int64_t const era = (y >= 0 ? y : y - 399) / 400;
  unsigned const yoe = static_cast<unsigned>(y - era * 400);
  unsigned const doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  std::int64_t const era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned const doe = static_cast<unsigned>(z - era * 146097);
  unsigned const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned const mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

std::optional<std::int64_t> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto digits = [&](std::size_t at, std::size_t n, int& out) {
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, m, d;
  if (!digits(0, 4, y) || !digits(5, 2, m) || !digits(8, 2, d)) return std::nullopt;
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  std::int64_t day = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  std::int64_t yy;
  unsigned mm, dd;
  civil_from_days(day, yy, mm, dd);
  if (mm != static_cast<unsigned>(m)) return std::nullopt;  // 2026-02-30
  return day;
}

std::string format_date(std::int64_t day) {
  std::int64_t y;
  unsigned m, d;
  civil_from_days(day, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::int64_t month_of(std::int64_t day) {
  std::int64_t y;
  unsigned m, d;
  civil_from_days(day, y, m, d);
  return y * 12 + (m - 1);
}

std::string format_month(std::int64_t month) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld", static_cast<long long>(month / 12),
                static_cast<long long>(month % 12 + 1));
  return buf;
}

std::int64_t month_start(std::int64_t month) {
  return days_from_civil(month / 12, static_cast<unsigned>(month % 12 + 1), 1);
}

std::int64_t block_start(std::int64_t day) {
  std::int64_t r = day % kBlockDays;
  return day - (r < 0 ? r + kBlockDays : r);
}

BlockSplit split_blocks(std::int64_t from, std::int64_t to) {
  BlockSplit s;
  std::int64_t first = block_start(from) == from ? from : block_start(from) + kBlockDays;
  std::int64_t end = block_start(to + 1);  // blocks starting before it end within the range
  if (first >= end) {
    s.head_from = from;
    s.head_to = to;
    return s;
  }
  s.first_block = first;
  s.last_block = end - kBlockDays;
  s.head_from = from;
  s.head_to = first - 1;
  s.tail_from = end;
  s.tail_to = to;
  return s;
}

MonthSplit split_months(std::int64_t from, std::int64_t to) {
  MonthSplit s;
  std::int64_t first = month_start(month_of(from)) == from ? month_of(from) : month_of(from) + 1;
  std::int64_t end = month_of(to + 1);  // months before it end within the range
  if (first >= end) {
    s.head_from = from;
    s.head_to = to;
    return s;
  }
  s.first_month = first;
  s.last_month = end - 1;
  s.head_from = from;
  s.head_to = month_start(first) - 1;
  s.tail_from = month_start(end);
  s.tail_to = to;
  return s;
}

namespace {
constexpr auto kGrain = http::names<Grain>({{Grain::Day, "day"}, {Grain::Week, "week"}, {Grain::Month, "month"}});
static_assert(kGrain.distinct());
}  // namespace

std::string_view to_string(Grain g) { return kGrain.name(g); }
std::optional<Grain> parse_grain(std::string_view s) { return kGrain.parse(s); }

std::int64_t period_start(std::int64_t day, Grain g) {
  switch (g) {
    case Grain::Day: return day;
    case Grain::Week: {
      std::int64_t weekday = ((day + 3) % 7 + 7) % 7;  // 1970-01-01 was a Thursday; Monday = 0
      return day - weekday;
    }
    case Grain::Month: return month_start(month_of(day));
  }
  return day;
}

std::string period_label(std::int64_t start, Grain g) {
  return g == Grain::Month ? format_month(month_of(start)) : format_date(start);
}

std::optional<std::string> range_problem(std::int64_t from, std::int64_t to) {
  if (to < from) return "must not be before from";
  if (to - from + 1 > kMaxRangeDays) return "the range may span at most " + std::to_string(kMaxRangeDays) + " days";
  return std::nullopt;
}

std::optional<double> ratio(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return std::nullopt;
  return std::round(static_cast<double>(part) / static_cast<double>(whole) * 10000.0) / 10000.0;
}

std::int64_t average(std::int64_t total, std::int64_t count) {
  if (count <= 0) return 0;
  return static_cast<std::int64_t>(std::llround(static_cast<double>(total) / static_cast<double>(count)));
}

std::int64_t incremental_revenue(std::int64_t revenue_while_running, std::int64_t running_days,
                                 std::int64_t baseline_revenue, std::int64_t baseline_days) {
  if (baseline_days <= 0) return revenue_while_running;
  double expected = static_cast<double>(baseline_revenue) / static_cast<double>(baseline_days) *
                    static_cast<double>(running_days);
  return revenue_while_running - static_cast<std::int64_t>(std::llround(expected));
}

StockLine stock_line(std::int64_t opening, std::vector<std::pair<std::string, std::int64_t>> const& in_period,
                     std::int64_t period_days) {
  StockLine l;
  l.opening = opening;
  std::int64_t net = 0;
  for (auto const& [reason, delta] : in_period) {
    net += delta;
    if (reason == "purchase") l.received += delta;
    else if (reason == "sale" || reason == "cancel") l.sold -= delta;
    else if (reason == "return") l.returned += delta;
    else {
      l.adjusted += delta;
      l.adjustments[reason] += delta;
    }
  }
  l.closing = opening + net;
  l.sell_through = ratio(l.sold, l.opening + l.received + l.returned);
  if (l.sold > 0 && period_days > 0) {
    double per_day = static_cast<double>(l.sold) / static_cast<double>(period_days);
    l.days_of_cover = std::round(static_cast<double>(l.closing) / per_day * 10.0) / 10.0;
  }
  return l;
}

std::int64_t suggested_reorder(std::int64_t sold_in_window, std::int64_t window_days, std::int64_t stock,
                               std::int64_t cover_days) {
  if (sold_in_window <= 0 || window_days <= 0) return 0;
  double need = std::ceil(static_cast<double>(sold_in_window) * static_cast<double>(cover_days) /
                          static_cast<double>(window_days));
  std::int64_t want = static_cast<std::int64_t>(need) - stock;
  return want > 0 ? want : 0;
}

std::optional<std::string> threshold_problem(std::int64_t threshold) {
  if (threshold < 0 || threshold > 1'000'000) return "must be between 0 and 1000000";
  return std::nullopt;
}

}  // namespace courtyard::analytics::logic
