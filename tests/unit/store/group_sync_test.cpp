// store::GroupSync: every request is answered with the sync's result, and a failed sync is reported to on_fatal
// once (the server stops on it), never retried into success.
#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "store/group_sync.h"

using namespace axon;

namespace {

class FailingDelivery final : public store::MailDelivery {
 public:
  std::vector<core::Result<store::DeliveryOutcome>> deliver(std::span<const store::Delivery>) override { return {}; }
  core::Result<void> sync() override {
    ++syncs;
    if (fail) return core::make_error(core::Errc::temporary, "fsync: Input/output error");
    return {};
  }
  std::atomic<int> syncs{0};
  std::atomic<bool> fail{false};
};

core::Result<void> ask(store::GroupSync& g) {
  std::promise<core::Result<void>> p;
  g.request([&p](core::Result<void> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

TEST(GroupSync, AnswersEveryRequestAndReportsAFailureOnce) {
  FailingDelivery d;
  std::atomic<int> fatal{0};
  store::GroupSync g(d, [&](const std::string& why) {
    ++fatal;
    EXPECT_NE(why.find("Input/output error"), std::string::npos);
  });
  EXPECT_TRUE(ask(g).ok());
  EXPECT_EQ(fatal, 0);
  d.fail = true;
  EXPECT_FALSE(ask(g).ok());
  EXPECT_FALSE(ask(g).ok());
  EXPECT_EQ(fatal, 1);
  EXPECT_GE(d.syncs, 3);
}

}  // namespace
