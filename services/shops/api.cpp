// The shops functions other services call (api.hpp) that are not a job's body.
#include "services/shops/api.hpp"

#include "services/shops/repository.hpp"

namespace courtyard::shops {

std::optional<std::int64_t> merchant_owner(db::Tx& tx, std::int64_t cid, std::int64_t mid) {
  auto m = repo::find_merchant(tx, cid, mid);
  if (!m) return std::nullopt;
  return m->owner_id;
}

}  // namespace courtyard::shops
