#pragma once
// Writing responses. A resource's shape is written once, as a function template over an
// object sink, and rendered two ways:
//   - json::tree(fill) -> a boost::json::object, for a handler that adds to it or embeds it;
//   - json::text(fill) / json::page_text(...) -> the JSON text itself, for hot reads and list
//     pages: no tree, no per-key hash table, one string grown in place. Building the tree
//     and serialising it was about a fifth of the CPU of a page of orders.
// Both sinks take the same calls in the same order, so the two renderings are the same bytes
// (tests/unit/json_out_test.cpp checks it field type by field type).
//
// Keys are the view's own identifiers (ASCII letters, digits and '_'); they are written
// without escaping. String values are escaped as boost::json::serialize escapes them.
#include "http/json.hpp"

#include <charconv>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace courtyard::json {

// Appends `s` as a JSON string literal (quotes included).
void append_string(std::string& out, std::string_view s);
// Appends the rfc3339() text of epoch_ms, quoted.
void append_time(std::string& out, std::int64_t epoch_ms);

template <class T>
concept Integer = std::integral<T> && !std::same_as<T, bool>;

// An object being written as text into `out`; close() appends the closing brace.
class TextObject {
 public:
  explicit TextObject(std::string& out) : out_(out) { out_.push_back('{'); }
  void close() { out_.push_back('}'); }

  template <Integer T>
  void put(std::string_view k, T v) {
    key(k);
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
  }
  void put(std::string_view k, bool v) {
    key(k);
    out_.append(v ? "true" : "false");
  }
  void put(std::string_view k, std::string_view v) {
    key(k);
    append_string(out_, v);
  }
  void put(std::string_view k, std::string const& v) { put(k, std::string_view(v)); }
  void put(std::string_view k, char const* v) { put(k, std::string_view(v)); }
  void put(std::string_view k, std::nullptr_t) {
    key(k);
    out_.append("null");
  }
  template <class T>
  void put(std::string_view k, std::optional<T> const& v) {
    if (v) put(k, *v);
    else put(k, nullptr);
  }
  // Epoch milliseconds as an RFC 3339 string (null when absent).
  void put_time(std::string_view k, std::int64_t ms) {
    key(k);
    append_time(out_, ms);
  }
  void put_time(std::string_view k, std::optional<std::int64_t> ms) {
    if (ms) put_time(k, *ms);
    else put(k, nullptr);
  }
  // An array of objects, one per element of `rows`, each written by fill(sink, row).
  template <class Range, class Fill>
  void put_objects(std::string_view k, Range const& rows, Fill&& fill) {
    key(k);
    out_.push_back('[');
    bool first = true;
    for (auto const& row : rows) {
      if (!first) out_.push_back(',');
      first = false;
      TextObject item(out_);
      fill(item, row);
      item.close();
    }
    out_.push_back(']');
  }

 private:
  void key(std::string_view k) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_.append(k);
    out_.append("\":");
  }
  std::string& out_;
  bool first_ = true;
};

// The same calls building a boost::json::object.
class TreeObject {
 public:
  explicit TreeObject(bj::object& o) : o_(o) {}

  template <Integer T>
  void put(std::string_view k, T v) {
    o_.insert_or_assign(k, v);
  }
  void put(std::string_view k, bool v) { o_.insert_or_assign(k, v); }
  void put(std::string_view k, std::string_view v) { o_.insert_or_assign(k, bj::string(v)); }
  void put(std::string_view k, std::string const& v) { put(k, std::string_view(v)); }
  void put(std::string_view k, char const* v) { put(k, std::string_view(v)); }
  void put(std::string_view k, std::nullptr_t) { o_.insert_or_assign(k, nullptr); }
  template <class T>
  void put(std::string_view k, std::optional<T> const& v) {
    if (v) put(k, *v);
    else put(k, nullptr);
  }
  void put_time(std::string_view k, std::int64_t ms) { o_.insert_or_assign(k, rfc3339(ms)); }
  void put_time(std::string_view k, std::optional<std::int64_t> ms) {
    if (ms) put_time(k, *ms);
    else put(k, nullptr);
  }
  template <class Range, class Fill>
  void put_objects(std::string_view k, Range const& rows, Fill&& fill) {
    bj::array items;
    for (auto const& row : rows) {
      bj::object item;
      TreeObject sink(item);
      fill(sink, row);
      items.push_back(std::move(item));
    }
    o_.insert_or_assign(k, std::move(items));
  }

 private:
  bj::object& o_;
};

// fill(TreeObject&) -> the object.
template <class Fill>
bj::object tree(Fill&& fill) {
  bj::object o;
  TreeObject sink(o);
  fill(sink);
  return o;
}

// fill(TextObject&) -> the object's JSON text.
template <class Fill>
std::string text(Fill&& fill) {
  std::string out;
  out.reserve(512);
  TextObject sink(out);
  fill(sink);
  sink.close();
  return out;
}

// The text of page_of_rows(rows, page, view) where view(row) == tree(fill(·, row)):
// {"items":[...],"next_cursor":...} from rows fetched with LIMIT page.fetch().
template <class Row, class Fill>
std::string page_text(std::vector<Row> const& rows, Page const& page, Fill&& fill) {
  auto cut = page_cut(rows, page);
  std::string out;
  out.reserve(64 + cut.count * 512);
  out.append("{\"items\":[");
  for (std::size_t i = 0; i < cut.count; ++i) {
    if (i) out.push_back(',');
    TextObject item(out);
    fill(item, rows[i]);
    item.close();
  }
  out.append("],\"next_cursor\":");
  if (cut.next) append_string(out, encode_cursor(*cut.next));
  else out.append("null");
  out.push_back('}');
  return out;
}

}  // namespace courtyard::json
