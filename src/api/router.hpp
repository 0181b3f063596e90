#pragma once
// Maps a request to its handler: path, method, authentication, CORS and the
// headers every answer carries. Pure: no sockets.

#include "api/exchange.hpp"
#include "api/services.hpp"

namespace cargomon::api {

class Router {
 public:
  explicit Router(Services& services) : services_(services) {}

  // Answers through `respond` exactly once, possibly from another thread.
  // Never throws: every failure becomes a response.
  void handle(Request request, Respond respond) const;

 private:
  void route(Request& request, Respond& respond) const;
  Services& services_;
};

}  // namespace cargomon::api
