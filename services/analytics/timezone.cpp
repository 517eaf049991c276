#include "services/analytics/timezone.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace courtyard::analytics {

namespace {

constexpr std::int64_t kDayMs = 86'400'000;

std::int64_t be(std::string const& b, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

bool safe_name(std::string const& n) {
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
  constexpr std::size_t kHeader = 44;
  if (b.size() < kHeader || b.compare(0, 4, "TZif") != 0) return utc();
  auto counts = [&](std::size_t h, std::int64_t out[6]) {
    for (int i = 0; i < 6; ++i) out[i] = be(b, h + 20 + 4 * i, 4);
  };
  std::int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  counts(0, c);
  std::size_t h = 0;
  int tbytes = 4;
  if (b[4] >= '2') {  // skip the 32-bit block to the 64-bit one
    std::size_t v1 = kHeader + c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    if (b.size() < v1 + kHeader) return utc();
    h = v1;
    tbytes = 8;
    counts(h, c);
  }
  std::size_t p = h + kHeader;
  std::size_t need = c[3] * tbytes + c[3] + c[4] * 6;
  if (c[4] <= 0 || b.size() < p + need) return utc();
  auto z = std::make_shared<TimeZone>();
  std::vector<std::int32_t> type_offset(c[4]);
  std::vector<bool> type_dst(c[4]);
  std::size_t types = p + c[3] * tbytes + c[3];
  for (std::int64_t i = 0; i < c[4]; ++i) {
    type_offset[i] = static_cast<std::int32_t>(be(b, types + 6 * i, 4));
    type_dst[i] = b[types + 6 * i + 4] != 0;
  }
  z->initial_ = type_offset[0];
  for (std::int64_t i = 0; i < c[4]; ++i)
    if (!type_dst[i]) {
      z->initial_ = type_offset[i];
      break;
    }
  for (std::int64_t i = 0; i < c[3]; ++i) {
    auto idx = static_cast<unsigned char>(b[p + c[3] * tbytes + i]);
    if (idx >= type_offset.size()) return utc();
    z->at_.push_back(be(b, p + i * tbytes, tbytes));
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
  if (safe_name(name)) {
    std::ifstream in("/usr/share/zoneinfo/" + name, std::ios::binary);
    if (in) {
      std::ostringstream s;
      s << in.rdbuf();
      z = from_tzif(s.str());
    }
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

}  // namespace courtyard::analytics
