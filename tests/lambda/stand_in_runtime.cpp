#include "lambda/stand_in_runtime.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace cargomon::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kPrefix = "/2018-06-01/runtime/";

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
      http::request<http::string_body> request;
      boost::system::error_code ec;
      http::read(socket, buffer, request, ec);
      if (ec) return;
      http::response<http::string_body> response = answer(request);
      response.version(request.version());
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      http::write(socket, response, ec);
      if (ec || !request.keep_alive()) return;
    }
  }

  http::response<http::string_body> answer(const http::request<http::string_body>& request) {
    const std::string target(request.target());
    http::response<http::string_body> response;
    if (!target.starts_with(kPrefix)) {
      response.result(http::status::not_found);
      return response;
    }
    const std::string path = target.substr(kPrefix.size());
    if (request.method() == http::verb::get && path == "invocation/next") {
      std::unique_lock lock(mutex);
      ++next_count;
      changed.notify_all();
      changed.wait(lock, [&] { return stopping || !queue.empty(); });
      if (stopping) {
        response.result(http::status::service_unavailable);
        return response;
      }
      const Pending pending = queue.front();
      queue.pop_front();
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
    for (const auto& field : request) {
      post.headers[lower(field.name_string())] = std::string(field.value());
    }
    if (path == "init/error") {
      post.kind = "init/error";
    } else if (path.starts_with("invocation/")) {
      const auto rest = path.substr(std::string_view("invocation/").size());
      const auto slash = rest.find('/');
      if (slash == std::string::npos) {
        response.result(http::status::not_found);
        return response;
      }
      post.request_id = rest.substr(0, slash);
      post.kind = rest.substr(slash + 1);
      if (post.kind != "response" && post.kind != "error") {
        response.result(http::status::not_found);
        return response;
      }
    } else {
      response.result(http::status::not_found);
      return response;
    }
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

  template <class Match>
  std::optional<RuntimePost> wait_post(Match match,
                                       std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex);
    std::optional<RuntimePost> found;
    changed.wait_until(lock, deadline, [&] {
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
  std::size_t next_count = 0;
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
  return impl_->wait_post([&](const RuntimePost& post) { return post.request_id == request_id; },
                          deadline);
}

std::optional<RuntimePost> StandInRuntime::wait_init_error(
    std::chrono::steady_clock::time_point deadline) {
  return impl_->wait_post([](const RuntimePost& post) { return post.kind == "init/error"; },
                          deadline);
}

std::size_t StandInRuntime::next_calls() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->next_count;
}

bool StandInRuntime::wait_next_calls(std::size_t count,
                                     std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_until(lock, deadline, [&] { return impl_->next_count >= count; });
}

}  // namespace cargomon::testing
