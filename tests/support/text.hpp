#pragma once
// Text helpers shared by the test executables.
#include <string>
#include <string_view>
#include <vector>

namespace courtyard::test {

// `text` cut at each `sep`; a separator at the very end adds no empty last line.
inline std::vector<std::string> lines_of(std::string_view text, std::string_view sep = "\n") {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find(sep, at);
    if (end == std::string_view::npos) end = text.size();
    out.emplace_back(text.substr(at, end - at));
    at = end + sep.size();
  }
  return out;
}

}  // namespace courtyard::test
