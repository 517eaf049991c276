// The JSON shapes of the reports, and their CSV form.
#include "http/csv.hpp"
#include "services/analytics/routes.hpp"

#include <algorithm>
#include <charconv>
#include <map>

namespace courtyard::analytics {

namespace {

bj::value ratio_or_null(std::optional<double> r) { return r ? bj::value(*r) : bj::value(nullptr); }

// Every period of the range in order, each with the rows of its days folded in.
template <class Row, class Fold>
std::vector<std::pair<std::int64_t, Row>> by_period(std::vector<std::pair<std::int64_t, Row const*>> const& days,
                                                    Range const& r, Fold fold) {
  std::vector<std::pair<std::int64_t, Row>> out;
  for (std::int64_t d = r.from; d <= r.to; ++d) {
    std::int64_t start = logic::period_start(d, r.grain);
    if (out.empty() || out.back().first != start) out.push_back({start, Row{}});
  }
  std::size_t i = 0;
  for (auto const& [day, row] : days) {
    std::int64_t start = logic::period_start(day, r.grain);
    while (i < out.size() && out[i].first < start) ++i;
    if (i < out.size() && out[i].first == start) fold(out[i].second, *row);
  }
  return out;
}

std::string cell(bj::value const& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_null()) return "";
  if (v.is_double()) {  // 0.5, not JSON's 5E-1: spreadsheets read it as a number
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.as_double());
    return ec == std::errc() ? std::string(buf, end) : bj::serialize(v);
  }
  return bj::serialize(v);
}

void long_rows(std::string& out, std::string const& section, bj::value const& v) {
  if (v.is_object()) {
    for (auto const& [k, x] : v.as_object()) {
      if (x.is_object() || x.is_array()) long_rows(out, section.empty() ? std::string(k) : section + "." + std::string(k), x);
      else
        out += http::csv::field(section) + "," + http::csv::field(k) + "," + http::csv::field(cell(x)) + "\r\n";
    }
  } else if (v.is_array()) {
    std::size_t i = 0;
    for (auto const& x : v.as_array()) long_rows(out, section + "[" + std::to_string(i++) + "]", x);
  } else {
    out += http::csv::field(section) + ",," + http::csv::field(cell(v)) + "\r\n";
  }
}

}  // namespace

bj::object sale_json(repo::Sale const& s) {
  return bj::object{{"orders", s.orders},
                    {"items", s.items},
                    {"subtotal_cents", s.subtotal_cents},
                    {"discount_cents", s.discount_cents},
                    {"revenue_cents", s.revenue_cents},
                    {"average_order_cents", logic::average(s.revenue_cents, s.orders)},
                    {"cancelled", s.cancelled},
                    {"refunded_cents", s.refunded_cents}};
}

bj::array series_json(std::vector<repo::MerchantDay> const& days, Range const& r) {
  std::vector<std::pair<std::int64_t, repo::Sale const*>> rows;
  for (auto const& d : days) rows.emplace_back(d.day, &d.sale);
  bj::array out;
  for (auto const& [start, sale] : by_period<repo::Sale>(rows, r, repo::add_sale)) {
    bj::object o{{"period", logic::period_label(start, r.grain)}};
    for (auto const& [k, v] : sale_json(sale)) o[k] = v;
    out.push_back(std::move(o));
  }
  return out;
}

bj::object total_json(repo::Total const& t) {
  return bj::object{{"orders", t.orders}, {"items", t.quantity}, {"revenue_cents", t.revenue_cents}};
}

bj::object stock_line_json(std::int64_t product_id, std::string const& name, std::string const& category,
                           logic::StockLine const& l) {
  bj::object adjustments;
  for (auto const& [reason, n] : l.adjustments) adjustments[reason] = n;
  return bj::object{{"product_id", product_id},
                    {"name", name},
                    {"category", category},
                    {"opening", l.opening},
                    {"received", l.received},
                    {"sold", l.sold},
                    {"returned", l.returned},
                    {"adjusted", l.adjusted},
                    {"adjustments", std::move(adjustments)},
                    {"closing", l.closing},
                    {"sell_through", ratio_or_null(l.sell_through)},
                    {"days_of_cover", l.days_of_cover ? bj::value(*l.days_of_cover) : bj::value(nullptr)}};
}

bj::array ratings_json(std::vector<repo::RatingDay> const& days, Range const& r) {
  std::vector<std::pair<std::int64_t, repo::RatingDay const*>> rows;
  for (auto const& d : days) rows.emplace_back(d.day, &d);
  bj::array out;
  auto fold = [](repo::RatingDay& into, repo::RatingDay const& d) {
    into.reviews += d.reviews;
    into.rating_sum += d.rating_sum;
    for (int i = 0; i < 5; ++i) into.stars[i] += d.stars[i];
  };
  for (auto const& [start, d] : by_period<repo::RatingDay>(rows, r, fold)) {
    bj::object stars;
    for (int i = 0; i < 5; ++i) stars[std::to_string(i + 1)] = d.stars[i];
    auto avg = logic::ratio(d.rating_sum * 100, d.reviews);
    out.push_back(bj::object{{"period", logic::period_label(start, r.grain)},
                             {"reviews", d.reviews},
                             {"average", avg ? bj::value(*avg / 100.0) : bj::value(nullptr)},
                             {"stars", std::move(stars)}});
  }
  return out;
}

std::vector<std::string> csv_columns(bj::array const& rows) {
  std::vector<std::string> cols;
  for (auto const& row : rows)
    if (row.is_object())
      for (auto const& [k, v] : row.as_object())
        if (std::find(cols.begin(), cols.end(), std::string(k)) == cols.end()) cols.emplace_back(k);
  return cols;
}

void csv_header(std::string& out, std::vector<std::string> const& cols) {
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (i) out += ',';
    out += http::csv::field(cols[i]);
  }
  out += "\r\n";
}

void csv_row(std::string& out, std::vector<std::string> const& cols, bj::object const& row) {
  for (std::size_t i = 0; i < cols.size(); ++i) {
    auto const* v = row.if_contains(cols[i]);
    if (i) out += ',';
    out += http::csv::field(v ? cell(*v) : "");
  }
  out += "\r\n";
}

// A report with `items` (rows of one shape) is that table; any other report is its figures
// as section,key,value rows.
std::string csv_of(bj::object const& report) {
  std::string out;
  auto stream = csv_stream(report);
  while (stream(out)) {
  }
  return out;
}

http::BodyStream csv_stream(bj::object report) {
  auto const* items = report.if_contains("items");
  if (!items || !items->is_array()) {
    // Figures only: a few hundred rows at most, one piece.
    return [report = std::make_shared<bj::object>(std::move(report))](std::string& out) {
      out += "section,key,value\r\n";
      long_rows(out, "", *report);
      return false;
    };
  }
  struct Table {
    bj::object report;
    std::vector<std::string> cols;
    std::size_t next = 0;
    bool started = false;
  };
  auto t = std::make_shared<Table>();
  t->report = std::move(report);
  t->cols = csv_columns(t->report.at("items").as_array());
  return [t](std::string& out) {
    auto const& rows = t->report.at("items").as_array();
    std::size_t const start = out.size();  // out may hold earlier pieces (a drained stream)
    if (!t->started) {
      csv_header(out, t->cols);
      t->started = true;
    }
    for (; t->next < rows.size() && out.size() - start < kCsvPieceBytes; ++t->next)
      if (rows[t->next].is_object()) csv_row(out, t->cols, rows[t->next].as_object());
    return t->next < rows.size();
  };
}

}  // namespace courtyard::analytics
