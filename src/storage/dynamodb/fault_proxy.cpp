#include "storage/dynamodb/fault_proxy.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "aws/environment.hpp"

namespace cargomon::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

http::response<http::string_body> error_answer(unsigned status, std::string_view type,
                                               std::string body_tail = "") {
  http::response<http::string_body> answer{static_cast<http::status>(status), 11};
  answer.set(http::field::content_type, "application/x-amz-json-1.0");
  answer.body() = R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + std::string(type) +
                  R"(","message":"injected by the test's proxy")" + body_tail + "}";
  answer.prepare_payload();
  return answer;
}

}  // namespace

struct FaultProxy::Impl {
  Impl(const std::string& upstream_url, Decide decide)
      : acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}), decide(std::move(decide)) {
    const auto upstream_endpoint = aws::Endpoint::parse(upstream_url);
    tcp::resolver resolver(io);
    upstream = resolver.resolve(upstream_endpoint.host, upstream_endpoint.port);
    accepting = std::thread([this] { accept_loop(); });
  }

  ~Impl() {
    {
      const std::lock_guard lock(mutex);
      stopping = true;
      // Ends the connections' blocking reads.
      boost::system::error_code ignored;
      for (auto* socket : open) socket->shutdown(tcp::socket::shutdown_both, ignored);
    }
    // Ends the blocking accept: a connection of our own, which it drops.
    try {
      asio::io_context wake_io;
      tcp::socket wake(wake_io);
      wake.connect({asio::ip::make_address("127.0.0.1"), port});
    } catch (const std::exception&) {
      // Not listening any more: the accept has already ended.
    }
    accepting.join();
    for (auto& thread : connections) thread.join();
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void accept_loop() {
    while (true) {
      auto socket = std::make_shared<tcp::socket>(io);
      boost::system::error_code ec;
      acceptor.accept(*socket, ec);
      const std::lock_guard lock(mutex);
      if (stopping || ec) return;
      open.push_back(socket.get());
      connections.emplace_back([this, socket] { serve(*socket); });
    }
  }

  void serve(tcp::socket& client) {
    beast::flat_buffer buffer;
    tcp::socket server(io);
    bool connected = false;
    beast::flat_buffer server_buffer;
    while (true) {
      http::request<http::string_body> request;
      boost::system::error_code ec;
      http::read(client, buffer, request, ec);
      if (ec) break;
      std::string operation(request["X-Amz-Target"]);
      if (const auto dot = operation.find('.'); dot != std::string::npos)
        operation.erase(0, dot + 1);
      const auto fault = decide(operation, number++);
      http::response<http::string_body> answer;
      if (fault == Fault::none || fault == Fault::lost_answer) {
        if (!connected) {
          asio::connect(server, upstream, ec);
          if (ec) break;
          connected = true;
        }
        http::write(server, request, ec);
        if (!ec) http::read(server, server_buffer, answer, ec);
        if (ec) break;
      }
      switch (fault) {
        case Fault::none:
          break;
        case Fault::throttling:
          answer = error_answer(400, "ThrottlingException");
          break;
        case Fault::provisioned:
          answer = error_answer(400, "ProvisionedThroughputExceededException");
          break;
        case Fault::transaction_conflict:
          answer = error_answer(400, "TransactionCanceledException",
                                R"(,"CancellationReasons":[{"Code":"None"},)"
                                R"({"Code":"TransactionConflict"}])");
          break;
        case Fault::server_error:
        case Fault::lost_answer:
          answer = error_answer(500, "InternalServerError");
          break;
      }
      if (fault != Fault::none) ++faulted;
      answer.keep_alive(true);
      http::write(client, answer, ec);
      if (ec) break;
    }
    const std::lock_guard lock(mutex);
    std::erase(open, &client);
  }

  asio::io_context io;
  tcp::acceptor acceptor;
  unsigned short port = acceptor.local_endpoint().port();
  tcp::resolver::results_type upstream;
  Decide decide;
  std::atomic<std::int64_t> number{0};
  std::atomic<std::int64_t> faulted{0};
  std::mutex mutex;  // guards stopping, open and connections
  bool stopping = false;
  std::vector<tcp::socket*> open;
  std::vector<std::thread> connections;
  std::thread accepting;
};

FaultProxy::FaultProxy(const std::string& upstream, Decide decide)
    : impl_(std::make_unique<Impl>(upstream, std::move(decide))) {}

FaultProxy::~FaultProxy() = default;

std::string FaultProxy::url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }

std::int64_t FaultProxy::faults() const { return impl_->faulted.load(); }

}  // namespace cargomon::testing
