// The live stream on Lambda: the pump that writes it (on a clock the test
// moves) and the feed made for one stream invocation (over a memory store,
// fed by the polling LiveOrders).

#include "lambda/live_stream.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "api/bounded_executor.hpp"
#include "api/order_json.hpp"
#include "storage/memory/memory_store.hpp"
#include "storage/polled_live_orders.hpp"

namespace cargomon::lambda {
namespace {

using namespace std::chrono_literals;

// What the pump wrote, for a test on another thread to wait for.
class Written {
 public:
  StreamWrite sink() {
    return [this](std::span<const std::string_view> pieces) {
      {
        const std::lock_guard lock(mutex_);
        for (const auto piece : pieces) text_ += piece;
      }
      changed_.notify_all();
    };
  }

  // True once the text holds `part` `times` times (false after 10 s: a failing test).
  bool wait_for(std::string_view part, int times = 1) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return count(part) >= times; });
  }

  std::string text() const {
    const std::lock_guard lock(mutex_);
    return text_;
  }

 private:
  int count(std::string_view part) const {
    int found = 0;
    for (auto at = text_.find(part); at != std::string::npos; at = text_.find(part, at + 1)) {
      ++found;
    }
    return found;
  }

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::string text_;
};

Order store_order(MemoryStore& store, std::string id) {
  Order order;
  order.order_id = std::move(id);
  order.courier = {{"1", true}, "Ana"};
  order.lines = {{"p", "Moneda", Money::from_cents(100), 1}};
  Order stored;
  store.register_order(order, [&](RegisterResult result) { stored = result.order; });
  return stored;
}

StreamLimits with_heartbeat(std::chrono::milliseconds heartbeat) {
  StreamLimits limits;
  limits.heartbeat = heartbeat;
  return limits;
}

StreamLimits with_max_bytes(std::size_t max_bytes) {
  StreamLimits limits;
  limits.max_bytes = max_bytes;
  return limits;
}

class PumpTest : public ::testing::Test {
 protected:
  // Runs the pump on its own thread, as the invocation loop would.
  void start(StreamLimits limits, std::chrono::seconds until_end = 60s) {
    limits_ = limits;
    stream = feed.subscribe(std::nullopt);
    ASSERT_NE(stream, nullptr);
    const auto end_at = ticks.now() + until_end;
    pump = std::thread([this, end_at] {
      try {
        ended = pump_events(*stream, written.sink(), 0, end_at, limits_, ticks);
      } catch (const std::exception& e) {
        failure = e.what();
      }
    });
  }

  void join() {
    if (pump.joinable()) pump.join();
  }

  ~PumpTest() override {
    feed.stop();  // ends the stream, so a pump still running returns
    join();
  }

  BusinessCalendar calendar{"America/Bogota"};
  FakeClock clock{Timestamp{}};
  MemoryStore store{calendar};
  api::EventFeed feed{store, calendar, clock};
  FakeMonotonicClock ticks;
  StreamLimits limits_;
  std::shared_ptr<api::EventStream> stream;
  Written written;
  std::thread pump;
  std::optional<StreamEnd> ended;
  std::string failure;
};

TEST_F(PumpTest, WritesTheEventsAsTheyComeAndAHeartbeatOnAQuietStream) {
  start(with_heartbeat(15s));
  ASSERT_TRUE(written.wait_for("event: metrics\n"));
  const Order order = store_order(store, "a");
  feed.publish(order, api::order_json(order, calendar));
  ASSERT_TRUE(written.wait_for("event: pedido\nid: 1\n"));
  EXPECT_EQ(written.text().find(": keep-alive"), std::string::npos);
  // Quiet for the heartbeat interval (once the pump waits again, having
  // timed its next heartbeat from its last write).
  ASSERT_TRUE(ticks.await_waiter());
  ticks.advance(15s);
  EXPECT_TRUE(written.wait_for(std::string(api::kStreamHeartbeat)));
  EXPECT_FALSE(ended);
}

TEST_F(PumpTest, EndsCleanlyWhenTheEndComes) {
  start(with_heartbeat(15s), 20s);
  ASSERT_TRUE(written.wait_for("event: metrics\n"));
  ASSERT_TRUE(ticks.await_waiter());
  ticks.advance(20s);
  join();
  EXPECT_EQ(ended, StreamEnd::deadline) << failure;
}

TEST_F(PumpTest, EndsWhenTheFeedClosesTheStream) {
  start({});
  ASSERT_TRUE(written.wait_for("event: metrics\n"));
  feed.close_all();
  join();
  EXPECT_EQ(ended, StreamEnd::closed) << failure;
}

TEST_F(PumpTest, EndsOnceTheBodyReachesItsBound) {
  start(with_max_bytes(10));
  join();  // the first metrics event alone passes the bound
  EXPECT_EQ(ended, StreamEnd::size) << failure;
  EXPECT_NE(written.text().find("event: metrics\n"), std::string::npos);
}

TEST_F(PumpTest, AWriteThatFailsEndsThePumpWithItsError) {
  stream = feed.subscribe(std::nullopt);
  EXPECT_THROW(
      pump_events(
          *stream, [](std::span<const std::string_view>) { throw std::runtime_error("gone"); }, 0,
          ticks.now() + 60s, {}, ticks),
      std::runtime_error);
}

TEST(RetryField, TellsEventSourceHowLongToWait) {
  EXPECT_EQ(retry_field(1500ms), "retry: 1500\n\n");
}

class OnDemandFeedTest : public ::testing::Test {
 protected:
  OnDemandFeedTest() {
    store.create_user(User{"vera", "hash", Role::viewer, false});
    store.create_user(User{"cora", "hash", Role::courier, false});
  }

  api::Request stream_request(const std::string& token, std::string last_event_id = "") {
    api::Request request;
    request.method = "GET";
    request.target = "/eventos";
    request.authorization = "Bearer " + token;
    request.last_event_id = std::move(last_event_id);
    return request;
  }

  BusinessCalendar calendar{"America/Bogota"};
  SystemClock clock;
  MemoryStore store{calendar};
  auth::TokenService tokens{std::string(32, 's'), std::chrono::minutes(30), clock};
  auth::LoginThrottle throttle{clock};
  api::InlineExecutor inline_work;
  api::Services services{calendar, clock,       store,       store,   tokens,
                         throttle, inline_work, inline_work, nullptr, {}};
  FakeMonotonicClock poll_ticks;
  PolledLiveOrders live{store, {.interval = 1s, .page = 500, .ticks = &poll_ticks}};
  OnDemandFeed on_demand{services, live};
};

TEST_F(OnDemandFeedTest, NothingStartsForAClientThatMayNotReadTheStream) {
  EXPECT_EQ(on_demand.open(stream_request("nonsense")), nullptr);
  EXPECT_EQ(on_demand.open(stream_request(tokens.issue("cora", Role::courier))), nullptr);
  EXPECT_EQ(services.feed, nullptr);
}

TEST_F(OnDemandFeedTest, TheFeedLivesAsLongAsTheHandleAndGetsOrdersFromTheStore) {
  auto handle = on_demand.open(stream_request(tokens.issue("vera", Role::viewer)));
  ASSERT_NE(handle, nullptr);
  ASSERT_NE(services.feed, nullptr);
  const auto stream = services.feed->subscribe(std::nullopt);
  ASSERT_NE(stream, nullptr);
  stream->take();  // the first metrics
  // Stored by another environment: it reaches the stream at the next poll.
  store_order(store, "elsewhere");
  ASSERT_TRUE(poll_ticks.await_waiter());
  poll_ticks.advance(1s);
  std::mutex mutex;
  std::condition_variable cv;
  std::string text;
  stream->set_waker([&] {
    const std::lock_guard lock(mutex);
    cv.notify_all();
  });
  {
    std::unique_lock lock(mutex);
    cv.wait_for(lock, 10s, [&] {
      text += stream->take().text();
      return text.find("event: pedido\nid: 1\n") != std::string::npos;
    });
  }
  EXPECT_NE(text.find("\"elsewhere\""), std::string::npos) << text;
  stream->set_waker(nullptr);
  handle.reset();
  EXPECT_EQ(services.feed, nullptr);
  EXPECT_TRUE(stream->closed());
}

TEST_F(OnDemandFeedTest, AResumingClientGetsExactlyWhatItMissedFromTheStore) {
  for (const char* id : {"a", "b", "c"}) store_order(store, id);
  const auto token = tokens.issue("vera", Role::viewer);
  const auto handle = on_demand.open(stream_request(token, "1"));
  ASSERT_NE(handle, nullptr);
  const auto stream = services.feed->subscribe(1);
  const std::string text = stream->take().text();
  EXPECT_EQ(text.find("id: 1\n"), std::string::npos) << text;
  const auto second = text.find("id: 2\n");
  const auto third = text.find("id: 3\n");
  EXPECT_NE(second, std::string::npos) << text;
  EXPECT_NE(third, std::string::npos) << text;
  EXPECT_LT(second, third);
}

}  // namespace
}  // namespace cargomon::lambda
