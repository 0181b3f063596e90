#include "lambda/json_log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace cargomon::lambda {
namespace {

std::string iso_time(spdlog::log_clock::time_point when) {
  const auto since = when.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since - seconds);
  const std::time_t t = seconds.count();
  std::tm utc{};
  gmtime_r(&t, &utc);
  std::array<char, 40> text{};
  const auto n = std::snprintf(text.data(), text.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                               utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                               utc.tm_min, utc.tm_sec, static_cast<int>(millis.count()));
  return {text.data(), n > 0 ? static_cast<std::size_t>(n) : 0};
}

class JsonSink final : public spdlog::sinks::base_sink<std::mutex>, public LogLines {
 public:
  void set_request_id(std::string request_id) override {
    const std::lock_guard lock(mutex_);
    request_id_ = std::move(request_id);
  }

  void write_line(std::string_view json_line) override {
    const std::lock_guard lock(mutex_);
    put(json_line);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const auto level = spdlog::level::to_string_view(msg.level);
    put(json_log_line(iso_time(msg.time), std::string_view(level.data(), level.size()), request_id_,
                      std::string_view(msg.payload.data(), msg.payload.size())));
  }
  void flush_() override { std::fflush(stdout); }

 private:
  // Under the mutex. One write per line, flushed: Lambda's log agent reads
  // the pipe, and a line must not wait in a buffer while the process is
  // frozen between invocations.
  static void put(std::string_view line) {
    std::string out(line);
    out += '\n';
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
  }

  std::string request_id_;
};

}  // namespace

std::string json_log_line(std::string_view timestamp, std::string_view level,
                          std::string_view request_id, std::string_view message) {
  boost::json::object line;
  line["timestamp"] = timestamp;
  line["level"] = level;
  if (!request_id.empty()) line["requestId"] = request_id;
  line["message"] = message;
  return boost::json::serialize(line);
}

std::shared_ptr<LogLines> install_json_logs() {
  auto sink = std::make_shared<JsonSink>();
  auto logger = std::make_shared<spdlog::logger>("cargomon", sink);
  logger->set_level(spdlog::get_level());
  spdlog::set_default_logger(logger);
  return sink;
}

}  // namespace cargomon::lambda
