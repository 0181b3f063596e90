// GET /eventos: the live stream (Server-Sent Events).

#include <charconv>

#include "api/errors.hpp"
#include "api/event_feed.hpp"
#include "api/handlers/handlers.hpp"

namespace cargomon::api {

Response get_events(Services& s, const Request& request, const Principal& principal) {
  if (!s.feed) return error_response(ApiError::not_found, "No live stream on this server");
  std::optional<std::int64_t> last_event_id;
  if (!request.last_event_id.empty()) {
    std::int64_t id = 0;
    const auto& text = request.last_event_id;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || ptr != text.data() + text.size() || id < 0) {
      return error_response(ApiError::bad_request,
                            "Last-Event-ID must be the id of an event this server sent");
    }
    last_event_id = id;
  }
  Response response;
  response.content_type = "text/event-stream";
  response.header("Cache-Control", "no-store");
  // Proxies such as nginx must pass events through at once.
  response.header("X-Accel-Buffering", "no");
  response.stream =
      s.feed->subscribe(last_event_id, {principal.username, request.client_address,
                                        principal.token_expires_at, principal.token_generation});
  if (!response.stream) {
    auto refused = error_response(ApiError::too_many_requests,
                                  "Too many open streams for this user or address; close one "
                                  "(another tab or screen) or try again later");
    refused.header("Retry-After", "10");
    refused.warning = "too many open streams for the user or address";
    return refused;
  }
  return response;
}

}  // namespace cargomon::api
