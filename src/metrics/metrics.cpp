#include "metrics/metrics.hpp"

#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace cargomon::metrics {
namespace {

using prometheus::Counter;
using prometheus::Gauge;
using prometheus::Histogram;

double seconds(std::chrono::nanoseconds took) {
  return std::chrono::duration<double>(took).count();
}

// From half a millisecond (an answer from memory) to ten seconds (the read
// timeout's order of magnitude).
const Histogram::BucketBoundaries& latency_buckets() {
  static const Histogram::BucketBoundaries buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                   0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return buckets;
}

// Up to the BatchWriter's max_batch (2,000 by default).
const Histogram::BucketBoundaries& batch_buckets() {
  static const Histogram::BucketBoundaries buckets{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000};
  return buckets;
}

// One series per value of one label, made at construction.
template <std::size_t N>
std::array<Counter*, N> counters(prometheus::Registry& registry, const std::string& name,
                                 const std::string& help, const std::string& label,
                                 const std::array<const char*, N>& values) {
  auto& family = prometheus::BuildCounter().Name(name).Help(help).Register(registry);
  std::array<Counter*, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = &family.Add({{label, values[i]}});
  return out;
}

Counter* counter(prometheus::Registry& registry, const std::string& name, const std::string& help) {
  return &prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

Histogram* histogram(prometheus::Registry& registry, const std::string& name,
                     const std::string& help, const Histogram::BucketBoundaries& buckets) {
  return &prometheus::BuildHistogram().Name(name).Help(help).Register(registry).Add({}, buckets);
}

Gauge* gauge(prometheus::Registry& registry, const std::string& name, const std::string& help) {
  return &prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

constexpr std::array<const char*, kResyncReasons> kResyncReasonNames{
    "slow_client", "memory_budget", "too_many_missed", "catch_up_limit", "burst"};

constexpr std::array<const char*, kTokenRejections> kTokenRejectionNames{
    "missing", "not_bearer",    "malformed",      "bad_algorithm", "bad_signature",
    "expired", "not_yet_valid", "missing_claims", "revoked",       "user_gone"};

}  // namespace

std::string_view reason_name(TokenRejection reason) {
  return kTokenRejectionNames.at(static_cast<std::size_t>(reason));
}

Metrics::Metrics(std::vector<std::string> routes, const std::string& version)
    : registry_(std::make_shared<prometheus::Registry>()),
      routes_(std::move(routes)),
      requests_(prometheus::BuildCounter()
                    .Name("cargomon_http_requests_total")
                    .Help("HTTP requests answered, by route pattern and status code")
                    .Register(*registry_)),
      request_counters_(std::make_unique<std::atomic<Counter*>[]>(
          routes_.size() * static_cast<std::size_t>(kMaxStatus - kMinStatus + 1))) {
  auto& registry = *registry_;
  auto& durations = prometheus::BuildHistogram()
                        .Name("cargomon_http_request_duration_seconds")
                        .Help(
                            "Time from a request's arrival at the router to its answer (for "
                            "/eventos, to the stream's start), by route pattern")
                        .Register(registry);
  for (const auto& route : routes_) {
    request_durations_.push_back(&durations.Add({{"route", route}}, latency_buckets()));
  }
  orders_ = counters<kOrderOutcomes>(
      registry, "cargomon_orders_total",
      "Orders received by POST /registrar_pedido_entregado, by outcome: accepted (stored), "
      "replayed (the same order again), conflicting (same pedido_id, other content: 409), "
      "rejected (bad input), unavailable (the store could not take it: 503)",
      "outcome", {"accepted", "replayed", "conflicting", "rejected", "unavailable"});
  logins_ = counters<kLoginOutcomes>(
      registry, "cargomon_logins_total",
      "Password logins (POST /token), by outcome: succeeded, failed (wrong username or "
      "password, or a disabled user), throttled (429, too many failures)",
      "outcome", {"succeeded", "failed", "throttled"});
  tokens_rejected_ = counters<kTokenRejections>(registry, "cargomon_tokens_rejected_total",
                                                "Bearer tokens refused (401), by reason", "reason",
                                                kTokenRejectionNames);
  unavailable_ = counters<kUnavailableReasons>(
      registry, "cargomon_unavailable_responses_total",
      "Requests answered 503, by reason: store (the store failed or refused), overloaded (a "
      "work queue was full), too_many_connections (past --max-connections)",
      "reason", {"store", "overloaded", "too_many_connections"});
  resyncs_ = counters<kResyncReasons>(registry, "cargomon_event_resyncs_total",
                                      "Live streams sent resync (the client reloads), by reason",
                                      "reason", kResyncReasonNames);
  streams_dropped_ = counters<2>(
      registry, "cargomon_event_streams_dropped_total",
      "Live streams closed because their client read too slowly, by reason: slow_client (its "
      "own queue overflowed), memory_budget (all streams together held too much)",
      "reason", std::array<const char*, 2>{"slow_client", "memory_budget"});
  rate_limited_ = counters<kRateLimitScopes>(
      registry, "cargomon_rate_limited_total",
      "Requests refused (429) by the request rate limits, by whose rate: user or address", "scope",
      {"user", "address"});
  store_errors_ = counter(registry, "cargomon_store_errors_total",
                          "Requests that failed because the store did (a read that failed, or "
                          "an order the store could not take)");
  events_sent_ = counter(registry, "cargomon_events_sent_total",
                         "Server-Sent Events written to live streams (orders, metrics, resync)");
  connections_refused_per_address_ =
      counter(registry, "cargomon_http_connections_refused_per_address_total",
              "Connections refused (429) because their address held "
              "--max-connections-per-address already");
  requests_refused_ = counters<3>(
      registry, "cargomon_http_requests_refused_total",
      "Requests answered before they reached a route, by status: 400 (malformed HTTP, or "
      "HTTP/1.1 without Host), 413 (a body past --body-limit), 431 (headers past 16 KiB)",
      "status", {"400", "413", "431"});
  batch_size_ = histogram(registry, "cargomon_store_commit_batch_orders",
                          "Orders per group-commit batch", batch_buckets());
  commit_duration_ =
      histogram(registry, "cargomon_store_commit_duration_seconds",
                "Time to commit one group-commit batch (its transaction)", latency_buckets());
  fsync_duration_ = histogram(
      registry, "cargomon_store_fsync_duration_seconds",
      "Time to make SQLite's write-ahead log durable (fdatasync) after commits", latency_buckets());
  fsync_failures_ = counter(registry, "cargomon_store_fsync_failures_total",
                            "Failed syncs of SQLite's write-ahead log: after one, orders are "
                            "refused until a restart");
  resident_memory_ =
      gauge(registry, "process_resident_memory_bytes", "Resident memory size in bytes");
  gauge(registry, "process_start_time_seconds",
        "Start time of the process since the Unix epoch in seconds")
      ->Set(static_cast<double>(std::time(nullptr)));
  sampled_[static_cast<std::size_t>(Sampled::open_connections)] = gauge(
      registry, "cargomon_http_open_connections", "Open HTTP connections on the main listener");
  sampled_[static_cast<std::size_t>(Sampled::open_streams)] =
      gauge(registry, "cargomon_event_streams_open", "Open live streams (GET /eventos)");
  prometheus::BuildGauge()
      .Name("cargomon_build_info")
      .Help("Always 1; the labels say which cargomon this is")
      .Register(registry)
      .Add({{"version", version}})
      .Set(1);
}

Metrics::~Metrics() = default;

Counter& Metrics::request_counter(std::size_t route, int status) {
  if (status < kMinStatus || status > kMaxStatus) status = 500;
  auto& slot = request_counters_[route * static_cast<std::size_t>(kMaxStatus - kMinStatus + 1) +
                                 static_cast<std::size_t>(status - kMinStatus)];
  if (auto* known = slot.load(std::memory_order_acquire)) return *known;
  // Family::Add returns the same series for the same labels, so threads
  // racing here store the same pointer.
  auto& added = requests_.Add({{"route", routes_[route]}, {"status", std::to_string(status)}});
  slot.store(&added, std::memory_order_release);
  return added;
}

void Metrics::request_answered(std::size_t route, int status, std::chrono::nanoseconds took) {
  if (route >= routes_.size()) return;
  request_counter(route, status).Increment();
  request_durations_[route]->Observe(seconds(took));
}

void Metrics::order(OrderOutcome outcome) {
  orders_[static_cast<std::size_t>(outcome)]->Increment();
}

void Metrics::login(LoginOutcome outcome) {
  logins_[static_cast<std::size_t>(outcome)]->Increment();
}

void Metrics::token_rejected(TokenRejection reason) {
  tokens_rejected_[static_cast<std::size_t>(reason)]->Increment();
}

void Metrics::unavailable(Unavailable reason) {
  unavailable_[static_cast<std::size_t>(reason)]->Increment();
}

void Metrics::store_error() { store_errors_->Increment(); }

void Metrics::events_sent(std::size_t events) {
  events_sent_->Increment(static_cast<double>(events));
}

void Metrics::resync(ResyncReason reason, std::size_t streams) {
  const auto index = static_cast<std::size_t>(reason);
  resyncs_[index]->Increment(static_cast<double>(streams));
  if (reason == ResyncReason::slow_client) {
    streams_dropped_[0]->Increment(static_cast<double>(streams));
  } else if (reason == ResyncReason::memory_budget) {
    streams_dropped_[1]->Increment(static_cast<double>(streams));
  }
}

void Metrics::rate_limited(RateLimitScope scope) {
  rate_limited_[static_cast<std::size_t>(scope)]->Increment();
}

void Metrics::connection_refused_per_address() { connections_refused_per_address_->Increment(); }

void Metrics::request_refused(int status) {
  if (status == 413) return requests_refused_[1]->Increment();
  if (status == 431) return requests_refused_[2]->Increment();
  requests_refused_[0]->Increment();
}

void Metrics::batch_committed(std::size_t orders, std::chrono::nanoseconds took) {
  batch_size_->Observe(static_cast<double>(orders));
  commit_duration_->Observe(seconds(took));
}

void Metrics::log_synced(std::chrono::nanoseconds took, bool ok) {
  if (!ok) {
    fsync_failures_->Increment();
    return;
  }
  fsync_duration_->Observe(seconds(took));
}

void Metrics::sample(Sampled which, std::function<double()> read) {
  const std::lock_guard lock(samplers_mutex_);
  samplers_[static_cast<std::size_t>(which)] = std::move(read);
}

std::string Metrics::exposition() {
  {
    const std::lock_guard lock(samplers_mutex_);
    for (std::size_t i = 0; i < kSampled; ++i) {
      if (samplers_[i]) sampled_[i]->Set(samplers_[i]());
    }
  }
  resident_memory_->Set(resident_memory_bytes());
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

double resident_memory_bytes() {
  // statm's second field is the resident set in pages; procfs is in memory,
  // so this read never waits on a disk.
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (!statm) return 0;
  unsigned long size = 0;
  unsigned long resident = 0;
  const int read = std::fscanf(statm, "%lu %lu", &size, &resident);
  std::fclose(statm);
  if (read != 2) return 0;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

}  // namespace cargomon::metrics
