// The client loop against a fake server that plays the real one's rules
// (validation, idempotency, tokens) and its failures, without sockets.

#include "sim/simulation.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <mutex>
#include <set>

#include "api/json.hpp"
#include "api/order_json.hpp"

namespace cargomon::sim {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class FakeServer {
 public:
  // Knobs, set before the run.
  std::string password = "good-password";
  std::size_t expire_tokens_every = 0;  // every N stored orders, every token stops working
  int lose_replies_after_storing = 0;   // the next N orders are stored, then the connection breaks
  int unavailable = 0;                  // the next N orders get 503 with Retry-After, not stored
  bool always_unavailable = false;
  int reject_next = 0;       // the next N orders get 422
  bool unreachable = false;  // nothing answers at all
  std::chrono::milliseconds stall_first_order{0};

  // What happened.
  std::map<std::string, std::string> stored;  // pedido_id → body
  std::size_t logins = 0;
  std::size_t order_requests = 0;

  explicit FakeServer(const Clock& clock) : clock_(clock) {}

  std::chrono::milliseconds delay_for(std::string_view target) {
    std::lock_guard lock(mutex_);
    if (target.ends_with("/registrar_pedido_entregado") && !stalled_ &&
        stall_first_order.count() > 0) {
      stalled_ = true;
      return stall_first_order;
    }
    return 0ms;
  }

  Exchange handle(std::string_view target, std::string_view bearer, std::string_view json) {
    std::lock_guard lock(mutex_);
    if (unreachable) return Exchange{std::nullopt, "connect: Connection refused"};
    if (target == "/api/token") return login(json);
    if (target != "/api/registrar_pedido_entregado") return reply(404, R"({"detail":"Not Found"})");
    ++order_requests;
    if (!valid_tokens_.contains(std::string(bearer))) {
      return reply(401, R"({"detail":"Could not validate credentials"})");
    }
    if (always_unavailable || unavailable > 0) {
      --unavailable;
      auto r = reply(503, R"({"detail":"The order was not stored"})");
      r.reply->retry_after = 1s;
      return r;
    }
    if (reject_next > 0) {
      --reject_next;
      return reply(422, R"({"detail":[{"loc":["body","productos"],"msg":"nope","type":"x"}]})");
    }
    auto parsed = api::parse_json(json);
    if (!std::holds_alternative<api::JsonNode>(parsed)) return reply(400, R"({"detail":"json"})");
    auto decoded = api::decode_order(std::get<api::JsonNode>(parsed), calendar_, clock_.now());
    if (!std::holds_alternative<Order>(decoded)) return reply(422, R"({"detail":[]})");
    const auto& order = std::get<Order>(decoded);
    const auto [it, inserted] = stored.emplace(order.order_id, std::string(json));
    if (!inserted && it->second != json) return reply(409, R"({"detail":"conflict"})");
    if (inserted && expire_tokens_every > 0 && stored.size() % expire_tokens_every == 0) {
      valid_tokens_.clear();
    }
    if (lose_replies_after_storing > 0) {
      --lose_replies_after_storing;
      return Exchange{std::nullopt, "receive: Connection reset by peer"};
    }
    return reply(200, R"({"message":"Pedido registrado exitosamente"})");
  }

 private:
  static Exchange reply(int status, std::string body) {
    return Exchange{Reply{status, std::move(body), std::nullopt}, ""};
  }

  Exchange login(std::string_view json) {
    ++logins;
    auto parsed = api::parse_json(json);
    const auto& body = std::get<api::JsonNode>(parsed);
    if (body.find("username")->text != "courier" || body.find("password")->text != password) {
      return reply(401, R"({"detail":"Incorrect username or password"})");
    }
    const std::string token = "token-" + std::to_string(logins);
    valid_tokens_.insert(token);
    return reply(200, R"({"access_token":")" + token + R"(","token_type":"bearer"})");
  }

  std::mutex mutex_;
  const Clock& clock_;
  BusinessCalendar calendar_{"America/Bogota"};
  std::set<std::string> valid_tokens_;
  bool stalled_ = false;
};

class FakeConnection final : public Connection {
 public:
  FakeConnection(asio::any_io_executor executor, FakeServer& server)
      : executor_(std::move(executor)), server_(server) {}

  asio::awaitable<Exchange> post(std::string_view target, std::string_view bearer,
                                 std::string_view json) override {
    // Yield on the way there and back, so that connections interleave as
    // they would over a network.
    co_await asio::post(executor_, asio::use_awaitable);
    if (const auto delay = server_.delay_for(target); delay.count() > 0) {
      asio::steady_timer timer(executor_, delay);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    auto exchange = server_.handle(target, bearer, json);
    co_await asio::post(executor_, asio::use_awaitable);
    co_return exchange;
  }

 private:
  asio::any_io_executor executor_;
  FakeServer& server_;
};

class FakeFactory final : public ConnectionFactory {
 public:
  explicit FakeFactory(FakeServer& server) : server_(server) {}
  std::unique_ptr<Connection> make(asio::any_io_executor executor) override {
    return std::make_unique<FakeConnection>(std::move(executor), server_);
  }

 private:
  FakeServer& server_;
};

class SimulationTest : public ::testing::Test {
 protected:
  // The orders' timestamps and the fake server's receipt times: a fixed
  // instant (2024-09-12 15:00 UTC), so no run straddles a day or depends on
  // the date. Only read once the run starts, so shared by its threads.
  FakeClock clock{
      Timestamp{std::chrono::sys_days{std::chrono::year{2024} / 9 / 12}.time_since_epoch() +
                std::chrono::hours(15)}};
  FakeServer server{clock};
  FakeFactory factory{server};
  Catalog catalog = default_catalog();

  SimulationOptions options(std::uint64_t count, std::size_t connections = 1) {
    SimulationOptions o;
    o.base_path = "/api";
    o.username = "courier";
    o.password = "good-password";
    o.period = 0ns;  // as fast as it goes
    o.connections = connections;
    o.count = count;
    o.retry.first_backoff = 0ms;  // no waiting in tests
    o.retry.max_retry_after = 0ms;
    o.choice_seed = 1;
    o.id_seed = 2;
    return o;
  }

  Summary run(SimulationOptions o) {
    Simulation simulation(std::move(o), catalog, factory, clock);
    return simulation.run();
  }
};

TEST_F(SimulationTest, RegistersTheCountOfValidOrdersAndCountsEachOnce) {
  const auto summary = run(options(50, 4));
  EXPECT_EQ(summary.fatal, "");
  EXPECT_EQ(summary.sent, 50u);
  EXPECT_EQ(summary.acknowledged, 50u);
  EXPECT_EQ(server.stored.size(), 50u);  // each generated order was valid and distinct
  EXPECT_EQ(server.order_requests, 50u);
  EXPECT_EQ(summary.rejected_total(), 0u);
  EXPECT_EQ(summary.failed, 0u);
  EXPECT_EQ(summary.retries, 0u);
  EXPECT_EQ(summary.logins, 1u);
  EXPECT_EQ(summary.latency.count(), 50u);
  EXPECT_LT(summary.max_send_lag, 5s);
}

TEST_F(SimulationTest, ARetryAfterALostAnswerIsTheSameOrderAndCountedOnce) {
  // The server stores the first order, then the connection breaks before
  // the answer arrives: the device cannot know, and sends it again.
  server.lose_replies_after_storing = 1;
  const auto summary = run(options(5));
  EXPECT_EQ(server.order_requests, 6u);
  EXPECT_EQ(server.stored.size(), 5u);  // the retry was the same pedido_id and body: no conflict
  EXPECT_EQ(summary.sent, 5u);
  EXPECT_EQ(summary.acknowledged, 5u);
  EXPECT_EQ(summary.retried_orders, 1u);
  EXPECT_EQ(summary.retries, 1u);
  EXPECT_EQ(summary.rejected_total(), 0u);
  EXPECT_EQ(summary.latency.count(), 5u);
}

TEST_F(SimulationTest, ExpiredTokensAreRenewedWithOneLoginAtATime) {
  // Every 5 stored orders every token stops working, while 4 connections
  // have requests under way: each expiry costs exactly one login.
  server.expire_tokens_every = 5;
  const auto summary = run(options(20, 4));
  EXPECT_EQ(summary.fatal, "");
  EXPECT_EQ(summary.acknowledged, 20u);
  EXPECT_EQ(server.stored.size(), 20u);
  EXPECT_EQ(summary.rejected_total(), 0u);
  EXPECT_EQ(server.logins, 4u);  // the first, then after the 5th, 10th and 15th order
  EXPECT_EQ(summary.logins, 4u);
  EXPECT_GE(summary.retries, 3u);
  EXPECT_EQ(summary.sent, 20u);
}

TEST_F(SimulationTest, BusyServerIsRetriedAndTheOrderStoredOnce) {
  server.unavailable = 3;
  const auto summary = run(options(4));
  EXPECT_EQ(summary.acknowledged, 4u);
  EXPECT_EQ(server.stored.size(), 4u);
  EXPECT_EQ(summary.retries, 3u);
  EXPECT_EQ(summary.retried_orders, 1u);  // all three 503s hit the first order
}

TEST_F(SimulationTest, GivesUpAfterTheLastAttemptAndSaysWhy) {
  server.always_unavailable = true;
  auto o = options(3);
  o.retry.max_attempts = 4;
  const auto summary = run(o);
  EXPECT_EQ(summary.acknowledged, 0u);
  EXPECT_EQ(summary.failed, 3u);
  EXPECT_EQ(summary.retries, 9u);
  EXPECT_EQ(server.order_requests, 12u);
  EXPECT_NE(summary.failed_example.find("503"), std::string::npos) << summary.failed_example;
  EXPECT_EQ(summary.latency.count(), 0u);
}

TEST_F(SimulationTest, RejectedOrdersAreCountedByStatusAndNotRetried) {
  server.reject_next = 2;
  const auto summary = run(options(6));
  EXPECT_EQ(summary.acknowledged, 4u);
  ASSERT_EQ(summary.rejected.size(), 1u);
  EXPECT_EQ(summary.rejected.at(422), 2u);
  EXPECT_EQ(summary.rejected_example.at(422), "body.productos: nope");
  EXPECT_EQ(summary.retries, 0u);
  EXPECT_EQ(server.order_requests, 6u);
}

TEST_F(SimulationTest, ARefusedLoginEndsTheRunBeforeAnyOrder) {
  server.password = "another";
  const auto summary = run(options(10, 3));
  EXPECT_NE(summary.fatal.find("refused: 401 Incorrect username or password"), std::string::npos)
      << summary.fatal;
  EXPECT_EQ(summary.sent, 0u);
  EXPECT_EQ(server.order_requests, 0u);
}

TEST_F(SimulationTest, AnUnreachableServerEndsTheRunAfterTheLoginAttempts) {
  server.unreachable = true;
  auto o = options(10);
  o.retry.max_attempts = 3;
  const auto summary = run(o);
  EXPECT_NE(summary.fatal.find("could not log in: connect: Connection refused"), std::string::npos)
      << summary.fatal;
  EXPECT_EQ(summary.logins, 3u);
  EXPECT_EQ(summary.sent, 0u);
}

TEST_F(SimulationTest, DurationBoundsTheOrdersByTheirDueTimes) {
  auto o = options(0);
  o.count.reset();
  o.period = 10ms;
  o.duration = 50ms;  // due at 0, 10, 20, 30 and 40 ms
  const auto summary = run(o);
  EXPECT_EQ(summary.sent, 5u);
  EXPECT_EQ(summary.acknowledged, 5u);
  EXPECT_EQ(summary.not_sent, 0u);
  EXPECT_GE(summary.elapsed, 40ms);
}

TEST_F(SimulationTest, NothingStartsAfterTheDurationAndTheOrdersLeftBehindAreCounted) {
  // One order every 10 ms for 100 ms, but the first answer takes 300 ms.
  server.stall_first_order = 300ms;
  auto o = options(0);
  o.count.reset();
  o.period = 10ms;
  o.duration = 100ms;
  const auto summary = run(o);
  EXPECT_EQ(summary.sent, 1u);
  EXPECT_EQ(summary.not_sent, 9u);
  EXPECT_EQ(summary.acknowledged, 1u);
  EXPECT_EQ(server.stored.size(), 1u);
}

TEST_F(SimulationTest, LatencyRunsFromTheDueTimeSoAStallIsNotHidden) {
  // 1 connection, one order due every 10 ms; the first answer takes 200 ms.
  // The nine orders behind it were due long before they could be sent.
  server.stall_first_order = 200ms;
  auto o = options(10);
  o.period = 10ms;
  const auto summary = run(o);
  ASSERT_EQ(summary.acknowledged, 10u);
  EXPECT_GE(summary.latency.min(), 100'000u);  // even the last waited 200 - 90 ms
  EXPECT_GE(summary.latency.max(), 200'000u);
  EXPECT_GE(summary.max_send_lag, 100ms);  // the second order left ~190 ms late
}

TEST_F(SimulationTest, AStopRequestEndsTheRunAfterTheOrdersUnderWay) {
  std::atomic<bool> stop{false};
  auto o = options(1'000);
  o.stop_requested = &stop;
  Simulation simulation(o, catalog, factory, clock);
  std::size_t reported = 0;
  simulation.on_order([&](const OrderReport& report) {
    EXPECT_EQ(report.status, 200);
    EXPECT_EQ(report.attempts, 1u);
    if (++reported == 3) stop = true;
  });
  const auto summary = simulation.run();
  EXPECT_EQ(summary.sent, 3u);
  EXPECT_EQ(summary.acknowledged, 3u);
  EXPECT_EQ(summary.fatal, "");
}

TEST_F(SimulationTest, SeveralThreadsShareTheScheduleAndMergeTheirCounts) {
  auto o = options(200, 6);
  o.threads = 2;
  Simulation simulation(o, catalog, factory, clock);
  std::atomic<std::uint64_t> last_progress{0};
  simulation.on_progress([&](const Progress& p) { last_progress = p.sent; });
  const auto summary = simulation.run();
  EXPECT_EQ(summary.sent, 200u);
  EXPECT_EQ(summary.acknowledged, 200u);
  EXPECT_EQ(server.stored.size(), 200u);
  EXPECT_EQ(summary.logins, 2u);  // one per thread
  EXPECT_EQ(summary.latency.count(), 200u);
  EXPECT_LE(last_progress.load(), 200u);
}

}  // namespace
}  // namespace cargomon::sim
