// Harness: bytes -> gateway::parse_config with argv, environment and a config file.
// Input: three parts separated by a line "%%": argv tokens (one per line), environment
// entries (one per line, NAME=value), and the config file's text (written to a temp file and
// passed as --config). Tokens that name another config file are dropped (the harness must
// not read arbitrary files).
// Oracle: sanitizers; parse_config either returns or throws std::invalid_argument (its
// contract in gateway/config.hpp), and an accepted config satisfies the documented ranges.
#include "gateway/config.hpp"
#include "gateway/service_list.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace courtyard;

namespace {

[[noreturn]] void fail(std::string const& what) {
  std::fprintf(stderr, "\n==FUZZ ORACLE== %s\n", what.c_str());
  std::abort();
}

std::vector<std::string> lines(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    auto end = s.find('\n', start);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool mentions_config(std::string const& s) {
  std::string l;
  for (char c : s) l += char(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return l.find("config") != std::string::npos || l.find("help") != std::string::npos || l == "-h";
}

std::vector<settings::Key> const* g_keys = nullptr;
std::string g_file;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  g_keys = new std::vector<settings::Key>(gateway::all_service_keys());
  g_file = "/tmp/courtyard-fuzz-config-" + std::to_string(::getpid()) + ".conf";
  std::atexit([] { std::remove(g_file.c_str()); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view in(reinterpret_cast<char const*>(data), size);
  std::string_view parts[3];
  for (int i = 0; i < 2; ++i) {
    auto sep = in.find("\n%%\n");
    if (sep == std::string_view::npos) break;
    parts[i] = in.substr(0, sep);
    in.remove_prefix(sep + 4);
  }
  parts[2] = in;

  std::vector<std::string> argv_s{"courtyard"};
  for (auto& a : lines(parts[0]))
    if (!mentions_config(a)) argv_s.push_back(a);
  std::vector<std::string> env_s;
  for (auto& e : lines(parts[1]))
    if (!mentions_config(e)) env_s.push_back(e);
  if (!parts[2].empty()) {
    std::ofstream(g_file, std::ios::binary | std::ios::trunc) << parts[2];
    argv_s.push_back("--config");
    argv_s.push_back(g_file);
  }
  std::vector<char const*> argv;
  for (auto& a : argv_s) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  std::vector<char const*> envp;
  for (auto& e : env_s) envp.push_back(e.c_str());
  envp.push_back(nullptr);

  try {
    auto parsed = gateway::parse_config(int(argv.size() - 1), argv.data(), envp.data(), *g_keys);
    auto const& c = parsed.config;
    // workers 0 = chosen by storage when the App starts; negative counts are refused.
    if (c.threads < 1 || c.workers < 0 || c.queue < 1) fail("accepted a non-positive thread/queue or a negative worker count");
    if (c.header_limit < 1024) fail("accepted a header limit below 1024");
    if (!(c.rate_limit_rps >= 0)) fail("accepted a negative or NaN rate limit");
    if (c.rate_limit_rps > 0 && !(c.rate_limit_burst >= 1)) fail("accepted a burst below 1");
    if (c.listen.empty()) fail("accepted an empty listen address");
  } catch (std::invalid_argument const&) {
    // The documented way to refuse a configuration.
  } catch (std::exception const& e) {
    fail(std::string("parse_config threw something other than std::invalid_argument: ") + e.what());
  }
  return 0;
}
