#pragma once
// GET /eventos on Lambda, through response streaming (runtime_api.hpp's
// ResponseStream, proxy_event.hpp's prelude).
//
// The feed (api::EventFeed) exists only while a stream invocation runs:
// OnDemandFeed makes it, relayed from the store's orders (every execution
// environment's: the store's own LiveOrders, or storage's polling one), when
// an authorised client asks for the stream, and ends it with the
// invocation. So nothing reads the store for streams between invocations
// nor during other invocations, and a new feed has no window of its own: a
// client resuming with Last-Event-ID gets what it missed from the store,
// exactly (EventFeed::subscribe), whichever environment it was on before.
//
// pump_events() writes the stream: a `retry:` field first (written by the
// handler, with the prelude), then whatever the feed yields, a comment line
// on a quiet stream every heartbeat (the same as `serve`'s), until the feed
// closes it (token expired, resync), the invocation's deadline comes near or
// the body reaches its bound. Then the body ends cleanly and the client
// reconnects with Last-Event-ID: no event lost, none sent twice.
//
// Thread safety: the invocation loop's thread drives both; the feed's and
// the relay's threads only wake the pump.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "api/event_feed.hpp"
#include "api/exchange.hpp"
#include "api/services.hpp"
#include "domain/monotonic_clock.hpp"
#include "storage/store.hpp"

namespace cargomon::lambda {

struct StreamLimits {
  // The function's HTTP front doors stream responses (CARGOMON_LAMBDA_STREAMING):
  // a function URL with InvokeMode RESPONSE_STREAM, or API Gateway REST with
  // responseTransferMode STREAM. Lambda does not tell a function how it was
  // invoked, so the deployment says it. Off: every answer is buffered and
  // /eventos is a 404 (the dashboard then polls).
  bool enabled = false;
  std::chrono::milliseconds heartbeat = api::kStreamHeartbeatInterval;
  // The stream ends this long before the invocation's deadline, to end the
  // body and have Lambda's answer before Lambda ends the invocation itself.
  std::chrono::milliseconds end_margin{1'000};
  // What the `retry:` field tells an EventSource to wait before reconnecting.
  std::chrono::milliseconds retry{1'000};
  // The body ends once it holds this much: below Lambda's 20 MB soft limit
  // for a streamed response with room for one more write, which is at most
  // one stream's queue (api::EventFeedOptions::max_queued_bytes, 4 MiB).
  std::size_t max_bytes = std::size_t{16} << 20;
};

// "retry: 1000\n\n": the first thing of every stream.
std::string retry_field(std::chrono::milliseconds retry);

enum class StreamEnd {
  closed,    // the feed ended the stream (token expired, resync)
  deadline,  // `end_at` came
  size,      // the body reached limits.max_bytes
};

// Writes what `events` yields through `write` (which may throw: the pump
// then stops, and the exception goes on) until one of StreamEnd's reasons;
// each call of `write` gets the pieces of one batch (or a heartbeat), to
// send as one write: they are the feed's shared texts, not a copy, and stay
// valid only during the call.
// `written` is what the body already holds (the prelude). `end_at` is on
// `ticks`, which also times the heartbeats. The stream stays subscribed:
// the caller detaches it.
using StreamWrite = std::function<void(std::span<const std::string_view> pieces)>;
StreamEnd pump_events(api::EventStream& events, const StreamWrite& write, std::size_t written,
                      MonotonicClock::time_point end_at, const StreamLimits& limits,
                      const MonotonicClock& ticks);

// Makes the live feed for one stream invocation at a time.
class OnDemandFeed {
 public:
  // `services.orders` is what the feed reads (replays, metrics); `live`
  // brings every environment's orders. Both must outlive this.
  OnDemandFeed(api::Services& services, LiveOrders& live, api::EventFeedOptions options = {});

  // For a request for the stream: when its token may read orders, starts the
  // relay and the feed (relayed, the relay first so that no order committed
  // meanwhile is missed) and points services.feed at it until the returned
  // handle is destroyed, which ends both. Null when the token may not (the
  // Router then answers the 401 or 403): nothing is started for it. Throws
  // StoreUnavailable when the relay cannot start.
  std::shared_ptr<void> open(const api::Request& request);

 private:
  api::Services& services_;
  LiveOrders& live_;
  api::EventFeedOptions options_;
};

}  // namespace cargomon::lambda
