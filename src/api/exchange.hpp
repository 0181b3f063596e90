#pragma once
// A request in, a response out: the transport-free form every handler speaks.
// The Beast server (http/) and a Lambda proxy adapter both translate to and
// from these.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cargomon::api {

struct Request {
  std::string method;  // "GET", "POST", …
  std::string target;  // origin-form: path and query, still percent-encoded
  std::string content_type;
  std::string authorization;
  std::string origin;
  std::string accept_language;  // the language of error messages (api/language.hpp)
  std::string last_event_id;
  std::string body;
  std::string client_address;  // for throttling failed logins
  std::string request_id;      // the client's X-Request-Id, as sent (api/access_log.hpp)
  std::string user_agent;      // as sent; kept (cut short) with a signed-in session
};

class EventStream;  // live stream handed to the transport (event_feed.hpp)

// What a transport writes on a quiet event stream, and how often (`serve`
// and `lambda` alike): an SSE comment, which clients ignore, that keeps
// proxies and the client's idle timeout (the dashboard's is 45 s) from
// ending the stream.
inline constexpr std::string_view kStreamHeartbeat = ": keep-alive\n\n";
inline constexpr std::chrono::seconds kStreamHeartbeatInterval{15};

// A body produced piece by piece, for answers too large to hold in memory
// (GET /pedidos.csv). Each call returns the next piece; an empty string is
// the end of the body. It may read the store, so the transport never calls
// it itself: it asks Router::next_chunk, which runs it off the network
// threads, one call at a time, and writes each piece as it comes (HTTP/1.1
// chunked transfer encoding). If it throws, the body is incomplete: the
// transport closes the connection without ending it, so the client sees a
// truncated answer, never a short one that looks complete. A transport
// without streaming (a Lambda adapter) may collect every piece and send the
// concatenation.
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
  // A 503 because the store failed or refused the work (error_response sets
  // it for ApiError::store_unavailable), told apart from a full queue in
  // the operator's counters.
  bool store_failed = false;
  // For the log only (api/access_log.hpp), never sent: who asked (the
  // authenticated user, or the name a login tried), and, for a refusal an
  // operator should see, what it was ("token rejected: expired"), in words
  // from the code, never the client's.
  std::string user;
  std::string warning;

  Response& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// How a handler answers: exactly once, from any thread. Copies share one
// answer. An answer can never be lost: when the last copy goes away without
// having answered (a handler that forgot, a queue dropped at shutdown), it
// logs the bug and answers 500, so the client is told and the transport's
// count of requests in flight stays right. A second answer is logged and
// dropped.
class Respond {
 public:
  using Sink = std::function<void(Response)>;

  explicit Respond(Sink sink);
  void operator()(Response response) const;
  // The user the answer is logged as when it names none itself: set once
  // the request is authenticated, before its handler runs.
  void attribute_to(std::string user) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// What a transport hands each request to: the API's Router, or the admin
// listener's (api/admin_router.hpp). Both answer through `sink` exactly
// once, possibly from another thread, and never throw.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void handle(Request request, Respond::Sink sink) const = 0;
  // The next piece of a streamed body (Response::chunks), produced off the
  // network threads; `done` gets it (empty: the end), or nullopt when the
  // body cannot go on: the transport then cuts the connection.
  virtual void next_chunk(const BodyChunks& chunks,
                          std::function<void(std::optional<std::string>)> done) const = 0;
};

// Runs work that may block (the store, password hashing) away from the
// network threads. Bounded in count and in bytes: `bytes` is what the work
// holds (the request it carries); when the queue is full, try_post refuses
// the work (returns false) and the caller answers 503, so nothing waits
// without bound. Work runs at most once; work still queued when the
// executor is destroyed runs before the destructor returns.
class BlockingExecutor {
 public:
  virtual ~BlockingExecutor() = default;
  [[nodiscard]] virtual bool try_post(std::function<void()> work, std::size_t bytes) = 0;
};

}  // namespace cargomon::api
