// The property functions other services call (api.hpp) that are not the data export.
#include "services/property/api.hpp"

#include "services/property/repository.hpp"

namespace courtyard::property {

std::vector<SuggestionText> suggestion_texts(db::Tx& tx, std::int64_t cid, std::int64_t from, std::int64_t to,
                                             std::int64_t limit) {
  return repo::suggestion_texts(tx, cid, from, to, limit);
}

}  // namespace courtyard::property
