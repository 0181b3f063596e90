#pragma once
// Log lines on Lambda: one JSON object per line on stdout, with the request
// id of the invocation being served, so CloudWatch Logs Insights can filter
// and group them; the invocation's EMF line (emf.hpp) goes through the same
// writer, so lines of different threads never interleave.
//
// Thread safety: every member from any thread (one mutex, spdlog's sink's).

#include <memory>
#include <string>
#include <string_view>

namespace cargomon::lambda {

class LogLines {
 public:
  virtual ~LogLines() = default;
  // The request id the following log lines carry (empty: none).
  virtual void set_request_id(std::string request_id) = 0;
  // Writes `json_line` (one JSON object, no newline) as it is.
  virtual void write_line(std::string_view json_line) = 0;
};

// Makes spdlog's default logger write JSON lines to stdout; returns the
// writer for the EMF lines.
std::shared_ptr<LogLines> install_json_logs();

// {"timestamp","level","requestId","message"} for one log line (no newline).
std::string json_log_line(std::string_view timestamp, std::string_view level,
                          std::string_view request_id, std::string_view message);

}  // namespace cargomon::lambda
