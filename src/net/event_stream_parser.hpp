#pragma once
// The one parser of Server-Sent Events in cargomon's C++ (the bench's
// freshness client and the integration tests' EventReader).
//
// Incremental parsing of a Server-Sent Events body (text/event-stream, as the
// HTML standard defines it), built for a client that follows a thousand
// streams at thousands of events per second each: bytes are read straight
// into the parser's buffer and an event's fields are handed over as views
// into it, so an event's text is never copied. Only the unfinished event at
// the end of a read is moved to the front of the buffer.
//
// Framing: lines end with LF or CRLF (a lone CR, which the standard also
// allows, is not recognized: no server we talk to sends it); `field: value`
// lines (one optional space after the colon), `:` comments, a blank line ends
// the event. As the standard says, an event without any data line is not
// dispatched, and several data lines are joined with "\n". Unlike a browser,
// `id` is the event's own id (empty when it has none), not the last one seen.
//
// Also here: the decoder of HTTP/1.1 chunked framing, for servers that send
// the stream with Transfer-Encoding: chunked (cargomon closes the connection
// instead, today).
//
// Not thread-safe: one parser per stream.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cargomon::net {

struct StreamEvent {
  std::string_view name;  // "message" when the event has no `event` field
  std::string_view id;
  std::string_view data;
};

class EventStreamParser {
 public:
  // An event still unfinished after this many bytes breaks the stream.
  static constexpr std::size_t max_event_size = std::size_t{16} << 20;

  // Room for at least `min_room` more bytes: read into it, then commit().
  std::span<char> prepare(std::size_t min_room) {
    if (buffer_.size() - size_ < min_room) buffer_.resize(size_ + min_room);
    return {buffer_.data() + size_, buffer_.size() - size_};
  }

  // Parses the `count` bytes just read into prepare()'s span, calling
  // on_event(const StreamEvent&) for every event they complete (the views are
  // valid during the call only). False once the stream is broken.
  template <class OnEvent>
  bool commit(std::size_t count, OnEvent&& on_event) {
    if (broken_) return false;
    size_ += count;
    // (memchr's pointer must not be null even for no bytes: the buffer may
    // still be empty.)
    while (const void* newline =
               scanned_ < size_ ? std::memchr(buffer_.data() + scanned_, '\n', size_ - scanned_)
                                : nullptr) {
      const std::size_t line_start = scanned_;
      std::size_t line_end = static_cast<const char*>(newline) - buffer_.data();
      scanned_ = line_end + 1;
      if (line_end > line_start && buffer_[line_end - 1] == '\r') --line_end;
      if (line_end == line_start) {
        dispatch(on_event);
        event_start_ = scanned_;
      } else {
        field(line_start, line_end);
      }
    }
    // Keep only the unfinished event, at the front (field offsets are
    // relative to its start, so they stay valid).
    if (event_start_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + event_start_, size_ - event_start_);
      size_ -= event_start_;
      scanned_ -= event_start_;
      event_start_ = 0;
    }
    if (size_ > max_event_size) broken_ = true;
    return !broken_;
  }

  // For bytes that are somewhere else already (a decoded chunk).
  template <class OnEvent>
  bool append(std::string_view bytes, OnEvent&& on_event) {
    if (bytes.empty()) return !broken_;  // an empty view's pointer may be null: no memcpy
    const auto room = prepare(bytes.size());
    std::memcpy(room.data(), bytes.data(), bytes.size());
    return commit(bytes.size(), on_event);
  }

 private:
  // A field's value: offset from the start of the current event, and length.
  struct Slice {
    std::size_t offset = 0;
    std::size_t size = 0;
  };

  std::string_view view(Slice slice) const {
    return {buffer_.data() + event_start_ + slice.offset, slice.size};
  }

  void field(std::size_t start, std::size_t end) {
    const char* line = buffer_.data() + start;
    const std::size_t length = end - start;
    if (line[0] == ':') return;  // a comment, such as the server's keep-alive
    const void* colon = std::memchr(line, ':', length);
    const std::size_t name_length =
        colon ? static_cast<std::size_t>(static_cast<const char*>(colon) - line) : length;
    std::size_t value_start = colon ? name_length + 1 : length;
    if (value_start < length && line[value_start] == ' ') ++value_start;
    const std::string_view name(line, name_length);
    const Slice value{start + value_start - event_start_, length - value_start};
    if (name == "data") {
      if (data_lines_ == 1) joined_data_.assign(view(data_));
      if (data_lines_ >= 1) {
        joined_data_ += '\n';
        joined_data_ += view(value);
      }
      data_ = value;
      ++data_lines_;
    } else if (name == "event") {
      name_ = value;
      has_name_ = true;
    } else if (name == "id") {
      id_ = value;
    }
    // `retry` and unknown fields are ignored, as the standard says.
  }

  template <class OnEvent>
  void dispatch(OnEvent& on_event) {
    if (data_lines_ > 0) {
      StreamEvent event;
      event.name = has_name_ ? view(name_) : std::string_view("message");
      event.id = view(id_);
      event.data = data_lines_ == 1 ? view(data_) : std::string_view(joined_data_);
      on_event(static_cast<const StreamEvent&>(event));
    }
    has_name_ = false;
    name_ = id_ = data_ = Slice{};
    data_lines_ = 0;
  }

  std::vector<char> buffer_;
  std::size_t size_ = 0;         // bytes in buffer_
  std::size_t scanned_ = 0;      // every line before this offset is parsed
  std::size_t event_start_ = 0;  // where the current event's first line starts
  Slice name_, id_, data_;
  bool has_name_ = false;
  std::size_t data_lines_ = 0;
  std::string joined_data_;  // only for events with several data lines
  bool broken_ = false;
};

// HTTP/1.1 chunked transfer coding: size line (hex, optional extensions),
// data, CRLF; a zero size ends the body after optional trailer lines.
class ChunkedDecoder {
 public:
  // Hands the body bytes in `input` to on_data(std::string_view). False when
  // the framing is broken.
  template <class OnData>
  bool feed(std::string_view input, OnData&& on_data) {
    while (!input.empty() && state_ != State::broken && state_ != State::done) {
      if (state_ == State::data) {
        const std::size_t take = std::min(remaining_, input.size());
        on_data(input.substr(0, take));
        input.remove_prefix(take);
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::data_end;
        continue;
      }
      // Every other state reads one line.
      const std::size_t newline = input.find('\n');
      const std::size_t take = newline == std::string_view::npos ? input.size() : newline;
      line_.append(input.substr(0, take));
      if (line_.size() > max_line) state_ = State::broken;
      if (newline == std::string_view::npos) break;
      input.remove_prefix(newline + 1);
      if (!line_.empty() && line_.back() == '\r') line_.pop_back();
      end_of_line();
      line_.clear();
    }
    return state_ != State::broken;
  }

  bool done() const { return state_ == State::done; }

 private:
  static constexpr std::size_t max_line = 4096;
  enum class State { size, data, data_end, trailer, done, broken };

  void end_of_line() {
    if (state_ == State::size) {
      std::size_t size = 0, digits = 0;
      for (const char c : line_) {
        int digit = -1;
        if (c >= '0' && c <= '9') digit = c - '0';
        if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        if (digit < 0) break;  // extensions (";name=value") and spaces end the size
        if (++digits > 15) {
          state_ = State::broken;
          return;
        }
        size = size * 16 + static_cast<std::size_t>(digit);
      }
      if (digits == 0) {
        state_ = State::broken;
      } else if (size == 0) {
        state_ = State::trailer;
      } else {
        remaining_ = size;
        state_ = State::data;
      }
    } else if (state_ == State::data_end) {
      state_ = line_.empty() ? State::size : State::broken;
    } else if (state_ == State::trailer && line_.empty()) {
      state_ = State::done;
    }
  }

  State state_ = State::size;
  std::size_t remaining_ = 0;
  std::string line_;
};

}  // namespace cargomon::net
