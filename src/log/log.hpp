#pragma once
// The program's one log writer: every line (spdlog's, the access log's, the
// warnings about refused requests, Lambda's EMF lines) goes through the sink
// install() puts behind spdlog's default logger, as text or as one JSON
// object per line, with its level and an RFC 3339 timestamp in UTC ("Z").
//
// Lines are bounded: a message is cut at kMaxMessage bytes and a field's
// text at kMaxField, invalid UTF-8 replaced, and control characters too
// (JSON escapes a message's), so what a client sends (a request id, a user
// name) cannot make a line long or forge another.
// Nothing here ever receives a password, a token or a body: callers pass
// route patterns, statuses and reasons from the code.
//
// Writes are synchronous: one fwrite of the whole line under the sink's
// mutex, on the thread that logs (network threads included). A line is at
// most a few KiB, so that is one write(2) to a pipe or a terminal; a
// reader that stops reading (a stuck log collector) would hold the writers,
// as it would any program writing to stderr.
//
// Thread safety: every function from any thread.

#include <spdlog/common.h>

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdio>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace cargomon::log {

enum class Format { text, json };

inline constexpr std::size_t kMaxMessage = 4096;
inline constexpr std::size_t kMaxField = 256;

// "text" or "json"; nullopt for anything else.
std::optional<Format> parse_format(std::string_view name);
// "error", "warn", "info" or "debug"; nullopt for anything else.
std::optional<spdlog::level::level_enum> parse_level(std::string_view name);
// The name a line carries: "debug", "info", "warn", "error", "fatal".
std::string_view level_name(spdlog::level::level_enum level);

// One named value of a structured line: a string or a number.
struct Field {
  Field(std::string_view name, std::string_view text)
      : key(name), value(boost::json::string_view(text.data(), text.size())) {}
  Field(std::string_view name, const char* text) : Field(name, std::string_view(text)) {}
  template <class Number>
  requires std::is_arithmetic_v<Number> Field(std::string_view name, Number number)
      : key(name), value(number) {}

  std::string_view key;
  boost::json::value value;
};

class Lines {
 public:
  virtual ~Lines() = default;
  // The request id the following lines carry when they name none (Lambda's
  // invocation id; empty: none).
  virtual void set_request_id(std::string request_id) = 0;
  // Writes `json_line` (one JSON object, no newline) as it is, flushed.
  virtual void write_line(std::string_view json_line) = 0;
};

// Makes spdlog's default logger write `format` lines of `level` and above
// to `out` (stderr for `serve`, stdout on Lambda), each flushed; returns the
// writer for raw lines.
std::shared_ptr<Lines> install(Format format, spdlog::level::level_enum level, std::FILE* out);

// A structured line: `message` with `fields` and the request's id (empty:
// the installed writer's current one), at `level`. Before install() (unit
// tests, the other commands), an spdlog line "message key=value …".
void record(spdlog::level::level_enum level, std::string_view message,
            std::initializer_list<Field> fields, std::string_view request_id = {});

// The two line formats (no newline), for the writer and its tests.
// JSON: {"timestamp","level","message","requestId"?, fields…}.
// Text: "<timestamp> <level> <message> key=value …" (values quoted when
// they hold a space or a quote).
std::string json_line(std::string_view timestamp, std::string_view level,
                      std::string_view request_id, std::string_view message,
                      std::initializer_list<Field> fields = {});
std::string text_line(std::string_view timestamp, std::string_view level,
                      std::string_view request_id, std::string_view message,
                      std::initializer_list<Field> fields = {});

// "2026-12-03T13:53:13.123Z".
std::string timestamp(std::chrono::system_clock::time_point when);

// `value` cut to `limit` bytes (at a character boundary, "..." appended) with
// control characters and invalid UTF-8 bytes replaced by '?'.
std::string bounded(std::string_view value, std::size_t limit = kMaxField);

}  // namespace cargomon::log
