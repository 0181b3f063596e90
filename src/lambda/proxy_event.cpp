#include "lambda/proxy_event.hpp"

#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse_path.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <boost/url/url.hpp>
#include <cctype>
#include <optional>
#include <utility>
#include <vector>

#include "api/errors.hpp"

namespace cargomon::lambda {
namespace {

namespace json = boost::json;

using HeaderList = std::vector<std::pair<std::string, std::string>>;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

const json::value* member(const json::object& object, std::string_view key) {
  const auto found = object.find(key);
  return found == object.end() ? nullptr : &found->value();
}

const json::object* object_member(const json::object& object, std::string_view key) {
  const auto* value = member(object, key);
  return value != nullptr ? value->if_object() : nullptr;
}

std::optional<std::string_view> string_member(const json::object& object, std::string_view key) {
  const auto* value = member(object, key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string_view(value->get_string());
}

bool bool_member(const json::object& object, std::string_view key) {
  const auto* value = member(object, key);
  return value != nullptr && value->is_bool() && value->get_bool();
}

// {"name": "value"} and {"name": ["value", …]}, names in lower case, in the
// order given; values that are not strings are skipped.
void collect_pairs(const json::object* single, const json::object* multi, HeaderList& out) {
  if (multi != nullptr && !multi->empty()) {
    for (const auto& [name, values] : *multi) {
      if (const auto* array = values.if_array()) {
        for (const auto& value : *array) {
          if (value.is_string()) out.emplace_back(std::string(name), value.get_string());
        }
      }
    }
    return;
  }
  if (single == nullptr) return;
  for (const auto& [name, value] : *single) {
    if (value.is_string()) out.emplace_back(std::string(name), value.get_string());
  }
}

HeaderList lower_names(HeaderList pairs) {
  for (auto& [name, value] : pairs) name = lower(name);
  return pairs;
}

std::string first_header(const HeaderList& headers, std::string_view lower_name) {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

// A path as given: kept when it is already valid percent-encoded text,
// encoded otherwise (REST and ALB hand it over without saying which).
std::string encoded_path(std::string_view path) {
  if (boost::urls::parse_path(path)) return std::string(path);
  auto allowed = boost::urls::pchars + '/';
  return boost::urls::encode(path, allowed);
}

// Decoded query parameters (REST) into an encoded query string.
std::string encode_query(const HeaderList& params) {
  boost::urls::url url;
  for (const auto& [name, value] : params) url.params().append({name, value});
  return std::string(url.encoded_query());
}

// Parameters the client encoded itself (ALB) joined as they came.
std::string join_query(const HeaderList& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), "\r\n", &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

Rejected reject(const EventShape& shape, api::ApiError error, std::string message) {
  return Rejected{shape, api::error_response(error, std::move(message))};
}

// The body, decoded and bounded; a Rejected when it is unusable.
std::variant<std::string, Rejected> event_body(const json::object& event, const EventShape& shape,
                                               const EventLimits& limits) {
  const auto body = string_member(event, "body");
  if (!body) return std::string();
  if (!bool_member(event, "isBase64Encoded")) {
    if (body->size() > limits.max_body_bytes) {
      return reject(shape, api::ApiError::payload_too_large, "Request body too large");
    }
    return std::string(*body);
  }
  if (body->size() / 4 * 3 > limits.max_body_bytes + 3) {
    return reject(shape, api::ApiError::payload_too_large, "Request body too large");
  }
  auto decoded = base64_decode(*body);
  if (!decoded) {
    return reject(shape, api::ApiError::bad_request,
                  "The event says isBase64Encoded but its body is not base64");
  }
  if (decoded->size() > limits.max_body_bytes) {
    return reject(shape, api::ApiError::payload_too_large, "Request body too large");
  }
  return std::move(*decoded);
}

void fill_from_headers(api::Request& request, const HeaderList& headers) {
  request.content_type = first_header(headers, "content-type");
  request.authorization = first_header(headers, "authorization");
  request.origin = first_header(headers, "origin");
  request.accept_language = first_header(headers, "accept-language");
  request.last_event_id = first_header(headers, "last-event-id");
  request.request_id = first_header(headers, "x-request-id");
  request.user_agent = first_header(headers, "user-agent");
}

// The client's address as the load balancer saw it: the last hop it added.
std::string forwarded_for(const HeaderList& headers) {
  std::string value = first_header(headers, "x-forwarded-for");
  const auto comma = value.rfind(',');
  if (comma != std::string::npos) value = value.substr(comma + 1);
  const auto start = value.find_first_not_of(' ');
  return start == std::string::npos ? std::string() : value.substr(start);
}

Translation translate_v2(const json::object& event, const EventLimits& limits) {
  const EventShape shape{EventKind::http_v2, false};
  const auto* context = object_member(event, "requestContext");
  const auto* http = context != nullptr ? object_member(*context, "http") : nullptr;
  const auto method = http != nullptr ? string_member(*http, "method") : std::nullopt;
  const auto raw_path = string_member(event, "rawPath");
  if (!method || method->empty() || !raw_path || !raw_path->starts_with('/')) {
    return reject(shape, api::ApiError::bad_request,
                  "Payload 2.0 event without requestContext.http.method or rawPath");
  }
  std::string path(*raw_path);
  // An HTTP API stage other than $default is the path's first segment.
  if (const auto stage = string_member(*context, "stage"); stage && *stage != "$default") {
    const std::string prefix = "/" + std::string(*stage);
    if (path == prefix) {
      path = "/";
    } else if (path.starts_with(prefix + "/")) {
      path.erase(0, prefix.size());
    }
  }
  api::Request request;
  request.method = std::string(*method);
  request.target = encoded_path(path);
  if (const auto query = string_member(event, "rawQueryString"); query && !query->empty()) {
    request.target += '?';
    request.target += *query;
  }
  HeaderList headers;
  collect_pairs(object_member(event, "headers"), nullptr, headers);
  fill_from_headers(request, lower_names(std::move(headers)));
  if (const auto ip = string_member(*http, "sourceIp")) request.client_address = *ip;
  auto body = event_body(event, shape, limits);
  if (auto* rejected = std::get_if<Rejected>(&body)) return std::move(*rejected);
  request.body = std::move(std::get<std::string>(body));
  return ProxyRequest{shape, std::move(request)};
}

Translation translate_v1(const json::object& event, const EventLimits& limits, bool alb) {
  const auto* multi_headers = object_member(event, "multiValueHeaders");
  const EventShape shape{alb ? EventKind::alb : EventKind::rest_v1,
                         alb && multi_headers != nullptr};
  const auto method = string_member(event, "httpMethod");
  const auto path = string_member(event, "path");
  if (!method || method->empty() || !path || !path->starts_with('/')) {
    return reject(shape, api::ApiError::bad_request, "Proxy event without httpMethod or path");
  }
  api::Request request;
  request.method = std::string(*method);
  request.target = encoded_path(*path);
  HeaderList params;
  collect_pairs(object_member(event, "queryStringParameters"),
                object_member(event, "multiValueQueryStringParameters"), params);
  if (!params.empty()) {
    request.target += '?';
    request.target += alb ? join_query(params) : encode_query(params);
  }
  HeaderList headers;
  collect_pairs(object_member(event, "headers"), multi_headers, headers);
  headers = lower_names(std::move(headers));
  fill_from_headers(request, headers);
  if (alb) {
    request.client_address = forwarded_for(headers);
  } else if (const auto* context = object_member(event, "requestContext")) {
    if (const auto* identity = object_member(*context, "identity")) {
      if (const auto ip = string_member(*identity, "sourceIp")) request.client_address = *ip;
    }
  }
  auto body = event_body(event, shape, limits);
  if (auto* rejected = std::get_if<Rejected>(&body)) return std::move(*rejected);
  request.body = std::move(std::get<std::string>(body));
  return ProxyRequest{shape, std::move(request)};
}

bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t min = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      min = 0x10000;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // cut short
    std::uint32_t code = c & (0x3F >> extra);
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3Fu);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

std::string status_description(int status) {
  switch (status) {
    case 200:
      return "200 OK";
    case 201:
      return "201 Created";
    case 204:
      return "204 No Content";
    case 304:
      return "304 Not Modified";
    case 400:
      return "400 Bad Request";
    case 401:
      return "401 Unauthorized";
    case 403:
      return "403 Forbidden";
    case 404:
      return "404 Not Found";
    case 405:
      return "405 Method Not Allowed";
    case 409:
      return "409 Conflict";
    case 413:
      return "413 Payload Too Large";
    case 415:
      return "415 Unsupported Media Type";
    case 422:
      return "422 Unprocessable Entity";
    case 429:
      return "429 Too Many Requests";
    case 500:
      return "500 Internal Server Error";
    case 503:
      return "503 Service Unavailable";
    default:
      return std::to_string(status);
  }
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

Translation translate_event(std::string_view event_json, const EventLimits& limits) {
  if (event_json.size() > limits.max_event_bytes) {
    return Unrecognised{
        "Runtime.EventTooLarge",
        "The event is larger than " + std::to_string(limits.max_event_bytes) + " bytes"};
  }
  boost::system::error_code ec;
  const json::value parsed = json::parse(event_json, ec);
  if (ec) {
    return Unrecognised{"Runtime.MalformedEvent", "The event is not JSON: " + ec.message()};
  }
  const auto* event = parsed.if_object();
  if (event == nullptr) {
    return Unrecognised{"Runtime.UnknownEvent", "The event is not a JSON object"};
  }
  if (const auto version = string_member(*event, "version"); version && *version == "2.0") {
    return translate_v2(*event, limits);
  }
  if (member(*event, "httpMethod") != nullptr) {
    const auto* context = object_member(*event, "requestContext");
    const bool alb = context != nullptr && member(*context, "elb") != nullptr;
    return translate_v1(*event, limits, alb);
  }
  return Unrecognised{"Runtime.UnknownEvent",
                      "Not an API Gateway, function URL or ALB HTTP event (no httpMethod, no "
                      "version 2.0)"};
}

bool travels_as_text(std::string_view content_type, std::string_view body) {
  const std::string type = lower(content_type.substr(0, content_type.find(';')));
  const bool textual = type.empty() || type.starts_with("text/") || type == "application/json" ||
                       type.ends_with("+json") || type == "application/javascript" ||
                       type == "application/xml" || type.ends_with("+xml") ||
                       type == "image/svg+xml";
  return textual && is_utf8(body);
}

namespace {

// The status and headers of a proxy response in `shape` (everything but the body).
json::object response_head(const EventShape& shape, const api::Response& response) {
  // Every header of the answer, Content-Type first, as the Beast server
  // sends them (names as written by the router).
  HeaderList headers;
  if (!response.content_type.empty()) headers.emplace_back("Content-Type", response.content_type);
  for (const auto& header : response.headers) headers.push_back(header);

  json::object out;
  out["statusCode"] = response.status;
  if (shape.kind == EventKind::alb) out["statusDescription"] = status_description(response.status);

  if (shape.kind == EventKind::http_v2) {
    // 2.0: repeated values comma-joined, except Set-Cookie, which has its
    // own list (a cookie's value may hold a comma).
    json::object single;
    json::array cookies;
    for (const auto& [name, value] : headers) {
      if (lower(name) == "set-cookie") {
        cookies.emplace_back(value);
        continue;
      }
      auto found = single.find(name);
      if (found == single.end()) {
        single[name] = value;
      } else {
        std::string joined(found->value().get_string());
        joined += ",";
        joined += value;
        found->value() = joined;
      }
    }
    out["headers"] = std::move(single);
    if (!cookies.empty()) out["cookies"] = std::move(cookies);
  } else {
    // 1.0 and ALB: a header given once goes in `headers`, a repeated one in
    // `multiValueHeaders` only (API Gateway merges the two; a name in both
    // would be sent twice). An ALB with multi-value headers on reads only
    // `multiValueHeaders`.
    json::object single;
    json::object multi;
    for (const auto& header : headers) {
      const auto count = std::count_if(headers.begin(), headers.end(), [&](const auto& other) {
        return other.first == header.first;
      });
      if (count > 1 || shape.multi_value_headers) {
        auto& list = multi[header.first];
        if (!list.is_array()) list = json::array();
        list.as_array().emplace_back(header.second);
      } else {
        single[header.first] = header.second;
      }
    }
    if (!shape.multi_value_headers) out["headers"] = std::move(single);
    out["multiValueHeaders"] = std::move(multi);
  }
  return out;
}

}  // namespace

std::string render_response(const EventShape& shape, const api::Response& response) {
  json::object out = response_head(shape, response);
  const bool text = travels_as_text(response.content_type, response.body);
  out["body"] = text ? response.body : base64_encode(response.body);
  out["isBase64Encoded"] = !text;
  return json::serialize(out);
}

std::string render_stream_prelude(const EventShape& shape, const api::Response& response) {
  json::object prelude = response_head(shape, response);
  // Function URLs read `cookies` (2.0); REST APIs `multiValueHeaders`.
  if (shape.kind == EventKind::http_v2 && !prelude.contains("cookies")) {
    prelude["cookies"] = json::array();
  }
  // JSON escapes any NUL in a value, so the first NUL is the delimiter's.
  std::string out = json::serialize(prelude);
  out.append(kStreamPreludeDelimiter.size(), '\0');
  return out;
}

}  // namespace cargomon::lambda
