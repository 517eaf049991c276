#include "http/time_zone.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>

namespace courtyard::http {

namespace {

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::size_t kHeader = 44;

std::int64_t be(std::string const& b, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

// A relative path of plain characters: never leaves /usr/share/zoneinfo.
bool plain_zone_name(std::string const& n) {
  if (n.empty() || n.size() > 64 || n.front() == '/' || n.find("..") != std::string::npos) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
  });
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::shared_ptr<TimeZone const> TimeZone::utc() {
  static auto const z = std::make_shared<TimeZone const>();
  return z;
}

std::shared_ptr<TimeZone const> TimeZone::from_tzif(std::string const& b) {
  // Counts in a header: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt.
  std::int64_t c[6];
  auto header = [&](std::size_t at) {
    if (at + kHeader > b.size() || b.compare(at, 4, "TZif") != 0) return false;
    for (int i = 0; i < 6; ++i) c[i] = be(b, at + 20 + 4 * i, 4);
    return true;
  };
  if (!header(0)) return utc();
  std::size_t p = kHeader;
  int width = 4;
  if (b[4] >= '2') {  // skip the 32-bit block to the 64-bit one
    p += c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    if (!header(p)) return utc();
    p += kHeader;
    width = 8;
  }
  std::int64_t const timecnt = c[3], typecnt = c[4];
  if (typecnt <= 0 || b.size() < p + timecnt * (width + 1) + typecnt * 6) return utc();
  std::vector<std::int32_t> type_offset;
  std::size_t const types = p + timecnt * (width + 1);
  for (std::int64_t i = 0; i < typecnt; ++i) type_offset.push_back(static_cast<std::int32_t>(be(b, types + 6 * i, 4)));
  auto z = std::make_shared<TimeZone>();
  z->initial_ = type_offset[0];
  for (std::int64_t i = 0; i < timecnt; ++i) {
    auto idx = static_cast<unsigned char>(b[p + timecnt * width + i]);
    if (idx >= type_offset.size()) return utc();
    z->at_.push_back(be(b, p + i * width, width));
    z->offset_.push_back(type_offset[idx]);
  }
  return z;
}

std::shared_ptr<TimeZone const> TimeZone::named(std::string const& name) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<TimeZone const>> cache;
  std::lock_guard lock(mu);
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  std::shared_ptr<TimeZone const> z = utc();
  if (plain_zone_name(name)) {
    std::ifstream in("/usr/share/zoneinfo/" + name, std::ios::binary);
    if (in) z = from_tzif(std::string(std::istreambuf_iterator<char>(in), {}));
  }
  cache.emplace(name, z);
  return z;
}

std::int64_t TimeZone::offset_at(std::int64_t utc_ms) const {
  std::int64_t s = floor_div(utc_ms, 1000);
  auto it = std::upper_bound(at_.begin(), at_.end(), s);
  if (it == at_.begin()) return std::int64_t{initial_} * 1000;
  return std::int64_t{offset_[(it - at_.begin()) - 1]} * 1000;
}

std::int64_t TimeZone::local_day(std::int64_t utc_ms) const { return floor_div(utc_ms + offset_at(utc_ms), kDayMs); }

std::int64_t TimeZone::day_start(std::int64_t local_day) const {
  std::int64_t local = local_day * kDayMs;
  std::int64_t guess = local - offset_at(local);
  std::int64_t utc = local - offset_at(guess);
  // A midnight skipped by a transition: the day starts at the first instant that is in it.
  if (this->local_day(utc) != local_day) utc = guess;
  return utc;
}

}  // namespace courtyard::http
