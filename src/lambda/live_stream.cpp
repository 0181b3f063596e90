#include "lambda/live_stream.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <string_view>
#include <variant>
#include <vector>

#include "api/authenticate.hpp"

namespace cargomon::lambda {

std::string retry_field(std::chrono::milliseconds retry) {
  return "retry: " + std::to_string(retry.count()) + "\n\n";
}

namespace {

// What the feed's thread sets to wake the pump. Shared with the waker, which
// the feed may still be calling when the pump has returned.
struct Wake {
  std::mutex mutex;
  std::condition_variable cv;
  bool woken = false;
};

}  // namespace

StreamEnd pump_events(api::EventStream& events, const StreamWrite& write, std::size_t written,
                      MonotonicClock::time_point end_at, const StreamLimits& limits,
                      const MonotonicClock& ticks) {
  const auto wake = std::make_shared<Wake>();
  events.set_waker([wake] {
    {
      const std::lock_guard lock(wake->mutex);
      wake->woken = true;
    }
    wake->cv.notify_all();
  });
  auto next_beat = ticks.now() + limits.heartbeat;
  std::vector<std::string_view> pieces;
  for (;;) {
    // Views of the batch's shared texts, which it keeps alive for this
    // round: written where they are, in one chunk.
    const api::EventBatch batch = events.take();
    pieces.clear();
    for (const auto& text : batch.events) pieces.emplace_back(*text);
    std::size_t bytes = batch.bytes;
    if (pieces.empty() && ticks.now() >= next_beat) {
      pieces.push_back(api::kStreamHeartbeat);
      bytes = api::kStreamHeartbeat.size();
    }
    if (!pieces.empty()) {
      write(pieces);
      written += bytes;
      next_beat = ticks.now() + limits.heartbeat;
    }
    if (written >= limits.max_bytes) return StreamEnd::size;
    if (ticks.now() >= end_at) return StreamEnd::deadline;
    if (pieces.empty() && events.closed()) return StreamEnd::closed;
    if (!pieces.empty()) continue;  // there may be more already
    std::unique_lock lock(wake->mutex);
    ticks.wait_until(wake->cv, lock, std::min(next_beat, end_at), [&] { return wake->woken; });
    wake->woken = false;
  }
}

namespace {

// One open feed: services.feed points at it until this goes.
class OpenFeed {
 public:
  OpenFeed(api::Services& services, LiveOrders& live, const api::EventFeedOptions& options)
      : services_(services),
        feed_(std::make_unique<api::EventFeed>(services.orders, services.calendar, services.clock,
                                               options)) {
    api::EventFeed* feed = feed_.get();
    relay_ = live.subscribe([feed](const Order& order) { feed->relay(order); });
    services_.feed = feed;
  }

  ~OpenFeed() {
    services_.feed = nullptr;
    relay_.reset();  // no more relay() calls: then the feed may go
    feed_->stop();
  }

  OpenFeed(const OpenFeed&) = delete;
  OpenFeed& operator=(const OpenFeed&) = delete;
  OpenFeed(OpenFeed&&) = delete;
  OpenFeed& operator=(OpenFeed&&) = delete;

 private:
  api::Services& services_;
  std::unique_ptr<api::EventFeed> feed_;
  std::unique_ptr<LiveSubscription> relay_;
};

}  // namespace

OnDemandFeed::OnDemandFeed(api::Services& services, LiveOrders& live, api::EventFeedOptions options)
    : services_(services), live_(live), options_(options) {
  // Every environment's orders come through the relay, this one's too.
  options_.relayed = true;
  options_.metrics_reader = services.metrics_reader;
  // A stream holds its environment for up to 15 minutes: a revoked user's
  // ends within a second, as on a server.
  options_.still_admitted = [&users = services.users](const std::string& user,
                                                      std::int64_t generation) {
    return api::still_admitted(users, user, generation, Permission::read_orders);
  };
}

std::shared_ptr<void> OnDemandFeed::open(const api::Request& request) {
  // Checked here as well as by the Router: a client that may not read the
  // stream costs no relay (a listener connection, reads of the store).
  const auto allowed = api::authenticate(services_, request, Permission::read_orders);
  if (!std::holds_alternative<api::Principal>(allowed)) return nullptr;
  return std::make_shared<OpenFeed>(services_, live_, options_);
}

}  // namespace cargomon::lambda
