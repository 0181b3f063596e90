#include "api/event_feed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "api/order_json.hpp"
#include "storage/forwarding_store.hpp"
#include "storage/memory/memory_store.hpp"

namespace cargomon::api {
namespace {

// The memory store, with reads that fail on cue.
class FlakyStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::vector<Order> orders_after(std::int64_t after, std::size_t limit) override {
    if (unavailable) throw StoreUnavailable("down");
    return ForwardingStore::orders_after(after, limit);
  }
  DayMetrics day_metrics(BusinessDay day) override {
    if (unavailable) throw StoreUnavailable("down");
    return ForwardingStore::day_metrics(day);
  }

  Order add(std::string id) {
    Order order;
    order.order_id = std::move(id);
    order.courier = {{"1", true}, "Ana"};
    order.lines = {{"p", "Moneda", Money::from_cents(100), 1}};
    Order stored;
    register_order(order, [&](RegisterResult r) { stored = r.order; });
    return stored;
  }

  std::atomic<bool> unavailable{false};
};

struct Parsed {
  std::string name;
  std::int64_t id = 0;
};

// Splits the stream's text into (event, id) pairs.
std::vector<Parsed> events_in(const std::string& text) {
  std::vector<Parsed> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto end = text.find("\n\n", pos);
    const std::string block = text.substr(pos, end - pos);
    pos = end + 2;
    Parsed p;
    if (const auto e = block.find("event: "); e != std::string::npos) {
      p.name = block.substr(e + 7, block.find('\n', e) - e - 7);
    }
    if (const auto i = block.find("id: "); i != std::string::npos) {
      p.id = std::stoll(block.substr(i + 4, block.find('\n', i) - i - 4));
    }
    out.push_back(p);
  }
  return out;
}

// What `stream` yields until `enough` holds for the events so far (pedido
// events reach streams from the feed's own thread), or a deadline passes.
std::vector<Parsed> take_until(EventStream& stream,
                               const std::function<bool(const std::vector<Parsed>&)>& enough) {
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    text += stream.take();
    if (enough(events_in(text))) break;
    std::this_thread::yield();
  }
  return events_in(text);
}

std::vector<Parsed> take_at_least(EventStream& stream, std::size_t count) {
  return take_until(stream, [&](const auto& events) { return events.size() >= count; });
}

class EventFeedTest : public ::testing::Test {
 protected:
  // As the order handler does it: the JSON it wrote for its response.
  void publish(EventFeed& feed, const Order& order) {
    feed.publish(order, order_json(order, calendar));
  }

  BusinessCalendar calendar{"America/Bogota"};
  MemoryStore memory{calendar};
  FlakyStore store{memory};
  FakeClock clock{Timestamp{std::chrono::hours(480000)}};
};

TEST_F(EventFeedTest, NewStreamGetsMetricsThenLiveOrders) {
  EventFeed feed(store, calendar, clock);
  auto stream = feed.subscribe(std::nullopt);
  publish(feed, store.add("a"));
  const auto events = take_at_least(*stream, 2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].name, "metrics");
  EXPECT_EQ(events[1].name, "pedido");
  EXPECT_EQ(events[1].id, 1);
}

TEST_F(EventFeedTest, ResumeFromTheWindowReplaysExactlyTheMissedOrders) {
  EventFeed feed(store, calendar, clock);
  for (const char* id : {"a", "b", "c", "d"}) publish(feed, store.add(id));
  store.unavailable = true;  // proves the replay came from memory
  auto stream = feed.subscribe(2);
  const auto events = events_in(stream->take());
  ASSERT_EQ(events.size(), 2u);  // metrics could not be read: it follows on a later tick
  EXPECT_EQ(events[0].id, 3);
  EXPECT_EQ(events[1].id, 4);
}

TEST_F(EventFeedTest, GapsOlderThanTheWindowComeFromTheStore) {
  EventFeedOptions options;
  options.window = 2;
  EventFeed feed(store, calendar, clock, options);
  for (const char* id : {"a", "b", "c", "d", "e"}) publish(feed, store.add(id));
  auto stream = feed.subscribe(1);
  std::vector<std::int64_t> ids;
  for (const auto& e : events_in(stream->take())) {
    if (e.name == "pedido") ids.push_back(e.id);
  }
  EXPECT_EQ(ids, (std::vector<std::int64_t>{2, 3, 4, 5}));
}

TEST_F(EventFeedTest, GapsTooLargeToReplayAskForResync) {
  EventFeedOptions options;
  options.window = 1;
  options.max_store_replay = 2;
  EventFeed feed(store, calendar, clock, options);
  for (const char* id : {"a", "b", "c", "d", "e"}) publish(feed, store.add(id));
  auto stream = feed.subscribe(0);
  const auto events = events_in(stream->take());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].name, "resync");
}

TEST_F(EventFeedTest, ASlowStreamIsToldToResyncAndClosedWithoutAffectingOthers) {
  EventFeedOptions options;
  options.max_queued_bytes = 2000;
  EventFeed feed(store, calendar, clock, options);
  auto slow = feed.subscribe(std::nullopt);
  auto fast = feed.subscribe(std::nullopt);
  fast->take();
  // Counting only orders: a metrics tick may come in between.
  const auto orders_in = [](const std::vector<Parsed>& events) {
    return std::count_if(events.begin(), events.end(),
                         [](const Parsed& event) { return event.name == "pedido"; });
  };
  int delivered = 0;
  for (int i = 0; i < 20; ++i) {
    publish(feed, store.add("o" + std::to_string(i)));
    delivered += static_cast<int>(
        orders_in(take_until(*fast, [&](const auto& events) { return orders_in(events) > 0; })));
  }
  EXPECT_EQ(delivered, 20);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!slow->closed() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_TRUE(slow->closed());
  const auto events = events_in(slow->take());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name, "resync");
}

TEST_F(EventFeedTest, OrdersPublishedWithinOneFanOutIntervalReachAStreamTogether) {
  EventFeedOptions options;
  options.fanout_interval = std::chrono::milliseconds(500);
  EventFeed feed(store, calendar, clock, options);
  auto stream = feed.subscribe(std::nullopt);
  take_at_least(*stream, 1);  // metrics
  // The first order after a quiet spell goes out at once...
  publish(feed, store.add("first"));
  ASSERT_EQ(take_at_least(*stream, 1).size(), 1u);
  // ...the ones right after it wait for the interval and arrive in one piece.
  for (int i = 0; i < 50; ++i) publish(feed, store.add("o" + std::to_string(i)));
  // (A metrics tick may flush them early, and follow them: in the same piece.)
  std::vector<Parsed> batch;
  for (const auto& event : take_at_least(*stream, 1)) {
    if (event.name == "pedido") batch.push_back(event);
  }
  ASSERT_EQ(batch.size(), 50u);
  EXPECT_EQ(batch.front().id, 2);
  EXPECT_EQ(batch.back().id, 51);
}

TEST_F(EventFeedTest, CloseAllEndsEveryStreamAndWakesItsTransport) {
  EventFeed feed(store, calendar, clock);
  auto stream = feed.subscribe(std::nullopt);
  int wakes = 0;
  stream->set_waker([&] { ++wakes; });
  const int before = wakes;
  feed.close_all();
  EXPECT_TRUE(stream->closed());
  EXPECT_GT(wakes, before);
  EXPECT_EQ(feed.subscribers(), 0u);
}

}  // namespace
}  // namespace cargomon::api
