// The shops functions other services call (api.hpp) that are not a job's body.
#include "services/shops/api.hpp"

#include "services/shops/demand_repository.hpp"
#include "services/shops/repository.hpp"

namespace courtyard::shops {

std::optional<std::int64_t> merchant_owner(db::Tx& tx, std::int64_t cid, std::int64_t mid) {
  auto m = repo::find_merchant(tx, cid, mid);
  if (!m) return std::nullopt;
  return m->owner_id;
}

std::vector<std::int64_t> wish_joiners(db::Tx& tx, std::int64_t cid, std::int64_t wish_id, std::int64_t after,
                                       std::int64_t limit) {
  return repo::wish_joiners(tx, cid, wish_id, after, limit);
}

}  // namespace courtyard::shops
