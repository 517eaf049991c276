#pragma once
// Pure text rules of product search and community demand: how names and queries become
// index tokens, how hits are scored, and the k-anonymity floor of demand figures.
// No SOCI, no HTTP.
//
// Tokens: Latin text (any run of letters and digits that is not CJK) is split into words,
// ASCII lower-cased (full-width letters and digits folded to ASCII) with a light plural rule
// ("eggs" -> "egg", "berries" -> "berry"), applied identically to products and queries. A run
// of CJK characters (Chinese, Japanese kana, Korean Hangul) becomes its character bigrams,
// since Chinese has no spaces ("有机鸡蛋" -> 有机 机鸡 鸡蛋); product names also index each
// CJK character alone (low weight) so a one-character query ("蛋") still finds them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace courtyard::shops::search {

constexpr std::size_t kMaxTokenBytes = 64;     // longer words are cut (at a character boundary)
constexpr std::size_t kMaxQueryTokens = 8;     // a query's distinct tokens beyond these are ignored
constexpr std::size_t kMaxQueryBytes = 200;    // the normalised query text kept in the log
constexpr int kNameWeight = 3;                 // a word or CJK bigram of the product's name
constexpr int kNameCharWeight = 1;             // a single CJK character of the name
constexpr int kCategoryWeight = 1;             // a word or bigram of the product's category
constexpr std::int64_t kFewResults = 3;        // fewer full matches than this is a "few results" search
constexpr std::int64_t kAnonymityFloor = 5;    // k: a demand figure below it is shown as "fewer than 5"

struct WeightedToken {
  std::string token;
  int weight = 0;
};

// The query as the log keeps it: tokens' source text lower-cased, whitespace collapsed,
// trimmed, cut to kMaxQueryBytes at a character boundary.
std::string normalise(std::string_view text);

// The distinct search tokens of a text, in order of first appearance (words and bigrams).
std::vector<std::string> tokens(std::string_view text);

// A query's distinct tokens (at most kMaxQueryTokens); a query that is a single CJK
// character searches for that character.
std::vector<std::string> query_tokens(std::string_view query);

// What a product is indexed under: each distinct token once, with the sum of the weights of
// the places it occurs (name word 3, name CJK character 1, category 1).
std::vector<WeightedToken> product_tokens(std::string_view name, std::string_view category);

// How many of a query's n tokens a product must match to be a hit: half of them, rounded up
// (so "organic eggs" lists plain eggs too, below the organic ones). A hit that matches all n
// is a full match; the demand figures count full matches.
std::int64_t min_match(std::size_t n);

// True when every token of `term` occurs among the tokens of `text` (a suggestion that
// mentions a category or a searched term).
bool mentions(std::vector<std::string> const& text_tokens, std::string_view term);

// Ranked paging: a hit's place in the order (score descending, product id descending) as one
// cursor key, and back.
std::int64_t rank_key(std::int64_t score, std::int64_t product_id);
std::pair<std::int64_t, std::int64_t> rank_of(std::int64_t key);  // {score, product_id}

// A demand figure as shown: the count when it is at least k, "fewer than 5" below.
using Shown = std::variant<std::int64_t, std::string>;
Shown shown(std::int64_t count);

}  // namespace courtyard::shops::search
