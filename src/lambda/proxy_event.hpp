#pragma once
// Lambda proxy events in, proxy responses out: the three shapes in which
// AWS hands an HTTP request to a function, translated to and from the
// transport-free api::Request / api::Response. Pure functions, no I/O.
//
// - API Gateway REST, Lambda proxy integration (payload 1.0): `httpMethod`,
//   `path` (without the stage), `multiValueHeaders`,
//   `multiValueQueryStringParameters` (decoded values), `isBase64Encoded`.
//   Answered {"statusCode", "headers", "multiValueHeaders", "body",
//   "isBase64Encoded"}.
// - HTTP API and function URLs (payload 2.0): `version` "2.0", `rawPath`,
//   `rawQueryString` (still encoded), `cookies`, headers with repeated
//   values comma-joined, `requestContext.http.method`. A stage other than
//   `$default` prefixes `rawPath` and is stripped. Answered {"statusCode",
//   "headers", "cookies", "body", "isBase64Encoded"}.
// - Application Load Balancer: like 1.0, recognised by `requestContext.elb`;
//   query values arrive as the client encoded them. Answered in the header
//   form the event used (`multiValueHeaders` when the target group has
//   multi-value headers on), with a `statusDescription`.
//
// Bad input is never an exception: an event that is JSON and says which
// kind it is but is broken (no method, a body that is not base64, too large)
// is a Rejected, answered 400/413 in its own shape; anything else is
// Unrecognised, for the Runtime API's /error.

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "api/exchange.hpp"

namespace cargomon::lambda {

enum class EventKind { rest_v1, http_v2, alb };

// The request's kind and what the response must repeat of it.
struct EventShape {
  EventKind kind = EventKind::rest_v1;
  bool multi_value_headers = false;  // ALB: answer in multiValueHeaders
};

struct ProxyRequest {
  EventShape shape;
  api::Request request;
};

// Recognisable but unusable: answered with `response` (a 4xx) in `shape`.
struct Rejected {
  EventShape shape;
  api::Response response;
};

// Not an HTTP event at all: reported to the Runtime API's /error.
struct Unrecognised {
  std::string error_type;  // "Runtime.UnknownEvent", "Runtime.MalformedEvent"
  std::string message;
};

using Translation = std::variant<ProxyRequest, Rejected, Unrecognised>;

// Lambda's synchronous invocation limit, request and response alike.
inline constexpr std::size_t kLambdaPayloadLimit = std::size_t{6} * 1024 * 1024;

struct EventLimits {
  std::size_t max_event_bytes = kLambdaPayloadLimit;
  std::size_t max_body_bytes = std::size_t{256} * 1024;  // decoded body (serve's --body-limit)
};

Translation translate_event(std::string_view event_json, const EventLimits& limits);

// The proxy response JSON for `response` (its body complete: chunks already
// gathered into `body`). Bodies that are not UTF-8 text go base64-encoded.
std::string render_response(const EventShape& shape, const api::Response& response);

// Whether a body of this content type can travel as a JSON string as is
// (text, JSON, CSV…, and valid UTF-8); otherwise it is base64-encoded.
bool travels_as_text(std::string_view content_type, std::string_view body);

// Response streaming through an HTTP front door (a function URL with
// InvokeMode RESPONSE_STREAM, an API Gateway REST integration with
// responseTransferMode STREAM): the streamed body, posted with this content
// type, is a JSON prelude with the status and headers, then eight NUL bytes,
// then the response's own bytes as they are, never base64. Following
// aws-lambda-nodejs-runtime-interface-client (src/HttpResponseStream.js:
// METADATA_PRELUDE_CONTENT_TYPE, DELIMITER_LEN = 8) and
// aws-lambda-rust-runtime (lambda-runtime/src/requests.rs), and API
// Gateway's "Lambda proxy integration format for response streaming"
// (response-transfer-mode-lambda), whose metadata must come within the first
// 16 KB.
inline constexpr std::string_view kHttpIntegrationContentType =
    "application/vnd.awslambda.http-integration-response";
inline constexpr std::string_view kStreamPreludeDelimiter{"\0\0\0\0\0\0\0\0", 8};

// The prelude and its delimiter for `response` in `shape`:
// {"statusCode", "headers", "cookies"} for 2.0 events (function URLs),
// {"statusCode", "headers", "multiValueHeaders"} for REST events, the headers
// split as render_response splits them. Its body is not part of it.
std::string render_stream_prelude(const EventShape& shape, const api::Response& response);

// Standard base64 with padding (what `isBase64Encoded` bodies and the
// Runtime API's error trailer carry).
std::string base64_encode(std::string_view bytes);

}  // namespace cargomon::lambda
