#pragma once
// A subscriber service used only by these tests: it records every clubs event the outbox
// delivers (once per event id), so tests see what was published *and* consumed.
#include "gateway/app.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace courtyard::test {

gateway::ServiceEntry probe_entry();

struct Delivered {
  std::int64_t event_id = 0;
  std::string topic;
  std::int64_t community_id = 0;
  boost::json::object payload;
};
// Deliveries so far for one community and topic, in delivery order.
std::vector<Delivered> delivered(std::int64_t community_id, std::string const& topic);

}  // namespace courtyard::test
