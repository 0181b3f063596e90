#include "log/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/json.hpp>
#include <ctime>
#include <mutex>

namespace cargomon::log {
namespace {

// The length of the well-formed UTF-8 sequence at the start of `s`; 0 when
// it is not one (a stray continuation byte, an overlong or cut sequence).
std::size_t utf8_length(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char first = byte(0);
  std::size_t n = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (first < 0x80) return 1;
  if (first >= 0xC2 && first <= 0xDF) {
    n = 2;
  } else if (first >= 0xE0 && first <= 0xEF) {
    n = 3;
    if (first == 0xE0) low = 0xA0;
    if (first == 0xED) high = 0x9F;  // no surrogates
  } else if (first >= 0xF0 && first <= 0xF4) {
    n = 4;
    if (first == 0xF0) low = 0x90;
    if (first == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < n; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return n;
}

// `value` cut to `limit` bytes at a character boundary ("..." appended),
// invalid UTF-8 bytes replaced by '?', and control characters too unless
// `keep_controls` (JSON escapes them).
std::string cut(std::string_view value, std::size_t limit, bool keep_controls) {
  std::string out;
  out.reserve(std::min(value.size(), limit + 3));
  std::size_t i = 0;
  while (i < value.size()) {
    const auto c = static_cast<unsigned char>(value[i]);
    const std::size_t n = utf8_length(value.substr(i));
    const std::size_t taken = n == 0 ? 1 : n;
    if (out.size() + taken > limit) {
      out += "...";
      break;
    }
    if (n == 0 || (!keep_controls && (c < 0x20 || c == 0x7F))) {
      out += '?';
    } else {
      out.append(value.substr(i, n));
    }
    i += taken;
  }
  return out;
}

bool needs_quotes(std::string_view text) {
  return text.empty() || text.find_first_of(" \"=") != std::string_view::npos;
}

void append_text_value(std::string& out, const boost::json::value& value) {
  if (!value.is_string()) {
    out += boost::json::serialize(value);
    return;
  }
  const std::string_view text = value.get_string();
  if (!needs_quotes(text)) {
    out += text;
    return;
  }
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

// The sink behind spdlog's default logger once install() ran.
class LineSink final : public spdlog::sinks::base_sink<std::mutex>, public Lines {
 public:
  LineSink(Format format, std::FILE* out) : format_(format), out_(out) {}

  void set_request_id(std::string request_id) override {
    const std::lock_guard lock(mutex_);
    request_id_ = bounded(request_id);
  }

  void write_line(std::string_view json_line) override {
    const std::lock_guard lock(mutex_);
    put(json_line);
  }

  // A structured line, formatted here and written under the mutex.
  void write_record(spdlog::level::level_enum level, std::string_view message,
                    std::initializer_list<Field> fields, std::string_view request_id) {
    const auto now = timestamp(std::chrono::system_clock::now());
    const std::lock_guard lock(mutex_);
    const std::string_view id = request_id.empty() ? std::string_view(request_id_) : request_id;
    put(format_ == Format::json ? json_line(now, level_name(level), id, message, fields)
                                : text_line(now, level_name(level), id, message, fields));
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string_view message(msg.payload.data(), msg.payload.size());
    const auto when = timestamp(msg.time);
    put(format_ == Format::json ? json_line(when, level_name(msg.level), request_id_, message)
                                : text_line(when, level_name(msg.level), request_id_, message));
  }
  void flush_() override { std::fflush(out_); }

 private:
  // Under the mutex. One write per line, flushed: Lambda's log agent reads
  // the pipe, and a line must not wait in a buffer while the process is
  // frozen between invocations; a crash loses no line.
  void put(std::string_view line) {
    std::string out(line);
    out += '\n';
    std::fwrite(out.data(), 1, out.size(), out_);
    std::fflush(out_);
  }

  const Format format_;
  std::FILE* const out_;
  std::string request_id_;
};

// The default logger's sink when install() made it; null otherwise (the
// default logger was replaced since, or never was).
LineSink* installed_sink() {
  const auto& sinks = spdlog::default_logger_raw()->sinks();
  return sinks.size() == 1 ? dynamic_cast<LineSink*>(sinks.front().get()) : nullptr;
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  if (name == "text") return Format::text;
  if (name == "json") return Format::json;
  return std::nullopt;
}

std::optional<spdlog::level::level_enum> parse_level(std::string_view name) {
  if (name == "error") return spdlog::level::err;
  if (name == "warn") return spdlog::level::warn;
  if (name == "info") return spdlog::level::info;
  if (name == "debug") return spdlog::level::debug;
  return std::nullopt;
}

std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
    case spdlog::level::off:
    case spdlog::level::n_levels:
      return "fatal";
  }
  return "info";
}

std::shared_ptr<Lines> install(Format format, spdlog::level::level_enum level, std::FILE* out) {
  auto sink = std::make_shared<LineSink>(format, out);
  auto logger = std::make_shared<spdlog::logger>("cargomon", sink);
  logger->set_level(level);
  spdlog::set_default_logger(logger);
  return sink;
}

void record(spdlog::level::level_enum level, std::string_view message,
            std::initializer_list<Field> fields, std::string_view request_id) {
  if (!spdlog::default_logger_raw()->should_log(level)) return;
  if (auto* sink = installed_sink()) {
    sink->write_record(level, message, fields, bounded(request_id));
    return;
  }
  std::string line(bounded(message, kMaxMessage));
  if (!request_id.empty()) line += " requestId=" + bounded(request_id);
  for (const auto& field : fields) {
    line += ' ';
    line += field.key;
    line += '=';
    append_text_value(line, field.value.is_string()
                                ? boost::json::value(bounded(field.value.get_string()))
                                : field.value);
  }
  spdlog::log(level, "{}", line);
}

std::string json_line(std::string_view timestamp, std::string_view level,
                      std::string_view request_id, std::string_view message,
                      std::initializer_list<Field> fields) {
  boost::json::object line;
  line["timestamp"] = timestamp;
  line["level"] = level;
  line["message"] = cut(message, kMaxMessage, true);
  if (!request_id.empty()) line["requestId"] = bounded(request_id);
  for (const auto& field : fields) {
    if (line.contains(field.key)) continue;  // the line's own keys stay its own
    line[field.key] = field.value.is_string()
                          ? boost::json::value(bounded(field.value.get_string()))
                          : field.value;
  }
  return boost::json::serialize(line);
}

std::string text_line(std::string_view timestamp, std::string_view level,
                      std::string_view request_id, std::string_view message,
                      std::initializer_list<Field> fields) {
  std::string line(timestamp);
  line += ' ';
  line += level;
  line += ' ';
  line += bounded(message, kMaxMessage);
  if (!request_id.empty()) {
    line += " requestId=";
    append_text_value(line, boost::json::value(bounded(request_id)));
  }
  for (const auto& field : fields) {
    line += ' ';
    line += field.key;
    line += '=';
    append_text_value(line, field.value.is_string()
                                ? boost::json::value(bounded(field.value.get_string()))
                                : field.value);
  }
  return line;
}

std::string timestamp(std::chrono::system_clock::time_point when) {
  const auto since = when.time_since_epoch();
  const auto seconds = std::chrono::floor<std::chrono::seconds>(since);
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

std::string bounded(std::string_view value, std::size_t limit) { return cut(value, limit, false); }

}  // namespace cargomon::log
