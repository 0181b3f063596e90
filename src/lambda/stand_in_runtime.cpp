#include "lambda/stand_in_runtime.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace cargomon::lambda {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kPrefix = "/2018-06-01/runtime/";
// A streamed response may reach Lambda's 20 MB soft limit.
constexpr std::uint64_t kBodyLimit = std::uint64_t{64} << 20;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

struct StandInRuntime::Impl {
  struct Pending {
    std::string id;
    std::string event;
    std::int64_t deadline_ms;
  };

  Impl() : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accepting = std::thread([this] { accept_loop(); });
  }

  ~Impl() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
      for (const auto& socket : open_sockets) ::shutdown(socket->native_handle(), SHUT_RDWR);
    }
    changed.notify_all();
    ::shutdown(acceptor.native_handle(), SHUT_RDWR);
    boost::system::error_code ignored;
    acceptor.close(ignored);
    accepting.join();
    for (auto& thread : serving) thread.join();
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  Impl(Impl&&) = delete;
  Impl& operator=(Impl&&) = delete;

  void accept_loop() {
    for (;;) {
      auto socket = std::make_shared<tcp::socket>(io);
      boost::system::error_code ec;
      acceptor.accept(*socket, ec);
      std::lock_guard lock(mutex);
      if (ec || stopping) return;
      open_sockets.push_back(socket);  // kept open until the end: shut down then
      serving.emplace_back([this, socket] { serve(*socket); });
    }
  }

  void serve(tcp::socket& socket) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(kBodyLimit);
      boost::system::error_code ec;
      http::read_header(socket, buffer, parser, ec);
      if (ec) return;
      const auto& head = parser.get();
      if (head.method() == http::verb::post &&
          beast::iequals(head["Lambda-Runtime-Function-Response-Mode"], "streaming")) {
        if (!receive_stream(socket, buffer, parser)) return;
        continue;
      }
      http::read(socket, buffer, parser, ec);
      if (ec) return;
      const auto received = std::chrono::steady_clock::now();
      const http::request<http::string_body> request = parser.release();
      std::optional<std::size_t> handed_out;  // the next_calls entry this answer completes
      http::response<http::string_body> response = answer(request, received, handed_out);
      response.version(request.version());
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      http::write(socket, response, ec);
      if (handed_out) {
        // The invocation starts for the function when the event is on its
        // way to it, not when it was queued (the benchmark's latencies).
        const auto written = std::chrono::steady_clock::now();
        std::lock_guard lock(mutex);
        next_calls[*handed_out].handed_out = written;
      }
      if (ec || !request.keep_alive()) return;
    }
  }

  // The post's kind and request id from its path below the prefix; nullopt
  // when it is no post the Runtime API takes.
  static std::optional<std::pair<std::string, std::string>> post_of(const std::string& path) {
    if (path == "init/error") return std::pair<std::string, std::string>{"init/error", ""};
    if (!path.starts_with("invocation/")) return std::nullopt;
    const auto rest = path.substr(std::string_view("invocation/").size());
    const auto slash = rest.find('/');
    if (slash == std::string::npos) return std::nullopt;
    std::string kind = rest.substr(slash + 1);
    if (kind != "response" && kind != "error") return std::nullopt;
    return std::pair<std::string, std::string>{std::move(kind), rest.substr(0, slash)};
  }

  // Reads a streamed response post, recording it as its chunks arrive, and
  // answers it once it has ended; false when the connection is done.
  bool receive_stream(tcp::socket& socket, beast::flat_buffer& buffer,
                      http::request_parser<http::string_body>& parser) {
    const std::string target(parser.get().target());
    const auto post_kind =
        target.starts_with(kPrefix) ? post_of(target.substr(kPrefix.size())) : std::nullopt;
    RuntimePost post;
    post.kind = post_kind ? post_kind->first : "";
    post.request_id = post_kind ? post_kind->second : "";
    post.streamed = true;
    post.complete = false;
    for (const auto& field : parser.get()) {
      post.headers[lower(field.name_string())] = std::string(field.value());
    }
    std::size_t index = 0;
    {
      std::lock_guard lock(mutex);
      index = posts.size();
      posts.push_back(post);
    }
    changed.notify_all();
    auto on_chunk = [this, index](std::uint64_t, beast::string_view, boost::system::error_code&) {
      {
        std::lock_guard lock(mutex);
        posts[index].chunks.emplace_back();
      }
      changed.notify_all();
    };
    auto on_data = [this, index](std::uint64_t, beast::string_view data,
                                 boost::system::error_code&) {
      {
        std::lock_guard lock(mutex);
        posts[index].body.append(data.data(), data.size());
        posts[index].chunks.back().append(data.data(), data.size());
      }
      changed.notify_all();
      return data.size();
    };
    parser.on_chunk_header(on_chunk);
    parser.on_chunk_body(on_data);
    boost::system::error_code ec;
    while (!parser.is_done()) {
      http::read_some(socket, buffer, parser, ec);
      if (ec) return false;
    }
    {
      std::lock_guard lock(mutex);
      auto& done = posts[index];
      // Beast adds the trailer fields to the message's: what the head lacked.
      for (const auto& field : parser.get()) {
        const std::string name = lower(field.name_string());
        if (!done.headers.contains(name)) done.trailers[name] = std::string(field.value());
      }
      done.complete = true;
      done.completed_at = std::chrono::system_clock::now();
      done.received_at = std::chrono::steady_clock::now();
    }
    changed.notify_all();
    http::response<http::string_body> response;
    response.version(parser.get().version());
    response.result(post_kind ? http::status::accepted : http::status::not_found);
    response.set(http::field::content_type, "application/json");
    response.body() = R"({"status":"OK"})";
    response.keep_alive(parser.get().keep_alive());
    response.prepare_payload();
    http::write(socket, response, ec);
    return !ec && parser.get().keep_alive();
  }

  http::response<http::string_body> answer(const http::request<http::string_body>& request,
                                           std::chrono::steady_clock::time_point received,
                                           std::optional<std::size_t>& handed_out) {
    const std::string target(request.target());
    http::response<http::string_body> response;
    if (!target.starts_with(kPrefix)) {
      response.result(http::status::not_found);
      return response;
    }
    const std::string path = target.substr(kPrefix.size());
    if (request.method() == http::verb::get && path == "invocation/next") {
      std::unique_lock lock(mutex);
      const std::size_t entry = next_calls.size();
      next_calls.push_back({received, {}, {}});
      changed.notify_all();
      changed.wait(lock, [&] { return stopping || !queue.empty(); });
      if (stopping) {
        response.result(http::status::service_unavailable);
        return response;
      }
      const Pending pending = queue.front();
      queue.pop_front();
      next_calls[entry].request_id = pending.id;
      handed_out = entry;
      response.result(http::status::ok);
      response.set("Lambda-Runtime-Aws-Request-Id", pending.id);
      response.set("Lambda-Runtime-Deadline-Ms", std::to_string(pending.deadline_ms));
      response.set("Lambda-Runtime-Invoked-Function-Arn",
                   "arn:aws:lambda:us-east-2:123456789012:function:cargomon");
      response.set("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700");
      response.set(http::field::content_type, "application/json");
      response.body() = pending.event;
      return response;
    }
    if (request.method() != http::verb::post) {
      response.result(http::status::method_not_allowed);
      return response;
    }
    RuntimePost post;
    post.body = request.body();
    post.received_at = received;
    for (const auto& field : request) {
      post.headers[lower(field.name_string())] = std::string(field.value());
    }
    const auto post_kind = post_of(path);
    if (!post_kind) {
      response.result(http::status::not_found);
      return response;
    }
    post.kind = post_kind->first;
    post.request_id = post_kind->second;
    {
      std::lock_guard lock(mutex);
      posts.push_back(std::move(post));
    }
    changed.notify_all();
    response.result(http::status::accepted);
    response.set(http::field::content_type, "application/json");
    response.body() = R"({"status":"OK"})";
    return response;
  }

  // The first post that `match`es, once there is one; `take`: the newest,
  // and emptied in the record.
  template <class Match>
  std::optional<RuntimePost> wait_post(Match match, std::chrono::steady_clock::time_point deadline,
                                       bool take = false) {
    std::unique_lock lock(mutex);
    std::optional<RuntimePost> found;
    changed.wait_until(lock, deadline, [&] {
      if (take) {
        // From the newest: the one awaited is the latest but a few, and the
        // record of a long benchmark is long (scanned under the lock the
        // serving threads need).
        const auto it = std::find_if(posts.rbegin(), posts.rend(), match);
        if (it == posts.rend()) return false;
        // Left in place, emptied: a streamed post is updated by its index.
        found = std::move(*it);
        RuntimePost taken;
        taken.kind = "taken";
        *it = std::move(taken);
        return true;
      }
      const auto it = std::find_if(posts.begin(), posts.end(), match);
      if (it == posts.end()) return false;
      found = *it;
      return true;
    });
    return found;
  }

  asio::io_context io;
  tcp::acceptor acceptor;
  std::thread accepting;
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  bool stopping = false;
  std::vector<std::shared_ptr<tcp::socket>> open_sockets;
  std::vector<std::thread> serving;
  std::deque<Pending> queue;
  std::vector<RuntimePost> posts;
  std::vector<NextCall> next_calls;
  std::size_t invocations = 0;
};

StandInRuntime::StandInRuntime() : impl_(std::make_unique<Impl>()) {}
StandInRuntime::~StandInRuntime() = default;

std::string StandInRuntime::endpoint() const {
  return "127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port());
}

std::string StandInRuntime::invoke(std::string event, std::chrono::milliseconds deadline_in) {
  const auto deadline = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch() + deadline_in)
                            .count();
  std::string id;
  {
    std::lock_guard lock(impl_->mutex);
    id = "8476a536-e9f4-11e8-9739-" + std::to_string(100'000'000'000 + ++impl_->invocations);
    impl_->queue.push_back({id, std::move(event), deadline});
  }
  impl_->changed.notify_all();
  return id;
}

std::optional<RuntimePost> StandInRuntime::wait_answer(
    const std::string& request_id, std::chrono::steady_clock::time_point deadline) {
  return impl_->wait_post(
      [&](const RuntimePost& post) { return post.request_id == request_id && post.complete; },
      deadline);
}

std::optional<RuntimePost> StandInRuntime::take_answer(
    const std::string& request_id, std::chrono::steady_clock::time_point deadline) {
  return impl_->wait_post(
      [&](const RuntimePost& post) { return post.request_id == request_id && post.complete; },
      deadline, true);
}

std::optional<RuntimePost> StandInRuntime::wait_stream(
    const std::string& request_id, const std::function<bool(const RuntimePost&)>& until,
    std::chrono::steady_clock::time_point deadline) {
  return impl_->wait_post(
      [&](const RuntimePost& post) { return post.request_id == request_id && until(post); },
      deadline);
}

std::optional<RuntimePost> StandInRuntime::wait_init_error(
    std::chrono::steady_clock::time_point deadline) {
  return impl_->wait_post([](const RuntimePost& post) { return post.kind == "init/error"; },
                          deadline);
}

std::size_t StandInRuntime::next_calls() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->next_calls.size();
}

bool StandInRuntime::wait_next_calls(std::size_t count,
                                     std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_until(lock, deadline,
                                   [&] { return impl_->next_calls.size() >= count; });
}

std::vector<NextCall> StandInRuntime::next_log() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->next_calls;
}

}  // namespace cargomon::lambda
