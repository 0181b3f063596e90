#include "api/event_feed.hpp"

#include <algorithm>
#include <map>

#include "api/order_json.hpp"
#include "metrics/metrics.hpp"

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

EventText shared_text(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

// A `pedido` event: {"pedido": order}.
EventText order_event(std::int64_t sequence, std::string_view order_json) {
  JsonWriter data;
  data.begin_object().key("pedido").raw_json(order_json).end_object();
  return shared_text(sse_event("pedido", sequence, data.take()));
}

// The stream's token expired: reconnect with a new one and Last-Event-ID.
EventText expired_event() {
  JsonWriter data;
  data.begin_object().key("reason").string("token expired").end_object();
  return shared_text(sse_event("fin", 0, data.take()));
}

// The stream's user may no longer watch: disabled, or the token revoked.
EventText revoked_event() {
  JsonWriter data;
  data.begin_object().key("reason").string("access revoked").end_object();
  return shared_text(sse_event("fin", 0, data.take()));
}

// A `resync` event: the client must reload, for `reason`.
EventText resync_event(std::string_view reason) {
  JsonWriter data;
  data.begin_object().key("reason").string(reason).end_object();
  return shared_text(sse_event("resync", 0, data.take()));
}

}  // namespace

std::string EventBatch::text() const {
  std::string out;
  out.reserve(bytes);
  for (const auto& event : events) out += *event;
  return out;
}

EventBatch EventStream::take() {
  std::lock_guard lock(mutex_);
  const auto before = queued_bytes_;
  EventBatch batch{std::exchange(queue_, {}), std::exchange(queued_bytes_, 0)};
  count_locked(before);
  return batch;
}

void EventStream::count_locked(std::size_t before) {
  if (queued_bytes_ >= before) {
    all_queued_->fetch_add(queued_bytes_ - before);
  } else {
    all_queued_->fetch_sub(before - queued_bytes_);
  }
}

std::size_t EventStream::queued_bytes() const {
  std::lock_guard lock(mutex_);
  return queued_bytes_;
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
  const auto before = queued_bytes_;
  queue_.clear();
  queued_bytes_ = 0;
  count_locked(before);
  waker_ = nullptr;
}

bool EventStream::append_locked(std::int64_t id, const EventText& text) {
  if (id > 0) {
    if (id <= last_id_) return true;  // already delivered by the replay
    last_id_ = id;
  }
  const auto before = queued_bytes_;
  // Counted as if this stream held its own copy: the bounds are about what
  // the client has not read, whatever else shares the text.
  if (queued_bytes_ + text->size() > max_bytes_) {
    // The client is not keeping up: tell it to reload, and let it go.
    if (counters_) counters_->resync(metrics::ResyncReason::slow_client);
    auto resync = resync_event("client too slow, events were dropped");
    queued_bytes_ = resync->size();
    queue_.clear();
    queue_.push_back(std::move(resync));
    closed_ = true;
    count_locked(before);
    return false;
  }
  if (text->empty()) return true;  // a batch holds no empty text (none is made)
  queue_.push_back(text);
  queued_bytes_ += text->size();
  count_locked(before);
  return true;
}

void EventStream::push(std::int64_t id, const EventText& text) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    // Events already queued mean the transport has been woken and will take
    // this too.
    const bool was_empty = queue_.empty();
    if (append_locked(id, text) && !was_empty) return;
  }
  wake();
}

void EventStream::push_all(const std::vector<std::pair<std::int64_t, EventText>>& events) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    const bool was_empty = queue_.empty();
    for (const auto& [id, text] : events) {
      if (!append_locked(id, text)) break;
    }
    if (!closed_ && (!was_empty || queue_.empty())) return;
  }
  wake();
}

void EventStream::close_with(const EventText& last) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    if (last && !last->empty()) {
      const auto before = queued_bytes_;
      queue_.push_back(last);
      queued_bytes_ += last->size();
      count_locked(before);
    }
    closed_ = true;
  }
  wake();
}

void EventStream::drop_with(const EventText& text) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    const auto before = queued_bytes_;
    queue_.assign(1, text);
    queued_bytes_ = text->size();
    count_locked(before);
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
    : store_(store),
      calendar_(calendar),
      clock_(clock),
      options_(options),
      own_metrics_reader_(options.metrics_reader
                              ? nullptr
                              : std::make_unique<MetricsReader>(store, calendar, clock)),
      metrics_reader_(options.metrics_reader ? *options.metrics_reader : *own_metrics_reader_) {
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

EventText EventFeed::metrics_event() {
  JsonWriter out;
  const auto compared = metrics_reader_.read(calendar_.day_of(clock_.now()), kSnapshotTop);
  write_metrics(out, compared.metrics, calendar_, &compared.comparison);
  return shared_text(sse_event("metrics", 0, out.str()));
}

void EventFeed::publish(const Order& order, std::string_view order_json) {
  if (!options_.relayed) deliver(order.sequence, order_json);
}

void EventFeed::relay(const Order& order) { deliver(order.sequence, order_json(order, calendar_)); }

void EventFeed::deliver(std::int64_t sequence, std::string_view order_json) {
  // Encoded once, outside the lock; every stream then shares this text.
  EventText text = order_event(sequence, order_json);
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    window_bytes_ += text->size();
    window_.push_back({sequence, std::move(text)});
    // The newest event stays even when it alone is larger than the bound.
    while (window_.size() > 1 &&
           (window_.size() > options_.window || window_bytes_ > options_.window_bytes)) {
      window_bytes_ -= window_.front().text->size();
      window_.pop_front();
    }
    latest_id_ = std::max(latest_id_, sequence);
    first = published_++ == fanned_out_;
    metrics_dirty_ = true;
  }
  // Only the first event since the last fan-out needs to wake the feed's thread.
  if (first) wake_ticker_.notify_one();
}

std::shared_ptr<EventStream> EventFeed::subscribe(std::optional<std::int64_t> last_event_id,
                                                  const StreamOwner& owner) {
  auto stream = std::make_shared<EventStream>(options_.max_queued_bytes, all_queued_);
  stream->user_ = owner.user;
  stream->address_ = owner.address;
  stream->expires_at_ = owner.expires_at;
  stream->token_generation_ = owner.token_generation;
  stream->counters_ = options_.counters;
  bool from_store = false;
  {
    // Counted, admitted and either registered or reserved under one lock,
    // before any replay is read: a refused client costs nothing, and streams
    // opened at once cannot together pass a cap while their gaps are read.
    std::lock_guard lock(mutex_);
    std::size_t of_user = 0;
    std::size_t of_address = 0;
    std::size_t replays_of_address = 0;
    const auto count = [&](const std::shared_ptr<EventStream>& open, bool replaying) {
      if (open->closed()) return;
      if (!owner.user.empty() && open->user_ == owner.user) ++of_user;
      if (!owner.address.empty() && open->address_ == owner.address) {
        ++of_address;
        if (replaying) ++replays_of_address;
      }
    };
    for (const auto& open : streams_) count(open, false);
    for (const auto& open : joining_) count(open, true);
    if (of_user >= options_.max_streams_per_user ||
        of_address >= options_.max_streams_per_address) {
      return nullptr;
    }
    // Never send again what the client says it has seen, including events
    // published before this call that reach the streams after it. Relayed,
    // this instance's window may lag the instance the client came from, so
    // its id is taken as it is; here, an id beyond every event published
    // means nothing was missed, and the stream goes on from the latest.
    // Without Last-Event-ID a client wants what happens from now on.
    if (!last_event_id) {
      stream->last_id_ = latest_id_;
    } else if (options_.relayed) {
      stream->last_id_ = *last_event_id;
    } else {
      stream->last_id_ = std::min(*last_event_id, latest_id_);
    }
    // The window covers the gap when it reaches back to the event right
    // after (ids are at least 1, so `id - 1` cannot overflow; any id a
    // client sends, up to INT64_MAX, compares well).
    const bool covered = !last_event_id ||
                         (!window_.empty() && window_.front().id - 1 <= *last_event_id) ||
                         (window_.empty() && *last_event_id >= latest_id_ && latest_id_ > 0);
    // Queued before the stream can receive live events, under the same lock
    // that publish() takes: nothing is lost or reordered.
    if (covered) {
      if (last_event_id) {
        for (const auto& event : window_) {
          if (event.id > *last_event_id) stream->push(event.id, event.text);
        }
      }
      streams_.push_back(stream);
    } else if (too_far_behind_ && *last_event_id <= *too_far_behind_) {
      count_resync(metrics::ResyncReason::too_many_missed);
      stream->push(0, resync_event("too many events missed"));
      streams_.push_back(stream);
    } else if (joining_.size() >= options_.max_store_replays ||
               replays_of_address >= options_.max_store_replays_per_address) {
      // Reload rather than wait for (or take) a store thread.
      count_resync(metrics::ResyncReason::catch_up_limit);
      stream->push(0, resync_event("too many clients catching up at once"));
      streams_.push_back(stream);
    } else {
      joining_.push_back(stream);
      from_store = true;
    }
  }
  if (from_store) fill_gap_from_store(stream, *last_event_id);
  try {
    stream->push(0, metrics_event());
  } catch (const StoreUnavailable&) {
    // The next tick sends metrics once the store answers again.
    std::lock_guard lock(mutex_);
    metrics_dirty_ = true;
  }
  return stream;
}

void EventFeed::fill_gap_from_store(const std::shared_ptr<EventStream>& stream,
                                    std::int64_t last_event_id) {
  // The window does not reach back far enough (e.g. after a restart): fill
  // the gap from the store, or ask the client to reload.
  std::optional<std::vector<Event>> missed;
  bool too_far = false;
  try {
    missed = replay_from_store(last_event_id);
    too_far = !missed;
  } catch (const StoreUnavailable&) {
    missed.reset();
  } catch (...) {
    // The reservation ends whatever happens: not counted, and closed.
    {
      std::lock_guard lock(mutex_);
      std::erase(joining_, stream);
    }
    stream->close_with(nullptr);
    throw;
  }
  if (!missed) {
    count_resync(metrics::ResyncReason::too_many_missed);
    stream->push(0, resync_event("too many events missed"));
  } else {
    for (const auto& event : *missed) stream->push(event.id, event.text);
  }
  std::lock_guard lock(mutex_);
  if (too_far) too_far_behind_ = std::max(too_far_behind_.value_or(last_event_id), last_event_id);
  // Live events published since the store read: the stream skips the ids it
  // already has.
  for (const auto& event : window_) {
    if (event.id > last_event_id) stream->push(event.id, event.text);
  }
  std::erase(joining_, stream);
  streams_.push_back(stream);
}

std::optional<std::vector<EventFeed::Event>> EventFeed::replay_from_store(
    std::int64_t last_event_id) {
  const std::size_t budget = options_.max_queued_bytes / 2;
  const std::size_t page_size = std::max<std::size_t>(1, options_.store_replay_page);
  std::vector<Event> events;
  std::size_t bytes = 0;
  std::int64_t after = last_event_id;
  for (;;) {
    const auto page = store_.orders_after(after, page_size);
    for (const auto& order : page) {
      EventText text = order_event(order.sequence, order_json(order, calendar_));
      bytes += text->size();
      if (events.size() == options_.max_store_replay || bytes > budget) return std::nullopt;
      events.push_back({order.sequence, std::move(text)});
      after = order.sequence;
    }
    if (page.size() < page_size) return events;
  }
}

void EventFeed::close_all() {
  std::vector<std::shared_ptr<EventStream>> streams;
  {
    std::lock_guard lock(mutex_);
    streams.swap(streams_);
    // Those still reading their gap are closed too; they join closed.
    streams.insert(streams.end(), joining_.begin(), joining_.end());
  }
  for (const auto& stream : streams) stream->close_with(nullptr);
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
  auto next_access_check = ticks.now() + options_.access_check_interval;
  auto next_refresh = ticks.now() + options_.metrics_refresh_interval;
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
      end_expired(lock);
      if (ticks.now() >= next_access_check) {
        next_access_check = ticks.now() + options_.access_check_interval;
        end_revoked(lock);
      }
      // Forget streams whose clients went away or that were closed.
      std::erase_if(streams_, [](const auto& stream) { return stream->closed(); });
      if (metrics_dirty_ || ticks.now() >= next_refresh) {
        metrics_dirty_ = true;
        next_refresh = ticks.now() + options_.metrics_refresh_interval;
      }
      send_metrics(lock);
    }
  }
}

void EventFeed::count_resync(metrics::ResyncReason reason, std::size_t streams) const {
  if (options_.counters) options_.counters->resync(reason, streams);
}

void EventFeed::fan_out(std::unique_lock<std::mutex>& lock) {
  const auto fresh = published_ - fanned_out_;
  fanned_out_ = published_;
  auto streams = streams_;
  if (fresh > window_.size()) {
    // More events in one interval than the window holds: some are gone before
    // any stream got them.
    lock.unlock();
    count_resync(metrics::ResyncReason::burst, streams.size());
    const auto resync = resync_event("too many events at once");
    for (const auto& stream : streams) stream->close_with(resync);
    lock.lock();
    return;
  }
  // References to the window's texts, not copies: the streams share them.
  std::vector<std::pair<std::int64_t, EventText>> events;
  events.reserve(fresh);
  for (auto it = window_.end() - static_cast<std::ptrdiff_t>(fresh); it != window_.end(); ++it) {
    events.emplace_back(it->id, it->text);
  }
  lock.unlock();
  for (const auto& stream : streams) stream->push_all(events);
  enforce_total_budget(streams);
  lock.lock();
}

void EventFeed::enforce_total_budget(const std::vector<std::shared_ptr<EventStream>>& streams) {
  if (all_queued_->load() <= options_.max_total_queued_bytes) return;
  std::vector<std::pair<std::size_t, EventStream*>> by_queued;
  by_queued.reserve(streams.size());
  for (const auto& stream : streams) by_queued.emplace_back(stream->queued_bytes(), stream.get());
  std::sort(by_queued.begin(), by_queued.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  const auto target = options_.max_total_queued_bytes / 4 * 3;
  const auto resync = resync_event("server short of memory for slow clients, events were dropped");
  for (const auto& [queued, stream] : by_queued) {
    if (all_queued_->load() <= target) break;
    count_resync(metrics::ResyncReason::memory_budget);
    stream->drop_with(resync);
  }
}

void EventFeed::end_expired(std::unique_lock<std::mutex>& lock) {
  const auto now = clock_.now();
  std::vector<std::shared_ptr<EventStream>> expired;
  for (const auto& stream : streams_) {
    if (stream->expires_at_ && *stream->expires_at_ <= now) expired.push_back(stream);
  }
  if (expired.empty()) return;
  lock.unlock();
  // The client reconnects with a fresh token and its Last-Event-ID: nothing is lost.
  const auto fin = expired_event();
  for (const auto& stream : expired) stream->close_with(fin);
  lock.lock();
}

void EventFeed::end_revoked(std::unique_lock<std::mutex>& lock) {
  if (!options_.still_admitted || streams_.empty()) return;
  auto streams = streams_;
  lock.unlock();
  // One question per user and generation, however many screens they watch.
  std::map<std::pair<std::string, std::int64_t>, bool> admitted;
  const auto fin = revoked_event();
  for (const auto& stream : streams) {
    if (stream->user_.empty() || stream->closed()) continue;
    const auto key = std::make_pair(stream->user_, stream->token_generation_);
    auto verdict = admitted.find(key);
    if (verdict == admitted.end()) {
      bool still = true;
      try {
        still = options_.still_admitted(key.first, key.second);
      } catch (const StoreUnavailable&) {
        // Asked again at the next check.
      }
      verdict = admitted.emplace(key, still).first;
    }
    if (!verdict->second) stream->close_with(fin);
  }
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
    // One text for every stream this tick.
    const EventText text = metrics_event();
    for (const auto& stream : streams) stream->push(0, text);
  } catch (const StoreUnavailable&) {
    lock.lock();
    metrics_dirty_ = true;
    return;
  }
  lock.lock();
}

}  // namespace cargomon::api
