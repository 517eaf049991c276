#include "services/settlement/tz.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace courtyard::settlement::tz {

namespace {

struct Zone {
  std::vector<std::int64_t> at;      // transition instants, seconds, ascending
  std::vector<std::int32_t> offset;  // offset in force from at[i]
  std::int32_t initial = 0;          // before the first transition
};

std::int64_t be(std::string const& b, std::size_t pos, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(b[pos + i]);
  if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

// TZif (RFC 8536): the version 2+ block with 64-bit times when present, else version 1.
// Returns an empty zone (UTC) on anything malformed.
Zone parse(std::string const& b) {
  Zone z;
  auto header = [&](std::size_t pos, std::int64_t (&n)[6]) {
    if (pos + 44 > b.size() || b.compare(pos, 4, "TZif") != 0) return false;
    for (int i = 0; i < 6; ++i) n[i] = be(b, pos + 20 + 4 * i, 4);
    return true;
  };
  std::int64_t n[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  if (!header(0, n)) return z;
  std::size_t pos = 44;
  int width = 4;
  if (b[4] >= '2') {
    pos += n[3] * 4 + n[3] + n[4] * 6 + n[5] + n[2] * 8 + n[1] + n[0];
    if (!header(pos, n)) return z;
    pos += 44;
    width = 8;
  }
  std::int64_t timecnt = n[3], typecnt = n[4];
  if (typecnt <= 0 || pos + timecnt * (width + 1) + typecnt * 6 > b.size()) return z;
  std::vector<std::int32_t> types;
  std::size_t tpos = pos + timecnt * (width + 1);
  for (std::int64_t i = 0; i < typecnt; ++i) types.push_back(static_cast<std::int32_t>(be(b, tpos + i * 6, 4)));
  z.initial = types[0];
  for (std::int64_t i = 0; i < timecnt; ++i) {
    auto idx = static_cast<unsigned char>(b[pos + timecnt * width + i]);
    if (idx >= types.size()) return Zone{};
    z.at.push_back(be(b, pos + i * width, width));
    z.offset.push_back(types[idx]);
  }
  return z;
}

bool plain_zone_name(std::string const& name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' || name.find("..") != std::string::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
  });
}

std::shared_ptr<Zone const> load(std::string const& name) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<Zone const>> cache;
  std::lock_guard lock(mu);
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  Zone z;
  if (plain_zone_name(name)) {
    std::ifstream in("/usr/share/zoneinfo/" + name, std::ios::binary);
    if (in) z = parse(std::string(std::istreambuf_iterator<char>(in), {}));
  }
  auto p = std::make_shared<Zone const>(std::move(z));
  cache.emplace(name, p);
  return p;
}

}  // namespace

logic::OffsetAt offsets(std::string const& zone) {
  auto z = load(zone);
  return [z](std::int64_t utc_ms) -> std::int64_t {
    std::int64_t s = utc_ms >= 0 ? utc_ms / 1000 : -((-utc_ms + 999) / 1000);
    auto it = std::upper_bound(z->at.begin(), z->at.end(), s);
    if (it == z->at.begin()) return z->initial;
    return z->offset[static_cast<std::size_t>(it - z->at.begin() - 1)];
  };
}

}  // namespace courtyard::settlement::tz
