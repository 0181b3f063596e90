#pragma once
// A request in, a response out: the transport-free form every handler speaks.
// The Beast server (http/) and a Lambda proxy adapter both translate to and
// from these.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace cargomon::api {

struct Request {
  std::string method;  // "GET", "POST", …
  std::string target;  // origin-form: path and query, still percent-encoded
  std::string content_type;
  std::string authorization;
  std::string origin;
  std::string last_event_id;
  std::string body;
  std::string client_address;  // for throttling failed logins
};

class EventStream;  // live stream handed to the transport (event_feed.hpp)

// A body produced piece by piece, for answers too large to hold in memory
// (GET /pedidos.csv). The transport calls it for the next piece, one call at
// a time, on the connection's I/O thread (it may read the store, as handlers
// do), and writes each piece as it comes (HTTP/1.1 chunked transfer
// encoding) until it returns an empty string: the end of the body. If it
// throws, the body is incomplete: the transport closes the connection
// without ending it, so the client sees a truncated answer, never a short one
// that looks complete. A transport without streaming (a Lambda adapter) may
// call it until the end and send the concatenation.
using BodyChunks = std::function<std::string()>;

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set for a Server-Sent Events answer: the transport writes the head, then
  // whatever the stream yields until it ends or the client goes away.
  std::shared_ptr<EventStream> stream;
  // Set for a streamed body: the transport writes the head, then the pieces
  // (`body` is not sent).
  BodyChunks chunks;

  Response& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// Handlers answer through this, exactly once, from any thread.
using Respond = std::function<void(Response)>;

// Runs work that may block (password hashing) away from the I/O threads.
class BlockingExecutor {
 public:
  virtual ~BlockingExecutor() = default;
  virtual void post(std::function<void()> work) = 0;
};

}  // namespace cargomon::api
