#include "tests/clubs/probe.hpp"

#include <map>
#include <mutex>

namespace courtyard::test {

namespace {

std::mutex g_mu;
std::map<std::int64_t, Delivered> g_seen;  // by event id: redelivery is idempotent

class Probe final : public Service {
 public:
  std::string_view name() const override { return "clubs_probe"; }
  std::vector<db::Migration> migrations() const override { return {}; }
  void routes(http::Router&) override {}
  void subscribe(events::Bus& bus) override {
    for (char const* topic : {"club.joined", "event.rsvp", "event.checked_in", "event.reminder", "post.published"}) {
      bus.subscribe(std::string("clubs_probe.") + topic, topic, [](events::Event const& e, db::Tx&) {
        std::lock_guard lk(g_mu);
        g_seen.emplace(e.id, Delivered{e.id, e.topic, e.community_id, e.payload.as_object()});
      });
    }
  }
};

}  // namespace

gateway::ServiceEntry probe_entry() {
  return {"clubs_probe", [](Env&) -> std::unique_ptr<Service> { return std::make_unique<Probe>(); }};
}

std::vector<Delivered> delivered(std::int64_t community_id, std::string const& topic) {
  std::lock_guard lk(g_mu);
  std::vector<Delivered> out;
  for (auto const& [id, d] : g_seen)
    if (d.community_id == community_id && d.topic == topic) out.push_back(d);
  return out;
}

}  // namespace courtyard::test
