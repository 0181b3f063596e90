#pragma once
// The live stream behind GET /eventos (Server-Sent Events).
//
// Every stored order is published once, in commit order, as a `pedido` event
// whose id is the order's sequence. The feed keeps the latest events in a
// bounded window so a client that reconnects with Last-Event-ID gets what it
// missed; older gaps are filled from the store (up to a bound) or answered
// with `resync`. Today's metrics follow as `metrics` events, coalesced to a
// few per second however fast orders arrive.
//
// A slow client never slows ingestion or other clients: each stream has a
// bounded queue, and one that overflows is sent `resync` and closed.
//
// Each event is encoded once, when it enters the window (metrics once per
// tick), and every stream queues a reference to that one immutable text
// (EventText): streams that never read hold one copy of each event between
// them, not one each.
//
// With several instances on one shared store, orders arrive through relay()
// instead, from the store's live orders (LiveOrders, storage/store.hpp): every instance's
// orders, in sequence order, none skipped, so ids stay increasing and a
// Last-Event-ID from one instance resumes on another.
//
// Publishing only appends to the window: the feed's own thread hands new
// events to every stream, at most once per fan-out interval, so the commit
// thread's cost does not grow with the number of streams, and a stream gets
// the events of one interval in one write.
//
// Thread safety: publish() is called by the store's commit thread (relay() by
// the store's relay thread), subscribe() by I/O threads, fan-out and metrics
// run on the feed's thread; one mutex guards the window and the subscriber
// list, each stream has its own.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/exchange.hpp"
#include "api/metrics_reader.hpp"
#include "domain/business_calendar.hpp"
#include "domain/clock.hpp"
#include "domain/monotonic_clock.hpp"
#include "storage/store.hpp"

namespace cargomon::metrics {
class Metrics;
enum class ResyncReason;
}  // namespace cargomon::metrics

namespace cargomon::api {

// One event as streams write it (its SSE text): encoded once, then shared,
// never changed, by the feed's window and every stream it is queued in, so
// N streams that have not read it yet hold one copy of it, not N.
using EventText = std::shared_ptr<const std::string>;

// What EventStream::take() hands the transport: the events queued since the
// last take(), in order. They are shared with the feed and other streams:
// the transport writes them as they are, in one gather write, and drops the
// batch once written.
struct EventBatch {
  std::vector<EventText> events;  // none null, none empty
  std::size_t bytes = 0;          // the size of their text, together

  bool empty() const { return events.empty(); }
  // The text in one piece. A copy: for tests and diagnostics, not transports.
  std::string text() const;
};

// One client's stream. The transport calls take() to get the events to write
// and waits for the waker when there are none.
//
// Its queue is a sequence of shared event texts, bounded in bytes: what it
// counts against max_queued_bytes and the feed's total is the text it would
// write (as if it held a copy), so the bounds mean the same whatever else
// shares the texts.
class EventStream {
 public:
  // `all_queued`: the bytes queued in every stream of the feed, shared with
  // it (it may outlive the feed, as the transport may hold the stream).
  EventStream(std::size_t max_queued_bytes, std::shared_ptr<std::atomic<std::size_t>> all_queued)
      : max_bytes_(max_queued_bytes), all_queued_(std::move(all_queued)) {}

  // The events ready to write (possibly none). Once closed() and empty, the
  // transport ends the response.
  EventBatch take();
  bool closed() const;
  // Called (from any thread) when events become available or the stream closes.
  // The transport sets it before its first take().
  void set_waker(std::function<void()> waker);
  // The client went away; the feed forgets this stream.
  void detach();

 private:
  friend class EventFeed;
  // Queues `text` for the event `id` (0: no id); skips ids already sent.
  void push(std::int64_t id, const EventText& text);
  // Queues several pedido events (id, text) with one wake.
  void push_all(const std::vector<std::pair<std::int64_t, EventText>>& events);
  // Appends under mutex_; false when the stream just overflowed.
  bool append_locked(std::int64_t id, const EventText& text);
  // Queues `last` (null: nothing) after what is queued, and closes.
  void close_with(const EventText& last);
  // Drops what is queued and closes with `text`.
  void drop_with(const EventText& text);
  std::size_t queued_bytes() const;
  void wake();
  // queued_bytes_ changed from `before`: keeps the feed's total right.
  void count_locked(std::size_t before);

  mutable std::mutex mutex_;
  std::vector<EventText> queue_;
  std::size_t queued_bytes_ = 0;  // the text in queue_
  std::int64_t last_id_ = 0;
  bool closed_ = false;
  bool detached_ = false;
  std::size_t max_bytes_;
  std::shared_ptr<std::atomic<std::size_t>> all_queued_;
  std::function<void()> waker_;
  // Who opened it, for the per-user and per-address caps; when its token
  // expires (the stream ends then: the client reconnects with a new one).
  std::string user_;
  std::string address_;
  std::optional<Timestamp> expires_at_;
  std::int64_t token_generation_ = 0;
  metrics::Metrics* counters_ = nullptr;  // EventFeedOptions::counters
};

// Who opens a stream: counted against the caps of EventFeedOptions.
struct StreamOwner {
  std::string user;
  std::string address;
  std::optional<Timestamp> expires_at;  // of the token that opened it
  std::int64_t token_generation = 0;    // likewise
};

struct EventFeedOptions {
  // Recent pedido events kept for resuming: at most this many, and at most
  // this much text (large orders would otherwise keep gigabytes resident).
  std::size_t window = 10'000;
  std::size_t window_bytes = std::size_t{64} << 20;
  std::size_t max_store_replay = 10'000;   // larger gaps are answered with resync
  std::size_t max_queued_bytes = 4 << 20;  // per stream
  // All streams together: past it, the streams with the most queued (the
  // slowest readers) are sent resync and closed until the total is back
  // under three quarters of it. 1,000 streams that never read would
  // otherwise be owed 4 GiB. Counted as if each stream held its own copy:
  // streams behind by the same events share their texts and hold far less,
  // but a replay from the store is each stream's own.
  std::size_t max_total_queued_bytes = std::size_t{256} << 20;
  // Open streams per user and per client address; more are refused (429).
  std::size_t max_streams_per_user = 100;
  std::size_t max_streams_per_address = 50;
  // A gap older than the window is read from the store in pages of this many
  // orders, and given up (resync) as soon as its text would pass
  // max_queued_bytes / 2: a reconnect never loads more than that (plus one
  // page), however far back its Last-Event-ID is, and the stream keeps room
  // for live events.
  std::size_t store_replay_page = 256;
  // Reads of a gap from the store in flight at once, in all and per client
  // address; a reconnect past either is answered resync without reading
  // (after a restart every dashboard reconnects at once, and a loop of
  // far-behind reconnects must not take the store threads that orders and
  // pages need). A gap from an id at or before one that was already found
  // too large is answered resync without reading too: what follows an
  // earlier id includes what follows a later one.
  std::size_t max_store_replays = 2;
  std::size_t max_store_replays_per_address = 1;
  std::chrono::milliseconds metrics_interval{250};
  // Metrics are sent again after this long without orders: their comparison
  // with past days moves with the time of day.
  std::chrono::milliseconds metrics_refresh_interval{60'000};
  // New pedido events reach the streams at most this often (the first after
  // a quiet spell goes at once).
  std::chrono::milliseconds fanout_interval{10};
  // Several instances share the store: their orders reach this feed through
  // relay() (the store's relay, in sequence order across instances), and
  // publish() calls for this instance's own orders are ignored, since one
  // could overtake an order of another instance still committing.
  bool relayed = false;
  // Whether a stream's user may still watch (api::still_admitted: enabled,
  // a role that reads, the token's generation still the user's), asked on
  // the feed's thread every access_check_interval, once per user and
  // generation with open streams; a stream whose answer is no ends with
  // `fin`. Null: never asked (the feed's own tests). A store that cannot
  // answer ends nothing: an outage is not a revocation.
  std::function<bool(const std::string& user, std::int64_t token_generation)> still_admitted;
  std::chrono::milliseconds access_check_interval{1000};
  // Times the fan-out and metrics intervals; null: the steady clock. Tests
  // hand in a FakeMonotonicClock; it must outlive the feed.
  const MonotonicClock* ticks = nullptr;
  // The operator's counters (resyncs, streams dropped for slowness); null:
  // none kept. Must outlive the feed and its streams.
  metrics::Metrics* counters = nullptr;
  // Reads the metrics with their comparison (shared with /metrics, so the
  // days compared with are read once for both); null: the feed keeps its own.
  MetricsReader* metrics_reader = nullptr;
};

class EventFeed {
 public:
  EventFeed(OrderStore& store, const BusinessCalendar& calendar, const Clock& clock,
            EventFeedOptions options = {});
  ~EventFeed();  // stop()

  // For each order this instance stored, in commit order (ignored when relayed).
  // `order_json`: the order as write_order() writes it; the caller has just
  // written it for its response, and writing it once per order is measurable.
  void publish(const Order& order, std::string_view order_json);
  // For each order any instance stored, in sequence order (options.relayed).
  void relay(const Order& order);
  // A new stream: replays what a client that saw `last_event_id` missed (or
  // resync), then today's metrics, then live events. Null when `owner`
  // already has as many open streams as the caps allow (an empty user or
  // address is not counted).
  std::shared_ptr<EventStream> subscribe(std::optional<std::int64_t> last_event_id,
                                         const StreamOwner& owner = {});
  // Ends every stream (server shutdown).
  void close_all();
  // Closes every stream and stops the metrics ticker: after it the feed reads
  // nothing more from the store, so the store may close before the feed
  // (publish() still works, into the window only). For shutdown; idempotent.
  void stop();
  std::size_t subscribers() const;

 private:
  struct Event {
    std::int64_t id;
    EventText text;  // shared with the streams it is queued in
  };
  void deliver(std::int64_t sequence, std::string_view order_json);
  // Reads the gap of a stream reserved in joining_ from the store (or queues
  // resync), then moves it to streams_. Off the feed's lock while reading.
  void fill_gap_from_store(const std::shared_ptr<EventStream>& stream, std::int64_t last_event_id);
  // The events after `last_event_id`, read from the store page by page;
  // nullopt when they are more than a replay may hold.
  std::optional<std::vector<Event>> replay_from_store(std::int64_t last_event_id);
  // Encoded once per tick (and per new stream), shared by every stream.
  EventText metrics_event();
  void run();  // the feed's thread: fan-out and metrics
  void fan_out(std::unique_lock<std::mutex>& lock);
  void send_metrics(std::unique_lock<std::mutex>& lock);
  // Closes the slowest streams while all of them hold more than the budget.
  void enforce_total_budget(const std::vector<std::shared_ptr<EventStream>>& streams);
  // Ends the streams whose token has expired.
  void end_expired(std::unique_lock<std::mutex>& lock);
  // Ends the streams whose user may no longer watch (options_.still_admitted).
  void end_revoked(std::unique_lock<std::mutex>& lock);
  // Counts `streams` resyncs for `reason` in options_.counters, if any.
  void count_resync(metrics::ResyncReason reason, std::size_t streams = 1) const;

  OrderStore& store_;
  const BusinessCalendar& calendar_;
  const Clock& clock_;
  EventFeedOptions options_;
  std::unique_ptr<MetricsReader> own_metrics_reader_;  // when options_ brings none
  MetricsReader& metrics_reader_;

  mutable std::mutex mutex_;  // guards everything below
  std::deque<Event> window_;
  std::size_t window_bytes_ = 0;  // text in window_
  std::int64_t latest_id_ = 0;
  std::uint64_t published_ = 0;   // events ever appended to the window
  std::uint64_t fanned_out_ = 0;  // of those, handed to the streams
  std::vector<std::shared_ptr<EventStream>> streams_;
  // Streams whose gap is being read from the store: counted against the
  // caps from the moment they are admitted, receiving nothing until they
  // join streams_.
  std::vector<std::shared_ptr<EventStream>> joining_;
  // The latest Last-Event-ID whose gap was found too large for a replay:
  // any id up to it needs no store read to be told resync.
  std::optional<std::int64_t> too_far_behind_;
  std::shared_ptr<std::atomic<std::size_t>> all_queued_ =
      std::make_shared<std::atomic<std::size_t>>(0);
  bool metrics_dirty_ = false;
  bool stopping_ = false;
  std::condition_variable wake_ticker_;
  std::thread ticker_;
};

std::string sse_event(std::string_view name, std::int64_t id, std::string_view data);

}  // namespace cargomon::api
