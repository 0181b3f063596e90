#pragma once
// What the admin listener (`serve --admin-listen`) answers: GET /metrics,
// the operator's counters in Prometheus's text format, and GET /healthz.
// Unauthenticated: it is meant for a loopback or private address only,
// which is why it has its own listener and the API's port does not serve it.
//
// Where work runs: the caller's thread (a network thread). A scrape reads
// memory and /proc (no disk) and writes a few hundred series: microseconds.

#include "api/exchange.hpp"

namespace cargomon::metrics {
class Metrics;
}

namespace cargomon::api {

class AdminRouter final : public Handler {
 public:
  explicit AdminRouter(metrics::Metrics& counters) : counters_(counters) {}

  void handle(Request request, Respond::Sink sink) const override;
  // Nothing it answers is streamed.
  void next_chunk(const BodyChunks& chunks,
                  std::function<void(std::optional<std::string>)> done) const override;

 private:
  metrics::Metrics& counters_;
};

}  // namespace cargomon::api
