#include "http/context.hpp"

#include "http/idempotency.hpp"

#include <algorithm>

namespace courtyard {

http::Response Context::idempotent(http::Request const& req, std::function<http::Response(db::Tx&)> fn) {
  return idempotency::run(*this, req, std::move(fn));
}

void Context::audit_once(db::Tx& t) {
  if (!audit.privileged || audited_) return;
  audit::record(t, *this, audit);
  t.after_commit([this] { audited_ = true; });
}

bool Context::is_manager() const { return principal.admin || principal.has(Role::Manager, community_id); }

std::vector<std::int64_t> Context::my_units() const {
  std::vector<std::int64_t> out;
  for (auto const& m : principal.memberships)
    if (m.community_id == community_id && m.role == Role::Resident && m.unit_id > 0) out.push_back(m.unit_id);
  return out;
}

bool Context::lives_in(std::int64_t unit_id) const {
  auto units = my_units();
  return std::find(units.begin(), units.end(), unit_id) != units.end();
}

bool Context::acts_for(std::int64_t merchant_id) const {
  return principal.admin || principal.acts_for_merchant(community_id, merchant_id);
}

std::string Context::path(std::string_view suffix) const {
  return "/v1/communities/" + std::to_string(community_id) + std::string(suffix);
}

}  // namespace courtyard
