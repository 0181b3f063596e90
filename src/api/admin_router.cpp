#include "api/admin_router.hpp"

#include <spdlog/spdlog.h>

#include "api/errors.hpp"
#include "metrics/metrics.hpp"

namespace cargomon::api {

void AdminRouter::handle(Request request, Respond::Sink sink) const {
  const Respond respond(std::move(sink));
  answer_failures(respond, describe(request), [&] {
    const std::string_view target = request.target;
    const auto path = target.substr(0, target.find('?'));
    if (path != "/metrics" && path != "/healthz") {
      return respond(error_response(ApiError::not_found,
                                    "Not Found: the admin listener serves "
                                    "/metrics and /healthz"));
    }
    if (request.method != "GET" && request.method != "HEAD") {
      auto refused = error_response(ApiError::method_not_allowed, "Method Not Allowed");
      refused.header("Allow", "GET, HEAD");
      return respond(std::move(refused));
    }
    if (path == "/healthz") return respond(json_response(200, R"({"status":"ok"})"));
    Response response;
    response.content_type = metrics::Metrics::kContentType;
    response.body = counters_.exposition();
    response.header("Cache-Control", "no-store");
    respond(std::move(response));
  });
}

void AdminRouter::next_chunk(const BodyChunks& /*chunks*/,
                             std::function<void(std::optional<std::string>)> done) const {
  spdlog::error("the admin listener was asked for a streamed body it never answers (a bug)");
  done(std::nullopt);
}

}  // namespace cargomon::api
