#include "api/event_feed.hpp"

#include <algorithm>

#include "api/order_json.hpp"

namespace cargomon::api {

std::string sse_event(std::string_view name, std::int64_t id, std::string_view data) {
  std::string text;
  text.reserve(data.size() + name.size() + 32);
  text += "event: ";
  text += name;
  text += '\n';
  if (id > 0) {
    text += "id: ";
    text += std::to_string(id);
    text += '\n';
  }
  // JSON from JsonWriter never contains a raw newline, so one data line suffices.
  text += "data: ";
  text += data;
  text += "\n\n";
  return text;
}

namespace {

// A `pedido` event: {"pedido": order}.
std::string order_event(std::int64_t sequence, std::string_view order_json) {
  JsonWriter data;
  data.begin_object().key("pedido").raw_json(order_json).end_object();
  return sse_event("pedido", sequence, data.take());
}

// A `resync` event: the client must reload, for `reason`.
std::string resync_event(std::string_view reason) {
  JsonWriter data;
  data.begin_object().key("reason").string(reason).end_object();
  return sse_event("resync", 0, data.take());
}

}  // namespace

std::string EventStream::take() {
  std::lock_guard lock(mutex_);
  return std::exchange(pending_, {});
}

bool EventStream::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

void EventStream::set_waker(std::function<void()> waker) {
  {
    std::lock_guard lock(mutex_);
    waker_ = std::move(waker);
  }
  wake();
}

void EventStream::detach() {
  std::lock_guard lock(mutex_);
  detached_ = true;
  closed_ = true;
  pending_.clear();
  waker_ = nullptr;
}

bool EventStream::append_locked(std::int64_t id, const std::string& text) {
  if (id > 0) {
    if (id <= last_id_) return true;  // already delivered by the replay
    last_id_ = id;
  }
  if (pending_.size() + text.size() > max_bytes_) {
    // The client is not keeping up: tell it to reload, and let it go.
    pending_ = resync_event("client too slow, events were dropped");
    closed_ = true;
    return false;
  }
  pending_ += text;
  return true;
}

void EventStream::push(std::int64_t id, const std::string& text) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    // Text already pending means the transport has been woken and will take
    // this too.
    const bool was_empty = pending_.empty();
    if (append_locked(id, text) && !was_empty) return;
  }
  wake();
}

void EventStream::push_all(const std::vector<std::pair<std::int64_t, std::string>>& events) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    const bool was_empty = pending_.empty();
    for (const auto& [id, text] : events) {
      if (!append_locked(id, text)) break;
    }
    if (!closed_ && (!was_empty || pending_.empty())) return;
  }
  wake();
}

void EventStream::close_with(const std::string& text) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    pending_ += text;
    closed_ = true;
  }
  wake();
}

void EventStream::wake() {
  std::function<void()> waker;
  {
    std::lock_guard lock(mutex_);
    waker = waker_;
  }
  if (waker) waker();
}

EventFeed::EventFeed(OrderStore& store, const BusinessCalendar& calendar, const Clock& clock,
                     EventFeedOptions options)
    : store_(store), calendar_(calendar), clock_(clock), options_(options) {
  ticker_ = std::thread([this] { run(); });
}

EventFeed::~EventFeed() { stop(); }

void EventFeed::stop() {
  close_all();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_ticker_.notify_one();
  if (ticker_.joinable()) ticker_.join();
}

std::string EventFeed::metrics_event() {
  JsonWriter out;
  write_metrics(out, store_.day_metrics(calendar_.day_of(clock_.now())), calendar_);
  return sse_event("metrics", 0, out.str());
}

void EventFeed::publish(const Order& order, std::string_view order_json) {
  if (!options_.relayed) deliver(order.sequence, order_json);
}

void EventFeed::relay(const Order& order) { deliver(order.sequence, order_json(order, calendar_)); }

void EventFeed::deliver(std::int64_t sequence, std::string_view order_json) {
  std::string text = order_event(sequence, order_json);
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    window_.push_back({sequence, std::move(text)});
    if (window_.size() > options_.window) window_.pop_front();
    latest_id_ = std::max(latest_id_, sequence);
    first = published_++ == fanned_out_;
    metrics_dirty_ = true;
  }
  // Only the first event since the last fan-out needs to wake the feed's thread.
  if (first) wake_ticker_.notify_one();
}

std::shared_ptr<EventStream> EventFeed::subscribe(std::optional<std::int64_t> last_event_id) {
  auto stream = std::make_shared<EventStream>(options_.max_queued_bytes);
  // Relayed, this instance's window may lag the instance the client came
  // from: never send again what the client says it has seen.
  if (options_.relayed && last_event_id) stream->last_id_ = *last_event_id;
  // Without Last-Event-ID a client wants what happens from now on, also when
  // older events have not been fanned out yet.
  if (!last_event_id) {
    std::lock_guard lock(mutex_);
    stream->last_id_ = latest_id_;
  }
  std::vector<Event> replay;
  bool covered = true;
  {
    std::lock_guard lock(mutex_);
    if (last_event_id) {
      // The window covers the gap when it reaches back to the event right
      // after. Ids start at 1, so front().id - 1 cannot overflow, where
      // last_event_id + 1 would for the largest id a client may send.
      covered = (!window_.empty() && window_.front().id - 1 <= *last_event_id) ||
                (window_.empty() && *last_event_id >= latest_id_ && latest_id_ > 0);
      if (covered) {
        for (const auto& event : window_) {
          if (event.id > *last_event_id) replay.push_back(event);
        }
      }
    }
    // Queue the replay before the stream can receive live events, under the
    // same lock that publish() takes: nothing is lost or reordered.
    for (const auto& event : replay) stream->push(event.id, event.text);
    if (covered) streams_.push_back(stream);
  }
  if (!covered) {
    // The window does not reach back far enough (e.g. after a restart): fill
    // the gap from the store, or ask the client to reload.
    std::vector<Order> missed;
    bool resync = false;
    try {
      missed = store_.orders_after(*last_event_id, options_.max_store_replay + 1);
      resync = missed.size() > options_.max_store_replay;
    } catch (const StoreUnavailable&) {
      resync = true;
    }
    if (resync) {
      stream->push(0, resync_event("too many events missed"));
    } else {
      for (const auto& order : missed) {
        stream->push(order.sequence, order_event(order.sequence, order_json(order, calendar_)));
      }
    }
    std::lock_guard lock(mutex_);
    // Live events published since the store read: the stream skips the ids it
    // already has.
    for (const auto& event : window_) {
      if (event.id > *last_event_id) stream->push(event.id, event.text);
    }
    streams_.push_back(stream);
  }
  try {
    stream->push(0, metrics_event());
  } catch (const StoreUnavailable&) {
    // The next tick sends metrics once the store answers again.
    std::lock_guard lock(mutex_);
    metrics_dirty_ = true;
  }
  return stream;
}

void EventFeed::close_all() {
  std::vector<std::shared_ptr<EventStream>> streams;
  {
    std::lock_guard lock(mutex_);
    streams.swap(streams_);
  }
  for (const auto& stream : streams) stream->close_with("");
}

std::size_t EventFeed::subscribers() const {
  std::lock_guard lock(mutex_);
  return streams_.size();
}

void EventFeed::run() {
  const SteadyMonotonicClock steady;
  const MonotonicClock& ticks = options_.ticks ? *options_.ticks : steady;
  std::unique_lock lock(mutex_);
  auto next_metrics = ticks.now() + options_.metrics_interval;
  while (!stopping_) {
    ticks.wait_until(wake_ticker_, lock, next_metrics,
                     [&] { return stopping_ || published_ != fanned_out_; });
    if (stopping_) break;
    if (published_ != fanned_out_) {
      fan_out(lock);
      // Events published meanwhile wait for the next fan-out: under load each
      // stream is written once per interval instead of once per order.
      ticks.wait_until(wake_ticker_, lock, ticks.now() + options_.fanout_interval,
                       [&] { return stopping_; });
    }
    if (ticks.now() >= next_metrics) {
      next_metrics = ticks.now() + options_.metrics_interval;
      // Forget streams whose clients went away or that were closed.
      std::erase_if(streams_, [](const auto& stream) { return stream->closed(); });
      send_metrics(lock);
    }
  }
}

void EventFeed::fan_out(std::unique_lock<std::mutex>& lock) {
  const auto fresh = published_ - fanned_out_;
  fanned_out_ = published_;
  auto streams = streams_;
  if (fresh > window_.size()) {
    // More events in one interval than the window holds: some are gone before
    // any stream got them.
    lock.unlock();
    for (const auto& stream : streams) {
      stream->close_with(resync_event("too many events at once"));
    }
    lock.lock();
    return;
  }
  std::vector<std::pair<std::int64_t, std::string>> events;
  events.reserve(fresh);
  for (auto it = window_.end() - static_cast<std::ptrdiff_t>(fresh); it != window_.end(); ++it) {
    events.emplace_back(it->id, it->text);
  }
  lock.unlock();
  for (const auto& stream : streams) stream->push_all(events);
  lock.lock();
}

void EventFeed::send_metrics(std::unique_lock<std::mutex>& lock) {
  if (!metrics_dirty_ || streams_.empty()) return;
  // Metrics count every stored order: their pedido events go first.
  if (published_ != fanned_out_) fan_out(lock);
  metrics_dirty_ = false;
  auto streams = streams_;
  lock.unlock();
  try {
    const std::string text = metrics_event();
    for (const auto& stream : streams) stream->push(0, text);
  } catch (const StoreUnavailable&) {
    lock.lock();
    metrics_dirty_ = true;
    return;
  }
  lock.lock();
}

}  // namespace cargomon::api
