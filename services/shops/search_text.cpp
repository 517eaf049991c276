#include "services/shops/search_text.hpp"

#include <algorithm>
#include <map>

namespace courtyard::shops::search {

namespace {

enum class Kind { Separator, Word, Cjk };

struct CodePoint {
  char32_t cp = 0;
  std::size_t begin = 0, end = 0;  // byte range in the source
};

// Decodes UTF-8; an invalid byte becomes U+FFFD (a separator) so garbage never joins a word.
std::vector<CodePoint> decode(std::string_view s) {
  std::vector<CodePoint> out;
  std::size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    char32_t cp = 0xFFFD;
    if (len == 0 || i + len > s.size()) {
      len = 1;
    } else {
      cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
      for (std::size_t k = 1; k < len; ++k) {
        auto c = static_cast<unsigned char>(s[i + k]);
        if ((c & 0xC0) != 0x80) {
          cp = 0xFFFD;
          len = k;
          break;
        }
        cp = (cp << 6) | (c & 0x3F);
      }
    }
    out.push_back({cp, i, i + len});
    i += len;
  }
  return out;
}

bool is_cjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0x20000 && c <= 0x2FA1F);
}

// Full-width ASCII letters and digits (ＡＢＣ１２３) fold to ASCII; anything else stays.
char32_t fold(char32_t c) {
  if (c >= 0xFF10 && c <= 0xFF19) c = c - 0xFF10 + '0';
  else if (c >= 0xFF21 && c <= 0xFF3A) c = c - 0xFF21 + 'a';
  else if (c >= 0xFF41 && c <= 0xFF5A) c = c - 0xFF41 + 'a';
  if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
  return c;
}

Kind kind_of(char32_t c) {
  if (c < 0x80) return ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) ? Kind::Word : Kind::Separator;
  if (is_cjk(c)) return Kind::Cjk;
  // Punctuation, symbols and spaces of the BMP's general and CJK punctuation blocks, the
  // replacement character and the rest of the full-width forms separate words.
  if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) || (c >= 0xFE30 && c <= 0xFE4F) ||
      (c >= 0xFF00 && c <= 0xFFEF) || c == 0xFFFD || c == 0xA0 || (c >= 0xA1 && c <= 0xBF) || c == 0xD7 ||
      c == 0xF7)
    return Kind::Separator;
  return Kind::Word;  // letters of other scripts (é, ü, кириллица) join words as they are
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool ascii_only(std::string const& w) {
  return std::all_of(w.begin(), w.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// "eggs" -> "egg", "berries" -> "berry"; "glass", "bus" and short words stay.
std::string singular(std::string w) {
  if (!ascii_only(w) || w.size() <= 3) return w;
  if (w.size() > 4 && w.ends_with("ies")) return w.substr(0, w.size() - 3) + "y";
  if (w.back() == 's' && w[w.size() - 2] != 's' && w[w.size() - 2] != 'u') w.pop_back();
  return w;
}

// Cuts to at most `max` bytes without splitting a character.
std::string cut(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  s.resize(max);
  while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
  if (!s.empty() && (static_cast<unsigned char>(s.back()) & 0x80)) s.pop_back();
  return s;
}

struct Pieces {
  std::vector<std::string> words;     // Latin words and CJK bigrams (and lone CJK characters)
  std::vector<std::string> cjk_chars; // each CJK character of a run of two or more
};

Pieces split(std::string_view text) {
  Pieces out;
  auto cps = decode(text);
  std::string word;
  std::vector<std::string> run;  // the current CJK run, one string per character
  auto flush_word = [&] {
    if (!word.empty()) out.words.push_back(cut(singular(word), kMaxTokenBytes));
    word.clear();
  };
  auto flush_run = [&] {
    if (run.size() == 1) out.words.push_back(run[0]);
    for (std::size_t i = 0; i + 1 < run.size(); ++i) out.words.push_back(run[i] + run[i + 1]);
    if (run.size() > 1) out.cjk_chars.insert(out.cjk_chars.end(), run.begin(), run.end());
    run.clear();
  };
  for (auto const& p : cps) {
    char32_t c = fold(p.cp);
    switch (kind_of(c)) {
      case Kind::Word:
        flush_run();
        append_utf8(word, c);
        break;
      case Kind::Cjk: {
        flush_word();
        std::string ch;
        append_utf8(ch, c);
        run.push_back(std::move(ch));
        break;
      }
      case Kind::Separator:
        flush_word();
        flush_run();
        break;
    }
  }
  flush_word();
  flush_run();
  return out;
}

void add_distinct(std::vector<std::string>& out, std::string t) {
  if (!t.empty() && std::find(out.begin(), out.end(), t) == out.end()) out.push_back(std::move(t));
}

}  // namespace

std::string normalise(std::string_view text) {
  std::string out;
  bool space = false;
  for (auto const& p : decode(text)) {
    char32_t c = fold(p.cp);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x3000 || c == 0xA0 || c < 0x20) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    append_utf8(out, c);
  }
  return cut(std::move(out), kMaxQueryBytes);
}

std::vector<std::string> tokens(std::string_view text) {
  std::vector<std::string> out;
  for (auto& w : split(text).words) add_distinct(out, std::move(w));
  return out;
}

std::vector<std::string> query_tokens(std::string_view query) {
  auto out = tokens(query);
  if (out.size() > kMaxQueryTokens) out.resize(kMaxQueryTokens);
  return out;
}

std::vector<WeightedToken> product_tokens(std::string_view name, std::string_view category) {
  std::map<std::string, int> weights;
  std::vector<std::string> order;
  auto add = [&](std::vector<std::string> const& ts, int weight) {
    std::vector<std::string> seen;
    for (auto const& t : ts) {
      if (std::find(seen.begin(), seen.end(), t) != seen.end()) continue;
      seen.push_back(t);
      if (!weights.count(t)) order.push_back(t);
      weights[t] += weight;
    }
  };
  auto n = split(name);
  add(n.words, kNameWeight);
  add(n.cjk_chars, kNameCharWeight);
  add(split(category).words, kCategoryWeight);
  std::vector<WeightedToken> out;
  for (auto const& t : order) out.push_back({t, weights[t]});
  return out;
}

std::int64_t min_match(std::size_t n) { return n == 0 ? 1 : static_cast<std::int64_t>((n + 1) / 2); }

bool mentions(std::vector<std::string> const& text_tokens, std::string_view term) {
  auto need = tokens(term);
  if (need.empty()) return false;
  for (auto const& t : need)
    if (std::find(text_tokens.begin(), text_tokens.end(), t) == text_tokens.end()) return false;
  return true;
}

namespace {
constexpr std::int64_t kIdBits = 40;
constexpr std::int64_t kIdMask = (std::int64_t{1} << kIdBits) - 1;
}  // namespace

std::int64_t rank_key(std::int64_t score, std::int64_t product_id) { return (score << kIdBits) | (product_id & kIdMask); }

std::pair<std::int64_t, std::int64_t> rank_of(std::int64_t key) { return {key >> kIdBits, key & kIdMask}; }

Shown shown(std::int64_t count) {
  if (count >= kAnonymityFloor) return count;
  return std::string("fewer than ") + std::to_string(kAnonymityFloor);
}

}  // namespace courtyard::shops::search
