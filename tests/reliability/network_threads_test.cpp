// The network threads never wait on the store, and no failure is silent
// (issue 12, parts 1 and 2). The real Router and http::Server in this
// process, on port 0, over a store whose reads block until released or
// throw what no handler expects.

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "api/bounded_executor.hpp"
#include "api/event_feed.hpp"
#include "api/router.hpp"
#include "api/services.hpp"
#include "auth/login_throttle.hpp"
#include "auth/token.hpp"
#include "domain/business_calendar.hpp"
#include "http/server.hpp"
#include "storage/forwarding_store.hpp"
#include "storage/memory/memory_store.hpp"
#include "support/http_client.hpp"

namespace {

using namespace cargomon;
using namespace std::chrono_literals;
using cargomon::testing::EventReader;
using cargomon::testing::HttpClient;

// Neither std::exception nor StoreUnavailable: what a driver might throw.
struct DriverFault {
  int code = 7;
};

// A memory store whose order listings can be made to wait at a gate, or
// to throw.
class GatedStore final : public ForwardingStore {
 public:
  enum class Fault { none, runtime_error, unknown_type };

  using ForwardingStore::ForwardingStore;

  void close_gate() {
    const std::lock_guard lock(mutex_);
    gate_closed_ = true;
  }
  void open_gate() {
    {
      const std::lock_guard lock(mutex_);
      gate_closed_ = false;
    }
    gate_.notify_all();
  }
  int waiting() const {
    const std::lock_guard lock(mutex_);
    return waiting_;
  }
  std::atomic<Fault> fault{Fault::none};

  OrderPage list_orders(const OrderQuery& query) override {
    switch (fault.load()) {
      case Fault::runtime_error:
        throw std::runtime_error("connection to server lost in the middle of a result");
      case Fault::unknown_type:
        throw DriverFault{};
      case Fault::none:
        break;
    }
    std::unique_lock lock(mutex_);
    ++waiting_;
    gate_.wait(lock, [this] { return !gate_closed_; });
    --waiting_;
    lock.unlock();
    return ForwardingStore::list_orders(query);
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable gate_;
  bool gate_closed_ = false;
  int waiting_ = 0;
};

std::string order_body(const std::string& id) {
  return R"({"pedido_id":")" + id +
         R"(","repartidor":{"IdRepartidor":102,"Nombre":"Carlos García"},)"
         R"("productos":[{"IdProducto":"pk0001","producto":"Moneda","precio":1}],)"
         R"("timestamp":"2024-09-12 03:50:58.363972"})";
}

template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds deadline = 10s) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (predicate()) return true;
    std::this_thread::sleep_for(2ms);  // a poll, not a wait: the deadline decides
  }
  return predicate();
}

http::ServerOptions any_port() {
  http::ServerOptions options;
  options.port = 0;
  return options;
}

// The whole server in this process: two I/O threads, as on a 2-core machine.
class NetworkThreads : public ::testing::Test {
 protected:
  explicit NetworkThreads(api::ExecutorLimits store_limits = {.threads = 8, .max_queued = 64})
      : store_work_("store work", store_limits) {
    spdlog::default_logger()->sinks().push_back(log_);
    memory_.create_user(User{"admin", "unused-hash", Role::admin, false});
    server_.start();
    port_ = server_.local_endpoint().port();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~NetworkThreads() override {
    store_.open_gate();
    store_.fault = GatedStore::Fault::none;
    feed_.close_all();
    io_.stop();
    for (auto& thread : threads_) thread.join();
    store_work_.stop();
    feed_.stop();
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), log_), sinks.end());
  }
  NetworkThreads(const NetworkThreads&) = delete;
  NetworkThreads& operator=(const NetworkThreads&) = delete;
  NetworkThreads(NetworkThreads&&) = delete;
  NetworkThreads& operator=(NetworkThreads&&) = delete;

  bool logged(const std::string& text) const {
    for (const auto& line : log_->last_formatted()) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }

  // GET /pedidos on connections of their own, each in its own thread.
  std::vector<std::future<cargomon::testing::HttpResponse>> list_orders_in_background(int count) {
    std::vector<std::future<cargomon::testing::HttpResponse>> answers;
    for (int i = 0; i < count; ++i) {
      answers.push_back(std::async(std::launch::async, [this] {
        HttpClient client(port_);
        return client.get("/pedidos?limit=5", token_);
      }));
    }
    return answers;
  }

  BusinessCalendar calendar_{"America/Bogota"};
  SystemClock clock_;
  MemoryStore memory_{calendar_};
  GatedStore store_{memory_};
  auth::TokenService tokens_{"network-threads-secret-0123456789abcdef0123",
                             std::chrono::seconds(1800), clock_};
  auth::LoginThrottle throttle_{clock_};
  api::InlineExecutor hashing_;
  api::BoundedExecutor store_work_;
  api::EventFeed feed_{store_, calendar_, clock_};
  api::Services services_{calendar_, clock_,      store_,   store_, tokens_,
                          throttle_, store_work_, hashing_, &feed_, {}};
  api::Router router_{services_};
  boost::asio::io_context io_{2};
  http::Server server_{io_, router_, any_port()};
  std::vector<std::thread> threads_;
  unsigned short port_ = 0;
  std::string token_ = tokens_.issue("admin", Role::admin);
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> log_ =
      std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256);
};

TEST_F(NetworkThreads, BlockedStoreReadsLeaveHealthAndOpenStreamsServed) {
  EventReader stream(port_, token_);
  ASSERT_EQ(stream.status(), 200);
  ASSERT_TRUE(stream.next());  // today's metrics: the stream is live

  store_.close_gate();
  auto blocked = list_orders_in_background(4);  // twice the I/O threads
  ASSERT_TRUE(eventually([&] { return store_.waiting() == 4; }))
      << "only " << store_.waiting() << " reads reached the store";

  HttpClient client(port_);
  EXPECT_EQ(client.get("/healthz").status, 200);
  // The open stream still gets a new order as it happens.
  EXPECT_EQ(client.post_json("/registrar_pedido_entregado", order_body("gate-1"), token_).status,
            200);
  std::optional<EventReader::Event> event;
  while ((event = stream.next()) && event->name != "pedido") {
  }
  ASSERT_TRUE(event);
  EXPECT_NE(event->data.find("gate-1"), std::string::npos);
  for (auto& answer : blocked) {
    EXPECT_EQ(answer.wait_for(0s), std::future_status::timeout);  // still waiting at the gate
  }

  store_.open_gate();
  for (auto& answer : blocked) {
    const auto response = answer.get();
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_NE(response.body.find("gate-1"), std::string::npos);
  }
}

class FullStoreExecutor : public NetworkThreads {
 protected:
  FullStoreExecutor() : NetworkThreads({.threads = 1, .max_queued = 1}) {}
};

TEST_F(FullStoreExecutor, AnswersServiceUnavailableWithRetryAfterInsteadOfQueueing) {
  store_.close_gate();
  auto running = list_orders_in_background(1);
  ASSERT_TRUE(eventually([&] { return store_.waiting() == 1; }));
  auto queued = list_orders_in_background(1);
  ASSERT_TRUE(eventually([&] { return store_work_.queued() == 1; }));

  HttpClient client(port_);
  const auto refused = client.get("/pedidos", token_);
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.header("retry-after"), "1");
  EXPECT_NE(refused.detail().find("busy"), std::string::npos) << refused.body;
  EXPECT_EQ(client.get("/healthz").status, 200);  // needs no store thread

  store_.open_gate();
  EXPECT_EQ(running.front().get().status, 200);
  EXPECT_EQ(queued.front().get().status, 200);
}

TEST_F(NetworkThreads, UnexpectedStoreErrorsAreLogged500sAndTheServerDrains) {
  HttpClient client(port_);
  for (const auto fault : {GatedStore::Fault::runtime_error, GatedStore::Fault::unknown_type}) {
    store_.fault = fault;
    const auto response = client.get("/pedidos", token_);
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(response.detail(), "Internal Server Error");
  }
  EXPECT_TRUE(logged("connection to server lost in the middle of a result"));
  EXPECT_TRUE(logged("unexpected error of unknown type"));

  // The server goes on serving, on the same connection too.
  store_.fault = GatedStore::Fault::none;
  EXPECT_EQ(client.get("/pedidos", token_).status, 200);
  EXPECT_EQ(client.get("/healthz").status, 200);

  // Nothing is left counted in flight: a shutdown drains at once, well
  // within its grace period.
  // (The count drops just after the answer's last byte is written, so the
  // client may see the answer a moment before: poll.)
  EXPECT_TRUE(eventually([&] { return server_.requests_in_flight() == 0; }, 5s));
  std::promise<void> drained;
  server_.shutdown(30s, [&] { drained.set_value(); });
  EXPECT_EQ(drained.get_future().wait_for(5s), std::future_status::ready);
}

}  // namespace
