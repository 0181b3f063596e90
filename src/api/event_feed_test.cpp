#include "api/event_feed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
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
    {
      std::unique_lock lock(mutex_);
      ++reads_begun_;
      read_begun_.notify_all();
      gate_opened_.wait(lock, [&] { return !gate_closed_; });
    }
    auto orders = ForwardingStore::orders_after(after, limit);
    std::lock_guard lock(mutex_);
    largest_read = std::max(largest_read, limit);
    orders_read += orders.size();
    return orders;
  }
  // While closed, reads of orders wait in the store (a slow store).
  void close_gate() {
    std::lock_guard lock(mutex_);
    gate_closed_ = true;
  }
  void open_gate() {
    {
      std::lock_guard lock(mutex_);
      gate_closed_ = false;
    }
    gate_opened_.notify_all();
  }
  // Waits (bounded) until `count` reads of orders have begun in all.
  bool wait_for_reads(int count) {
    std::unique_lock lock(mutex_);
    return read_begun_.wait_for(lock, std::chrono::seconds(10),
                                [&] { return reads_begun_ >= count; });
  }
  int reads_begun() {
    std::lock_guard lock(mutex_);
    return reads_begun_;
  }
  DayMetrics day_metrics(BusinessDay day) override {
    if (unavailable) throw StoreUnavailable("down");
    return ForwardingStore::day_metrics(day);
  }
  DayMetrics ranked_day_metrics(BusinessDay day, MetricsTop top) override {
    if (unavailable) throw StoreUnavailable("down");
    return ForwardingStore::ranked_day_metrics(day, top);
  }

  // `name_bytes`: the product name's length, for large orders.
  Order add(std::string id, std::size_t name_bytes = 6) {
    Order order;
    order.order_id = std::move(id);
    order.courier = {{"1", true}, "Ana"};
    order.lines = {{"p", std::string(name_bytes, 'M'), Money::from_cents(100), 1}};
    Order stored;
    register_order(order, [&](RegisterResult r) { stored = r.order; });
    return stored;
  }

  std::atomic<bool> unavailable{false};
  // What orders_after handed out: the largest page asked for, the orders read.
  std::size_t largest_read = 0;
  std::size_t orders_read = 0;

 private:
  std::mutex mutex_;
  std::condition_variable read_begun_;
  std::condition_variable gate_opened_;
  int reads_begun_ = 0;
  bool gate_closed_ = false;
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

// The texts of `batch` that are `name` events, in order.
std::vector<EventText> named_in(const EventBatch& batch, std::string_view name) {
  const std::string head = "event: " + std::string(name) + "\n";
  std::vector<EventText> out;
  for (const auto& text : batch.events) {
    if (text->starts_with(head)) out.push_back(text);
  }
  return out;
}

// Reads a stream as the transport does: woken by the stream's waker, never
// spinning. The wake-ups live in a shared state, since the feed's thread may
// call a waker it copied after the reader is gone.
class StreamReader {
 public:
  explicit StreamReader(EventStream& stream)
      : stream_(stream), wakeups_(std::make_shared<Wakeups>()) {
    stream_.set_waker([wakeups = wakeups_] {
      {
        const std::lock_guard lock(wakeups->mutex);
        ++wakeups->count;
      }
      wakeups->woken.notify_all();
    });
  }

  // What the stream yields until `enough` holds for the events so far
  // (pedido events reach streams from the feed's own thread), or a deadline
  // passes: then the caller's assertions fail on what came.
  std::vector<Parsed> take_until(const std::function<bool(const std::vector<Parsed>&)>& enough) {
    std::string text;
    wait_for([&] {
      text += stream_.take().text();
      return enough(events_in(text));
    });
    return events_in(text);
  }

  std::vector<Parsed> take_at_least(std::size_t count) {
    return take_until([&](const auto& events) { return events.size() >= count; });
  }

  // The texts themselves, as the transport gets them, of the next `count`
  // `name` events (fewer if the deadline passes first).
  std::vector<EventText> take_texts(std::string_view name, std::size_t count) {
    std::vector<EventText> texts;
    wait_for([&] {
      for (auto& text : named_in(stream_.take(), name)) texts.push_back(std::move(text));
      return texts.size() >= count;
    });
    return texts;
  }

  // True once the stream is closed (false if that takes longer than the deadline).
  bool wait_until_closed() {
    return wait_for([&] { return stream_.closed(); });
  }

 private:
  struct Wakeups {
    std::mutex mutex;
    std::condition_variable woken;
    std::uint64_t count = 0;
  };

  // Checks `done` after every wake-up; false when the deadline passes first.
  bool wait_for(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::unique_lock lock(wakeups_->mutex);
    for (;;) {
      // A wake-up after this point is counted, so none is missed while
      // `done` runs unlocked.
      const auto seen = wakeups_->count;
      lock.unlock();
      if (done()) return true;
      lock.lock();
      if (!wakeups_->woken.wait_until(lock, deadline, [&] { return wakeups_->count != seen; })) {
        return false;
      }
    }
  }

  EventStream& stream_;
  std::shared_ptr<Wakeups> wakeups_;
};

class EventFeedTest : public ::testing::Test {
 protected:
  // As the order handler does it: the JSON it wrote for its response.
  void publish(EventFeed& feed, const Order& order) {
    feed.publish(order, order_json(order, calendar));
  }

  // Stores and publishes an order per id, each handed to the streams before
  // the next: with a small window, orders published faster than the feed's
  // thread fans them out would make it resync every stream open at that
  // fan-out ("too many events at once"), which tests of replays must not
  // race with. A probe stream of its own user and address sees each.
  void publish_fanned_out(EventFeed& feed, std::initializer_list<const char*> ids) {
    const auto probe = feed.subscribe(std::nullopt, {"probe", "10.9.9.9", {}});
    ASSERT_TRUE(probe);
    StreamReader reader(*probe);
    for (const char* id : ids) {
      const auto order = store.add(id);
      publish(feed, order);
      const auto events = reader.take_until([&](const std::vector<Parsed>& seen) {
        return std::any_of(seen.begin(), seen.end(),
                           [&](const Parsed& e) { return e.id == order.sequence; });
      });
      ASSERT_TRUE(std::any_of(events.begin(), events.end(),
                              [&](const Parsed& e) { return e.id == order.sequence; }));
    }
  }

  BusinessCalendar calendar{"America/Bogota"};
  MemoryStore memory{calendar};
  FlakyStore store{memory};
  FakeClock clock{Timestamp{std::chrono::hours(480000)}};
};

TEST_F(EventFeedTest, NewStreamGetsMetricsThenLiveOrders) {
  EventFeed feed(store, calendar, clock);
  auto stream = feed.subscribe(std::nullopt);
  StreamReader reader(*stream);
  publish(feed, store.add("a"));
  const auto events = reader.take_at_least(2);
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
  const auto events = events_in(stream->take().text());
  ASSERT_EQ(events.size(), 2u);  // metrics could not be read: it follows on a later tick
  EXPECT_EQ(events[0].id, 3);
  EXPECT_EQ(events[1].id, 4);
}

TEST_F(EventFeedTest, TheLargestLastEventIdIsWellDefinedAndReplaysNothing) {
  // The id after it does not exist: computing it would be signed overflow
  // (UBSan stops the test). A client ahead of every event has missed none.
  EventFeed feed(store, calendar, clock);
  for (const char* id : {"a", "b"}) publish(feed, store.add(id));
  auto stream = feed.subscribe(std::numeric_limits<std::int64_t>::max());
  for (const auto& event : events_in(stream->take().text())) EXPECT_NE(event.name, "pedido");
  // And the stream goes on with live orders.
  StreamReader reader(*stream);
  publish(feed, store.add("c"));
  const auto events = reader.take_until([](const auto& got) {
    return std::any_of(got.begin(), got.end(), [](const auto& e) { return e.name == "pedido"; });
  });
  EXPECT_TRUE(std::any_of(events.begin(), events.end(),
                          [](const auto& e) { return e.name == "pedido" && e.id == 3; }));
}

TEST_F(EventFeedTest, GapsOlderThanTheWindowComeFromTheStore) {
  EventFeedOptions options;
  options.window = 2;
  EventFeed feed(store, calendar, clock, options);
  for (const char* id : {"a", "b", "c", "d", "e"}) publish(feed, store.add(id));
  auto stream = feed.subscribe(1);
  std::vector<std::int64_t> ids;
  for (const auto& e : events_in(stream->take().text())) {
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
  const auto events = events_in(stream->take().text());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].name, "resync");
}

TEST_F(EventFeedTest, AReplayFromTheStoreReadsPagesAndStopsAtItsByteBound) {
  // After a restart every dashboard reconnects with its last id: one that is
  // far behind must not make the feed load every order it missed.
  EventFeedOptions options;
  options.window = 1;
  options.max_queued_bytes = 256 << 10;  // replay budget: 128 KiB
  options.store_replay_page = 16;
  EventFeed feed(store, calendar, clock, options);
  for (int i = 0; i < 1'000; ++i) publish(feed, store.add("o" + std::to_string(i), 2'000));
  auto stream = feed.subscribe(0);
  const auto events = events_in(stream->take().text());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].name, "resync");
  EXPECT_EQ(store.largest_read, 16u);
  // About 2 KB an event: 64 fit the budget, and the page that passed it was read.
  EXPECT_LE(store.orders_read, 64u + 16u);
}

TEST_F(EventFeedTest, AReplayFromTheStoreWithinItsBoundsIsComplete) {
  EventFeedOptions options;
  options.window = 1;
  options.store_replay_page = 3;  // the gap spans several pages, the last one full
  EventFeed feed(store, calendar, clock, options);
  for (int i = 0; i < 10; ++i) publish(feed, store.add("o" + std::to_string(i)));
  auto stream = feed.subscribe(1);
  std::vector<std::int64_t> ids;
  for (const auto& e : events_in(stream->take().text())) {
    if (e.name == "pedido") ids.push_back(e.id);
  }
  EXPECT_EQ(ids, (std::vector<std::int64_t>{2, 3, 4, 5, 6, 7, 8, 9, 10}));
}

TEST_F(EventFeedTest, TheWindowIsBoundedInBytes) {
  EventFeedOptions options;
  options.window = 100;
  options.window_bytes = 10'000;  // about four events of 2 KB
  EventFeed feed(store, calendar, clock, options);
  for (int i = 0; i < 10; ++i) publish(feed, store.add("o" + std::to_string(i), 2'000));
  store.unavailable = true;  // only the window can answer
  const auto from_window = [&](std::int64_t last) {
    return events_in(feed.subscribe(last)->take().text()).at(0).name;
  };
  EXPECT_EQ(from_window(7), "pedido");  // 8, 9, 10 are in the window
  EXPECT_EQ(from_window(4), "resync");  // 5 was dropped for its bytes
}

TEST_F(EventFeedTest, PastTheTotalBudgetTheSlowestStreamsAreDroppedFirst) {
  EventFeedOptions options;
  options.max_total_queued_bytes = 60'000;
  EventFeed feed(store, calendar, clock, options);
  for (int i = 0; i < 30; ++i) publish(feed, store.add("w" + std::to_string(i), 2'000));
  // Neither reads; the first also holds the replay of the 30 above (~66 KB),
  // the second only what follows (~22 KB, and a few metrics events).
  auto behind = feed.subscribe(0);
  auto live = feed.subscribe(std::nullopt);
  StreamReader live_reader(*live);
  StreamReader behind_reader(*behind);
  for (int i = 0; i < 10; ++i) publish(feed, store.add("n" + std::to_string(i), 2'000));

  ASSERT_TRUE(behind_reader.wait_until_closed());
  const auto dropped = events_in(behind->take().text());
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].name, "resync");
  const auto events = live_reader.take_until([](const auto& got) {
    return std::count_if(got.begin(), got.end(),
                         [](const Parsed& e) { return e.name == "pedido"; }) == 10;
  });
  EXPECT_FALSE(live->closed());
  EXPECT_EQ(std::count_if(events.begin(), events.end(),
                          [](const Parsed& e) { return e.name == "pedido"; }),
            10);
}

TEST_F(EventFeedTest, OpenStreamsAreCappedPerUserAndPerAddress) {
  EventFeedOptions options;
  options.max_streams_per_user = 2;
  options.max_streams_per_address = 3;
  EventFeed feed(store, calendar, clock, options);
  auto a1 = feed.subscribe(std::nullopt, {"ana", "10.0.0.1", {}});
  auto a2 = feed.subscribe(std::nullopt, {"ana", "10.0.0.2", {}});
  EXPECT_TRUE(a1 && a2);
  EXPECT_EQ(feed.subscribe(std::nullopt, {"ana", "10.0.0.3", {}}), nullptr);  // user's cap
  auto b1 = feed.subscribe(std::nullopt, {"bea", "10.0.0.1", {}});
  auto c1 = feed.subscribe(std::nullopt, {"caro", "10.0.0.1", {}});
  EXPECT_TRUE(b1 && c1);
  EXPECT_EQ(feed.subscribe(std::nullopt, {"dani", "10.0.0.1", {}}), nullptr);  // address's cap
  // A stream whose client went away frees its place.
  a1->detach();
  EXPECT_NE(feed.subscribe(std::nullopt, {"ana", "10.0.0.3", {}}), nullptr);
  b1->detach();
  EXPECT_NE(feed.subscribe(std::nullopt, {"dani", "10.0.0.1", {}}), nullptr);
}

TEST_F(EventFeedTest, StreamsWhoseGapsAreBeingReadCountAgainstTheCaps) {
  // Reconnects far behind, at once: each is counted from the moment it is
  // admitted, not when its replay ends, so together they cannot pass a cap.
  EventFeedOptions options;
  options.window = 1;
  options.max_streams_per_user = 2;
  options.max_store_replays = 10;
  options.max_store_replays_per_address = 10;
  EventFeed feed(store, calendar, clock, options);
  publish_fanned_out(feed, {"a", "b", "c"});
  store.close_gate();
  std::shared_ptr<EventStream> first;
  std::shared_ptr<EventStream> second;
  std::thread one([&] { first = feed.subscribe(1, {"ana", "10.0.0.1", {}}); });
  std::thread two([&] { second = feed.subscribe(1, {"ana", "10.0.0.2", {}}); });
  const bool both_reading = store.wait_for_reads(2);
  // A third while both replays are in flight: past the user's cap of 2.
  const auto third = feed.subscribe(std::nullopt, {"ana", "10.0.0.3", {}});
  store.open_gate();
  one.join();
  two.join();
  ASSERT_TRUE(both_reading);
  EXPECT_EQ(third, nullptr);
  ASSERT_TRUE(first && second);
  // The two that were reading got their whole gap and are counted as open.
  for (const auto& stream : {first, second}) {
    std::vector<std::int64_t> ids;
    for (const auto& e : events_in(stream->take().text())) {
      if (e.name == "pedido") ids.push_back(e.id);
    }
    EXPECT_EQ(ids, (std::vector<std::int64_t>{2, 3}));
  }
  EXPECT_EQ(feed.subscribe(std::nullopt, {"ana", "10.0.0.3", {}}), nullptr);
}

TEST_F(EventFeedTest, ReadsOfGapsInFlightAreBoundedInAllAndPerAddressTheRestResync) {
  EventFeedOptions options;
  options.window = 1;
  options.max_store_replays = 2;
  options.max_store_replays_per_address = 1;
  EventFeed feed(store, calendar, clock, options);
  publish_fanned_out(feed, {"a", "b", "c"});
  const auto first_name = [](const std::shared_ptr<EventStream>& stream) {
    const auto events = events_in(stream->take().text());
    return events.empty() ? std::string() : events[0].name;
  };
  store.close_gate();
  std::shared_ptr<EventStream> reading_1;
  std::shared_ptr<EventStream> reading_2;
  std::thread one([&] { reading_1 = feed.subscribe(1, {"ana", "10.0.0.1", {}}); });
  const bool first_reading = store.wait_for_reads(1);
  // Same address: answered at once, without a read.
  const auto same_address = feed.subscribe(1, {"bea", "10.0.0.1", {}});
  std::thread two([&] { reading_2 = feed.subscribe(1, {"caro", "10.0.0.2", {}}); });
  const bool second_reading = store.wait_for_reads(2);
  // Two reads in flight in all: a third address is answered at once too.
  const auto third_address = feed.subscribe(1, {"dani", "10.0.0.3", {}});
  const int reads_while_busy = store.reads_begun();
  store.open_gate();
  one.join();
  two.join();
  ASSERT_TRUE(first_reading && second_reading);
  EXPECT_EQ(reads_while_busy, 2);
  EXPECT_EQ(first_name(same_address), "resync");
  EXPECT_EQ(first_name(third_address), "resync");
  EXPECT_EQ(first_name(reading_1), "pedido");
  EXPECT_EQ(first_name(reading_2), "pedido");
  // Once they are done, a gap is read again.
  EXPECT_EQ(first_name(feed.subscribe(1, {"eva", "10.0.0.1", {}})), "pedido");
}

TEST_F(EventFeedTest, AGapFoundTooLargeIsNotReadAgainNorAnyOlderOne) {
  EventFeedOptions options;
  options.window = 1;
  options.max_store_replay = 2;
  EventFeed feed(store, calendar, clock, options);
  publish_fanned_out(feed, {"a", "b", "c", "d", "e"});
  const auto first_name = [](const std::shared_ptr<EventStream>& stream) {
    return events_in(stream->take().text()).at(0).name;
  };
  EXPECT_EQ(first_name(feed.subscribe(1)), "resync");  // 4 missed, 2 allowed: read, given up
  const int reads = store.reads_begun();
  EXPECT_EQ(first_name(feed.subscribe(1)), "resync");
  EXPECT_EQ(first_name(feed.subscribe(0)), "resync");
  EXPECT_EQ(store.reads_begun(), reads);  // neither read the store
  // A later id is read: its gap may fit (4 and 5 do).
  EXPECT_EQ(first_name(feed.subscribe(3)), "pedido");
  EXPECT_GT(store.reads_begun(), reads);
}

TEST_F(EventFeedTest, AStreamEndsWhenTheTokenThatOpenedItExpires) {
  EventFeed feed(store, calendar, clock);
  auto stream =
      feed.subscribe(std::nullopt, {"ana", "10.0.0.1", clock.now() + std::chrono::minutes(1)});
  auto other =
      feed.subscribe(std::nullopt, {"bea", "10.0.0.1", clock.now() + std::chrono::minutes(5)});
  StreamReader reader(*stream);
  clock.advance(std::chrono::minutes(2));
  ASSERT_TRUE(reader.wait_until_closed());
  const auto events = events_in(stream->take().text());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().name, "fin");
  EXPECT_FALSE(other->closed());
}

// Counts the feed's questions about who may watch, for a test to wait on.
class AccessQuestions {
 public:
  void count() {
    {
      const std::lock_guard lock(mutex_);
      ++count_;
    }
    asked_.notify_all();
  }
  // Whether `n` questions have been asked before a deadline that only bounds
  // a failing test.
  bool wait_for(int n) {
    std::unique_lock lock(mutex_);
    return asked_.wait_for(lock, std::chrono::seconds(10), [&] { return count_ >= n; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable asked_;
  int count_ = 0;
};

TEST_F(EventFeedTest, AStreamEndsWhenItsUserMayNoLongerWatch) {
  std::atomic<bool> ana_revoked{false};
  AccessQuestions asked;
  FakeMonotonicClock ticks;
  EventFeedOptions options;
  options.ticks = &ticks;
  options.still_admitted = [&](const std::string& user, std::int64_t generation) {
    asked.count();
    return !(user == "ana" && generation == 7 && ana_revoked);
  };
  EventFeed feed(store, calendar, clock, options);
  const auto later = clock.now() + std::chrono::hours(1);
  auto revoked = feed.subscribe(std::nullopt, {"ana", "10.0.0.1", later, 7});
  auto same_token = feed.subscribe(std::nullopt, {"ana", "10.0.0.3", later, 7});
  auto renewed = feed.subscribe(std::nullopt, {"ana", "10.0.0.2", later, 8});  // a newer token
  auto other = feed.subscribe(std::nullopt, {"bea", "10.0.0.1", later, 7});
  StreamReader reader(*revoked);
  StreamReader same_token_reader(*same_token);
  ASSERT_TRUE(ticks.await_waiter());
  ticks.advance(options.access_check_interval);
  // One question per user and generation, not per stream.
  ASSERT_TRUE(asked.wait_for(3));
  EXPECT_FALSE(revoked->closed());
  ana_revoked = true;
  ticks.advance(options.access_check_interval);
  ASSERT_TRUE(reader.wait_until_closed());
  const std::string text = revoked->take().text();
  const auto events = events_in(text);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().name, "fin");
  EXPECT_NE(text.find(R"({"reason":"access revoked"})"), std::string::npos) << text;
  EXPECT_TRUE(same_token_reader.wait_until_closed());
  // The next check asks about the two left: the one before has ended.
  ticks.advance(options.access_check_interval);
  ASSERT_TRUE(asked.wait_for(8));
  EXPECT_FALSE(renewed->closed());
  EXPECT_FALSE(other->closed());
}

TEST_F(EventFeedTest, AStoreThatCannotSayWhoMayWatchEndsNoStream) {
  AccessQuestions asked;
  FakeMonotonicClock ticks;
  EventFeedOptions options;
  options.ticks = &ticks;
  options.still_admitted = [&](const std::string&, std::int64_t) -> bool {
    asked.count();
    throw StoreUnavailable("down");
  };
  EventFeed feed(store, calendar, clock, options);
  auto stream = feed.subscribe(std::nullopt, {"ana", "10.0.0.1", std::nullopt, 7});
  ASSERT_TRUE(ticks.await_waiter());
  ticks.advance(options.access_check_interval);
  ASSERT_TRUE(asked.wait_for(1));
  ticks.advance(options.access_check_interval);
  ASSERT_TRUE(asked.wait_for(2)) << "asked again at the next check";
  EXPECT_FALSE(stream->closed()) << "an outage is not a revocation";
}

TEST_F(EventFeedTest, ASlowStreamIsToldToResyncAndClosedWithoutAffectingOthers) {
  EventFeedOptions options;
  // Room for the metrics event (about 4 KB with its comparison) and a few
  // orders, not for 20.
  options.max_queued_bytes = 6000;
  EventFeed feed(store, calendar, clock, options);
  auto slow = feed.subscribe(std::nullopt);
  auto fast = feed.subscribe(std::nullopt);
  StreamReader slow_reader(*slow);  // only told; it never reads until the end
  StreamReader fast_reader(*fast);
  fast->take();
  int delivered = 0;
  for (int i = 0; i < 20; ++i) {
    publish(feed, store.add("o" + std::to_string(i)));
    // (Metrics ticks may come in between: only the orders are counted.)
    const auto events = fast_reader.take_until([](const auto& so_far) {
      return std::ranges::any_of(so_far, [](const Parsed& e) { return e.name == "pedido"; });
    });
    delivered += static_cast<int>(
        std::ranges::count_if(events, [](const Parsed& e) { return e.name == "pedido"; }));
  }
  EXPECT_EQ(delivered, 20);
  EXPECT_TRUE(slow_reader.wait_until_closed());
  const auto events = events_in(slow->take().text());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name, "resync");
}

TEST_F(EventFeedTest, OrdersPublishedWithinOneFanOutIntervalReachAStreamTogether) {
  FakeMonotonicClock ticks;
  EventFeedOptions options;
  options.fanout_interval = std::chrono::milliseconds(500);
  options.metrics_interval = std::chrono::hours(1);  // no metrics tick flushes them early
  options.ticks = &ticks;
  EventFeed feed(store, calendar, clock, options);
  auto stream = feed.subscribe(std::nullopt);
  StreamReader reader(*stream);
  reader.take_at_least(1);  // metrics
  // The first order after a quiet spell goes out at once...
  publish(feed, store.add("first"));
  ASSERT_EQ(reader.take_at_least(1).size(), 1u);
  // ...the ones right after it wait for the interval, however long
  // publishing them takes, and arrive in one piece.
  ASSERT_TRUE(ticks.await_waiter());  // the feed has started the interval
  for (int i = 0; i < 50; ++i) publish(feed, store.add("o" + std::to_string(i)));
  ticks.advance(std::chrono::milliseconds(499));
  EXPECT_TRUE(stream->take().empty());  // nothing can go out before the interval ends
  ticks.advance(std::chrono::milliseconds(1));
  const auto batch = reader.take_at_least(1);
  ASSERT_EQ(batch.size(), 50u);
  EXPECT_EQ(batch.front().name, "pedido");
  EXPECT_EQ(batch.front().id, 2);
  EXPECT_EQ(batch.back().id, 51);
}

TEST_F(EventFeedTest, EveryStreamSharesOneEncodedBufferPerEvent) {
  // Issue 13: streams that never read held a copy of every event each, about
  // 5.7 MiB a stream. Now each holds a reference to the one text the feed
  // encoded. (What they count against their bounds is unchanged: 1,000
  // streams of 80 KB stay under the total budget.)
  constexpr std::size_t kStreams = 1'000;
  constexpr std::size_t kOrders = 4;
  constexpr std::size_t kNameBytes = 20'000;
  EventFeed feed(store, calendar, clock);
  for (std::size_t i = 0; i < kOrders; ++i) {
    publish(feed, store.add("big" + std::to_string(i), kNameBytes));
  }
  // Every stream resumes from before the first order (from the window), and
  // none reads.
  std::vector<std::shared_ptr<EventStream>> streams;
  for (std::size_t i = 0; i < kStreams; ++i) streams.push_back(feed.subscribe(0));

  // One client reads: its texts are also held by the 999 others and the
  // window, so the 1,000 queues hold one copy of each order between them.
  const auto first = named_in(streams.front()->take(), "pedido");
  ASSERT_EQ(first.size(), kOrders);
  for (const auto& text : first) {
    EXPECT_GT(text->size(), kNameBytes);
    EXPECT_GE(text.use_count(), static_cast<long>(kStreams));
  }
  // The others read now: the very same buffers.
  for (std::size_t i = 1; i < kStreams; ++i) {
    const auto got = named_in(streams[i]->take(), "pedido");
    ASSERT_EQ(got.size(), kOrders) << "stream " << i;
    for (std::size_t k = 0; k < kOrders; ++k) {
      ASSERT_EQ(got[k].get(), first[k].get()) << "stream " << i << ", order " << k;
      ASSERT_EQ(got[k]->data(), first[k]->data());
    }
  }

  // A live order, fanned out by the feed's thread: one buffer for all.
  std::deque<StreamReader> readers;
  for (const auto& stream : streams) readers.emplace_back(*stream);
  publish(feed, store.add("live", kNameBytes));
  const auto live = readers.front().take_texts("pedido", 1);
  ASSERT_EQ(live.size(), 1u);
  for (std::size_t i = 1; i < kStreams; ++i) {
    const auto got = readers[i].take_texts("pedido", 1);
    ASSERT_EQ(got.size(), 1u) << "stream " << i;
    ASSERT_EQ(got[0].get(), live[0].get()) << "stream " << i;
  }
}

TEST_F(EventFeedTest, EveryStreamSharesOneMetricsEventPerTick) {
  FakeMonotonicClock ticks;
  EventFeedOptions options;
  options.ticks = &ticks;
  EventFeed feed(store, calendar, clock, options);
  auto a = feed.subscribe(std::nullopt);
  auto b = feed.subscribe(std::nullopt);
  // Each new stream's first metrics are its own.
  EXPECT_EQ(named_in(a->take(), "metrics").size(), 1u);
  EXPECT_EQ(named_in(b->take(), "metrics").size(), 1u);
  StreamReader a_reader(*a);
  StreamReader b_reader(*b);
  publish(feed, store.add("o"));
  ASSERT_EQ(a_reader.take_texts("pedido", 1).size(), 1u);
  // The feed waits out its fan-out interval; then the metrics tick is due.
  ASSERT_TRUE(ticks.await_waiter());
  ticks.advance(options.metrics_interval);
  const auto a_metrics = a_reader.take_texts("metrics", 1);
  const auto b_metrics = b_reader.take_texts("metrics", 1);
  ASSERT_EQ(a_metrics.size(), 1u);
  ASSERT_EQ(b_metrics.size(), 1u);
  EXPECT_EQ(a_metrics[0].get(), b_metrics[0].get());
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
