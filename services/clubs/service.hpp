#pragma once
#include "http/service.hpp"

namespace courtyard::clubs {

// Clubs and community content: clubs and memberships, club events with RSVPs (capacity,
// FIFO waitlist, paid seats via the wallet, check-in codes, reminders), and posts with
// comments, likes, reports and moderation.
class ClubsService final : public Service {
 public:
  explicit ClubsService(Env& env) : env_(env) {}
  std::string_view name() const override { return "clubs"; }
  std::vector<db::Migration> migrations() const override;
  void routes(http::Router& r) override;
  void jobs(jobs::Scheduler& s) override;

 private:
  Env& env_;
};

}  // namespace courtyard::clubs
