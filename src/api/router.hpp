#pragma once
// Maps a request to its handler: path, method, authentication, CORS and the
// headers every answer carries. Pure: no sockets.
//
// Where work runs: the caller's thread (a network thread) only for what
// cannot block: parsing, routing, answers from memory (health, the OpenAPI
// document, static files), token checks, and registering an order whose
// user was read a moment ago (the store queues it without waiting). Every
// handler that reads the store runs on Services::store_work, and the
// answer comes back through the Respond sink from that thread. A full
// executor is a 503 with Retry-After.
//
// Failures: see the error policy in api/errors.hpp. Whatever escapes a
// handler is answered here (503 for StoreUnavailable, 500 logged for the
// rest); nothing escapes handle().

#include <optional>
#include <string>

#include "api/exchange.hpp"
#include "api/route.hpp"
#include "api/services.hpp"

namespace cargomon::api {

class Router final : public Handler {
 public:
  explicit Router(Services& services) : services_(services) {}

  // Answers through `sink` exactly once, possibly from another thread, with
  // the headers every answer carries, and counts the answer (its route
  // pattern, status and time) in Services::metrics. Never throws.
  void handle(Request request, Respond::Sink sink) const override;

  // The next piece of a streamed body (Response::chunks), produced off the
  // network threads; `done` gets it (empty: the end), or nullopt when the
  // body cannot go on (the producer threw, or the executor is full): the
  // transport then cuts the connection.
  void next_chunk(const BodyChunks& chunks,
                  std::function<void(std::optional<std::string>)> done) const override;

 private:
  struct Target;
  Target parse_target(const Request& request) const;
  void route(const std::shared_ptr<const Request>& request, const Target& target,
             const Respond& respond) const;
  // Runs `work` on the store executor under the catch-all; 503 when full.
  void off_network(const Request& request, const Respond& respond,
                   std::function<void()> work) const;
  Services& services_;
};

}  // namespace cargomon::api
