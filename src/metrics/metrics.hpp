#pragma once
// The operator's counters: what the server did (requests by route and
// status, orders by outcome, logins, rejected tokens, streams, resyncs, the
// group commit) in Prometheus's data model, and their text exposition for
// `serve --admin-listen` (GET /metrics there; the main port's /metrics is
// the original API's business figures).
//
// Labels are bounded by construction: every label value comes from an enum
// here or from the fixed route patterns given at construction (never an
// order id, a user name or a raw path), and a status is an HTTP status code.
//
// Cost: counters are prometheus-cpp's atomics (a compare-and-swap loop, no
// lock); a histogram observation takes that histogram's own mutex for a few
// additions. The series of a route and a status is created the first time
// it is seen (Family::Add, under the family's lock) and found lock-free
// after that, so the ingest path takes no lock of ours.
//
// Thread safety: every method may be called concurrently from any thread.
// The samplers set with sample() run on the thread that calls exposition().

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/commit_observer.hpp"

namespace cargomon::metrics {

// POST /registrar_pedido_entregado's answers: stored, the same order again
// (200, counted once), the same pedido_id with other content (409), bad
// input (4xx, nothing stored), the store could not take it (503).
enum class OrderOutcome { accepted, replayed, conflicting, rejected, unavailable };
inline constexpr std::size_t kOrderOutcomes = 5;

enum class LoginOutcome { succeeded, failed, throttled };
inline constexpr std::size_t kLoginOutcomes = 3;

// Why a bearer token was refused (a 401).
enum class TokenRejection {
  missing,     // no Authorization header
  not_bearer,  // not "Bearer <token>"
  malformed,   // the auth::TokenError reasons, one each
  bad_algorithm,
  bad_signature,
  expired,
  not_yet_valid,
  missing_claims,
  revoked,    // the user's token generation moved on (password, role, access changed)
  user_gone,  // disabled or deleted
};
inline constexpr std::size_t kTokenRejections = 10;
// Its label value ("expired"), which the log's warnings use too.
std::string_view reason_name(TokenRejection reason);

// Why a 503 was answered.
enum class Unavailable {
  store,                 // the store failed or refused the work
  overloaded,            // an executor's queue was full
  too_many_connections,  // past --max-connections
};
inline constexpr std::size_t kUnavailableReasons = 3;

// Why a live stream was sent `resync` (the dashboard reloads).
enum class ResyncReason {
  slow_client,      // its own queue overflowed: dropped for slowness
  memory_budget,    // all streams together held too much: the slowest dropped
  too_many_missed,  // its Last-Event-ID gap was more than a replay may hold
  catch_up_limit,   // too many streams were reading their gap from the store
  burst,            // more events in one fan-out interval than the window holds
};
inline constexpr std::size_t kResyncReasons = 5;

// Whose request rate a 429 was for (the rate limits of --rate-limit-*).
enum class RateLimitScope { user, address };
inline constexpr std::size_t kRateLimitScopes = 2;

// Read at each scrape, from whoever knows (set by the composition root).
enum class Sampled { open_connections, open_streams };
inline constexpr std::size_t kSampled = 2;

class Metrics final : public CommitObserver {
 public:
  // `routes`: every route pattern a request may be counted under (e.g.
  // "/pedidos/{pedido_id}"), indexed as request_answered's `route`.
  // `version`: for cargomon_build_info.
  Metrics(std::vector<std::string> routes, const std::string& version);
  ~Metrics() override;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;
  Metrics(Metrics&&) = delete;
  Metrics& operator=(Metrics&&) = delete;

  // A request to routes[route] was answered with `status` after `took`.
  void request_answered(std::size_t route, int status, std::chrono::nanoseconds took);
  void order(OrderOutcome outcome);
  void login(LoginOutcome outcome);
  void token_rejected(TokenRejection reason);
  void unavailable(Unavailable reason);
  // A request failed because the store did (StoreUnavailable, or an order
  // the store refused).
  void store_error();
  void events_sent(std::size_t events);
  void resync(ResyncReason reason, std::size_t streams = 1);
  void rate_limited(RateLimitScope scope);
  void connection_refused_per_address();
  // A request answered by the HTTP layer before it reached a route: 400
  // (malformed HTTP, no Host), 413 (body too large), 431 (headers too large).
  void request_refused(int status);

  // CommitObserver: the group commit's batches and log syncs.
  void batch_committed(std::size_t orders, std::chrono::nanoseconds took) override;
  void log_synced(std::chrono::nanoseconds took, bool ok) override;

  // `read` gives the gauge's value at each scrape; it must be cheap and
  // safe to call from the scraping thread for as long as it is set. Set
  // before the first scrape; an empty function unsets it.
  void sample(Sampled which, std::function<double()> read);

  // Every series in the text exposition format (version 0.0.4), after
  // reading the sampled gauges and the process's resident memory.
  std::string exposition();

  // Content-Type of exposition().
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  static constexpr int kMinStatus = 100;
  static constexpr int kMaxStatus = 599;
  prometheus::Counter& request_counter(std::size_t route, int status);

  std::shared_ptr<prometheus::Registry> registry_;
  std::vector<std::string> routes_;
  prometheus::Family<prometheus::Counter>& requests_;
  // [route][status - kMinStatus], filled on first use.
  std::unique_ptr<std::atomic<prometheus::Counter*>[]> request_counters_;
  std::vector<prometheus::Histogram*> request_durations_;
  std::array<prometheus::Counter*, kOrderOutcomes> orders_{};
  std::array<prometheus::Counter*, kLoginOutcomes> logins_{};
  std::array<prometheus::Counter*, kTokenRejections> tokens_rejected_{};
  std::array<prometheus::Counter*, kUnavailableReasons> unavailable_{};
  std::array<prometheus::Counter*, kResyncReasons> resyncs_{};
  // slow_client and memory_budget: the resyncs that drop a stream for slowness.
  std::array<prometheus::Counter*, 2> streams_dropped_{};
  std::array<prometheus::Counter*, kRateLimitScopes> rate_limited_{};
  prometheus::Counter* store_errors_;
  prometheus::Counter* events_sent_;
  prometheus::Counter* connections_refused_per_address_;
  std::array<prometheus::Counter*, 3> requests_refused_{};  // 400, 413, 431
  prometheus::Histogram* batch_size_;
  prometheus::Histogram* commit_duration_;
  prometheus::Histogram* fsync_duration_;
  prometheus::Counter* fsync_failures_;
  prometheus::Gauge* resident_memory_;
  std::array<prometheus::Gauge*, kSampled> sampled_{};

  std::mutex samplers_mutex_;  // guards samplers_
  std::array<std::function<double()>, kSampled> samplers_;
};

// The resident set size of this process in bytes (from /proc/self/statm), 0
// when it cannot be read.
double resident_memory_bytes();

}  // namespace cargomon::metrics
