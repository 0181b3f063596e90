// Several `cargomon serve` instances on one PostgreSQL database behind
// Debian's haproxy, as docs/deployment.md describes them: they behave as one
// system. And a PostgreSQL server that stops and comes back during a load:
// 503 with Retry-After meanwhile, nothing acknowledged is lost, and service
// resumes by itself.
//
// Needs CARGOMON_TEST_PG_URL (scripts/with-postgres.sh sets it, as CI does);
// skipped, saying so, without it.

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <latch>
#include <mutex>
#include <set>
#include <thread>

#include "storage/postgres/throwaway_schema.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"

extern char** environ;

namespace cargomon::testing {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kAdminPassword = "correct-horse-battery";
constexpr const char* kSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

std::string order_body(const std::string& id, int courier = 7) {
  return R"({"pedido_id":")" + id + R"(","repartidor":{"IdRepartidor":)" + std::to_string(courier) +
         R"(,"Nombre":"Ana Ruiz"},"productos":[{"IdProducto":"pk0002","producto":"Tarjeta SIM","precio":5.5}]})";
}

std::int64_t post(HttpClient& client, const std::string& token, const std::string& id) {
  const auto res = client.post_json("/registrar_pedido_entregado", order_body(id), token);
  EXPECT_EQ(res.status, 200) << res.body;
  if (res.status != 200) return -1;
  return res.json().at("pedido").at("secuencia").as_int64();
}

unsigned short free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

// A child process we own: haproxy here. SIGTERM and reaped on destruction.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) pid_ = -1;
  }
  ~ChildProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  bool running() {
    int status = 0;
    return pid_ > 0 && waitpid(pid_, &status, WNOHANG) == 0;
  }

 private:
  pid_t pid_ = -1;
};

std::string haproxy_binary() {
  for (const char* path : {"/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return "";
}

// The configuration docs/deployment.md shows, with this test's ports.
std::string haproxy_config(unsigned short port, const std::vector<unsigned short>& backends) {
  std::string config =
      "global\n"
      "  maxconn 4096\n"
      "\n"
      "defaults\n"
      "  mode http\n"
      "  option http-server-close\n"
      "  timeout connect 5s\n"
      "  timeout http-request 30s\n"
      "  # Inactivity limits; SSE streams send a comment every 15 s.\n"
      "  timeout client 60s\n"
      "  timeout server 60s\n"
      "  timeout tunnel 1h\n"
      "\n"
      "frontend cargomon\n"
      "  bind 127.0.0.1:" +
      std::to_string(port) +
      "\n"
      "  default_backend cargomon_instances\n"
      "\n"
      "backend cargomon_instances\n"
      "  balance roundrobin\n"
      "  option httpchk GET /readyz\n"
      "  http-check expect status 200\n";
  char name = 'a';
  for (const auto backend : backends) {
    config += "  server " + std::string(1, name++) + " 127.0.0.1:" + std::to_string(backend) +
              " check inter 1s fall 2 rise 1\n";
  }
  return config;
}

// Reads `pedido` events with ids >= `from` until `count` arrived or the
// deadline passed. (A stream may start with orders stored by an earlier test
// just before it subscribed: the relay publishes them a moment later.)
std::vector<std::int64_t> pedido_ids(EventReader& reader, std::size_t count,
                                     std::chrono::milliseconds within, std::int64_t from = 0) {
  std::vector<std::int64_t> ids;
  const auto deadline = SteadyClock::now() + within;
  while (ids.size() < count && SteadyClock::now() < deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    const auto event = reader.next(std::max(left, 1ms));
    if (!event) break;
    if (event->name == "pedido" && std::stoll(event->id) >= from) {
      ids.push_back(std::stoll(event->id));
    }
  }
  return ids;
}

class MultiInstance : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto url = test_postgres_url();
    if (!url) return;
    dir_ = std::make_unique<TempDir>();
    schema_ = std::make_unique<ThrowawaySchema>(*url);
    // Three instances start at once on an empty database: the migrations
    // must be applied exactly once, and one admin created.
    instances_.resize(3);
    std::vector<std::thread> starting;
    std::vector<std::string> failures(3);
    for (std::size_t i = 0; i < instances_.size(); ++i) {
      starting.emplace_back([i, &failures] {
        try {
          ServerProcess::Options options;
          options.data_dir = dir_->path() / ("instance-" + std::to_string(i));
          options.extra_args = {"--store", schema_->url(), "--threads", "2"};
          options.env = {{"CARGOMON_ADMIN_PASSWORD", kAdminPassword},
                         {"CARGOMON_JWT_SECRET", kSecret}};
          instances_[i] = std::make_unique<ServerProcess>(options);
        } catch (const std::exception& e) {
          failures[i] = e.what();
        }
      });
    }
    for (auto& t : starting) t.join();
    for (const auto& failure : failures) ASSERT_EQ(failure, "");

    const auto haproxy = haproxy_binary();
    ASSERT_FALSE(haproxy.empty()) << "haproxy is not installed (scripts/install-deps.sh test)";
    std::vector<unsigned short> ports;
    for (const auto& instance : instances_) ports.push_back(instance->port());
    // The port is free when chosen; should another process take it before
    // haproxy binds it, try another.
    for (int attempt = 0; attempt < 5 && !haproxy_; ++attempt) {
      proxy_port_ = free_port();
      const auto config = dir_->path() / "haproxy.cfg";
      std::ofstream(config) << haproxy_config(proxy_port_, ports);
      auto process =
          std::make_unique<ChildProcess>(std::vector<std::string>{haproxy, "-db", "-f", config});
      // Ready when every instance answers through it (health checks passed).
      const auto deadline = SteadyClock::now() + 20s;
      int in_a_row = 0;
      while (process->running() && SteadyClock::now() < deadline && in_a_row < 6) {
        try {
          HttpClient probe(proxy_port_);
          in_a_row = probe.get("/readyz").status == 200 ? in_a_row + 1 : 0;
        } catch (const std::exception&) {
          in_a_row = 0;
          std::this_thread::sleep_for(10ms);  // poll interval, not a wait for an outcome
        }
      }
      if (in_a_row >= 6) haproxy_ = std::move(process);
    }
    ASSERT_TRUE(haproxy_) << "haproxy did not start";
    token_ = HttpClient(instances_[0]->port()).login("admin", kAdminPassword);
  }

  static void TearDownTestSuite() {
    haproxy_.reset();
    instances_.clear();
    schema_.reset();
    dir_.reset();
  }

  void SetUp() override {
    if (!test_postgres_url()) GTEST_SKIP() << kNoPostgres;
    ASSERT_TRUE(haproxy_) << "the cluster did not start";
  }

  static unsigned short port(std::size_t instance) { return instances_.at(instance)->port(); }

  inline static std::unique_ptr<TempDir> dir_;
  inline static std::unique_ptr<ThrowawaySchema> schema_;
  inline static std::vector<std::unique_ptr<ServerProcess>> instances_;
  inline static std::unique_ptr<ChildProcess> haproxy_;
  inline static unsigned short proxy_port_ = 0;
  inline static std::string token_;
};

TEST_F(MultiInstance, TheSameOrderSentToTwoInstancesAtOnceIsStoredOnce) {
  HttpClient reader(port(2));
  const auto before = reader.get("/metrics", token_).json().at("total_pedidos").as_int64();
  constexpr int kOrders = 20;
  for (int i = 0; i < kOrders; ++i) {
    const std::string id = "twice-" + std::to_string(i);
    std::latch go(2);
    std::int64_t sequence[2] = {0, 0};
    std::vector<std::thread> senders;
    for (int side = 0; side < 2; ++side) {
      senders.emplace_back([&, side] {
        HttpClient client(port(static_cast<std::size_t>(side)));
        go.arrive_and_wait();
        sequence[side] = post(client, token_, id);
      });
    }
    for (auto& t : senders) t.join();
    EXPECT_GT(sequence[0], 0);
    EXPECT_EQ(sequence[0], sequence[1]) << id << " was stored twice";
  }
  const auto after = reader.get("/metrics", token_).json().at("total_pedidos").as_int64();
  EXPECT_EQ(after - before, kOrders);
}

TEST_F(MultiInstance, MetricsAreTheSameWhicheverInstanceAnswers) {
  HttpClient proxy(proxy_port_);
  for (int i = 0; i < 9; ++i) post(proxy, token_, "spread-" + std::to_string(i));
  const auto reference = HttpClient(port(0)).get("/metrics", token_);
  ASSERT_EQ(reference.status, 200);
  EXPECT_GE(reference.json().at("total_pedidos").as_int64(), 9);
  for (std::size_t i = 1; i < instances_.size(); ++i) {
    EXPECT_EQ(HttpClient(port(i)).get("/metrics", token_).body, reference.body) << "instance " << i;
  }
  for (int i = 0; i < 3; ++i) EXPECT_EQ(proxy.get("/metrics", token_).body, reference.body);
}

TEST_F(MultiInstance, AnOrderOnAReachesAStreamOnBWithinASecond) {
  EventReader stream(port(1), token_);
  ASSERT_EQ(stream.status(), 200);
  ASSERT_TRUE(stream.next());  // the metrics snapshot: subscribed
  HttpClient a(port(0));
  for (int i = 0; i < 5; ++i) {
    const auto sent_at = SteadyClock::now();
    const auto sequence = post(a, token_, "across-" + std::to_string(i));
    const auto got = pedido_ids(stream, 1, 1000ms, sequence);
    const auto elapsed = SteadyClock::now() - sent_at;
    ASSERT_EQ(got, std::vector<std::int64_t>{sequence}) << "order " << i;
    EXPECT_LT(elapsed, 1s);
  }
}

TEST_F(MultiInstance, StreamsThroughTheProxyAreNotBuffered) {
  EventReader stream(proxy_port_, token_);
  ASSERT_EQ(stream.status(), 200);
  ASSERT_TRUE(stream.next());
  HttpClient c(port(2));
  const auto sequence = post(c, token_, "through-proxy");
  EXPECT_EQ(pedido_ids(stream, 1, 1000ms, sequence), std::vector<std::int64_t>{sequence});
}

TEST_F(MultiInstance, ResumeAfterReconnectWorksAcrossInstances) {
  std::int64_t seen = 0;
  {
    EventReader first(port(0), token_);
    ASSERT_TRUE(first.next());
    HttpClient a(port(0));
    seen = post(a, token_, "resume-seen");
    ASSERT_EQ(pedido_ids(first, 1, 2000ms, seen), std::vector<std::int64_t>{seen});
  }  // the client goes away
  std::vector<std::int64_t> missed;
  for (std::size_t i = 0; i < 6; ++i) {
    HttpClient client(port(i % 3));
    missed.push_back(post(client, token_, "resume-missed-" + std::to_string(i)));
  }
  // It comes back through another instance, then again through the proxy.
  EventReader second(port(1), token_, std::to_string(seen));
  ASSERT_EQ(second.status(), 200);
  EXPECT_EQ(pedido_ids(second, missed.size(), 3000ms), missed);

  EventReader third(proxy_port_, token_, std::to_string(missed[2]));
  ASSERT_EQ(third.status(), 200);
  EXPECT_EQ(pedido_ids(third, 3, 3000ms),
            (std::vector<std::int64_t>{missed[3], missed[4], missed[5]}));
}

TEST_F(MultiInstance, ConcurrentOrdersOnEveryInstanceReachEveryStreamInOrderNoneSkipped) {
  std::vector<std::unique_ptr<EventReader>> streams;
  for (std::size_t i = 0; i < instances_.size(); ++i) {
    streams.push_back(std::make_unique<EventReader>(port(i), token_));
    ASSERT_TRUE(streams.back()->next());
  }
  constexpr int kPerInstance = 40;
  std::vector<std::vector<std::int64_t>> sent(instances_.size());
  std::vector<std::thread> senders;
  for (std::size_t i = 0; i < instances_.size(); ++i) {
    senders.emplace_back([&, i] {
      HttpClient client(port(i));
      for (int k = 0; k < kPerInstance; ++k) {
        sent[i].push_back(
            post(client, token_, "burst-" + std::to_string(i) + "-" + std::to_string(k)));
      }
    });
  }
  for (auto& t : senders) t.join();
  std::set<std::int64_t> all;
  for (const auto& s : sent) all.insert(s.begin(), s.end());
  const std::vector<std::int64_t> expected(all.begin(), all.end());
  // A stream may also get orders stored just before it subscribed (the
  // relay publishes them a moment later): ids only increase, and every order
  // of this burst arrives, in order.
  for (std::size_t i = 0; i < streams.size(); ++i) {
    std::vector<std::int64_t> got, every;
    const auto deadline = SteadyClock::now() + 5s;
    while (got.size() < expected.size() && SteadyClock::now() < deadline) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
      const auto event = streams[i]->next(std::max(left, 1ms));
      if (!event) break;
      if (event->name != "pedido") continue;
      every.push_back(std::stoll(event->id));
      if (all.count(every.back()) != 0) got.push_back(every.back());
    }
    EXPECT_TRUE(std::is_sorted(every.begin(), every.end()) &&
                std::adjacent_find(every.begin(), every.end()) == every.end())
        << "stream " << i << ": ids must only increase";
    std::string missing;
    for (const auto id : expected) {
      if (std::find(got.begin(), got.end(), id) == got.end()) missing += std::to_string(id) + " ";
    }
    EXPECT_EQ(got, expected) << "stream " << i << ": " << got.size() << " of " << expected.size()
                             << " events; missing " << missing;
  }
}

TEST_F(MultiInstance, TokensFromOneInstanceAreAcceptedByTheOthers) {
  HttpClient a(port(0)), b(port(1)), c(port(2));
  const auto token = a.login("admin", kAdminPassword);
  EXPECT_EQ(b.get("/metrics", token).status, 200);
  EXPECT_EQ(c.get("/pedidos?limit=1", token).status, 200);
  // A user created through one instance logs in through another.
  const auto created = b.post_json(
      "/usuarios", R"({"username":"ana-multi","password":"password-ana","role":"viewer"})", token);
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(c.get("/metrics", c.login("ana-multi", "password-ana")).status, 200);
}

TEST_F(MultiInstance, UsersCanBeManagedFromTheCommandLine) {
  const auto added =
      run_cargomon({"user", "add", "cli-courier", "--role", "courier", "--store", schema_->url()},
                   "cli-password\n");
  ASSERT_EQ(added.status, 0) << added.output;
  HttpClient proxy(proxy_port_);
  const auto token = proxy.login("cli-courier", "cli-password");
  EXPECT_GT(post(proxy, token, "from-cli-courier"), 0);
  const auto listed = run_cargomon({"user", "list", "--store", schema_->url()});
  EXPECT_NE(listed.output.find("cli-courier\tcourier"), std::string::npos) << listed.output;
}

TEST_F(MultiInstance, AnInstanceWithoutASharedSecretRefusesToStart) {
  TempDir scratch;
  ServerProcess::Options options;
  options.data_dir = scratch.path() / "data";
  options.extra_args = {"--store", schema_->url()};
  EXPECT_THROW(ServerProcess{options}, std::runtime_error);
}

// A throwaway PostgreSQL server of this test's own (scripts/pg-server.sh),
// since it is stopped and started again while other tests use theirs.
class PrivatePostgres {
 public:
  PrivatePostgres() {
    url_ = run("start");
    while (!url_.empty() && url_.back() == '\n') url_.pop_back();
  }
  ~PrivatePostgres() { run("destroy"); }
  const std::string& url() const { return url_; }
  void stop() { run("stop"); }
  void start() { run("start"); }

 private:
  std::string run(const std::string& command) {
    const std::string line =
        std::string(CARGOMON_SCRIPTS_DIR) + "/pg-server.sh " + command + " " + dir_.path().string();
    std::string out;
    if (FILE* pipe = popen(line.c_str(), "r")) {
      char buffer[512];
      while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
      if (pclose(pipe) != 0) ADD_FAILURE() << line << " failed";
    }
    return out;
  }
  TempDir dir_;
  std::string url_;
};

TEST(DatabaseOutage, RefusedWith503WhileDownNothingAcknowledgedLostAndServiceResumes) {
  if (!test_postgres_url()) GTEST_SKIP() << kNoPostgres;
  PrivatePostgres postgres;
  ASSERT_FALSE(postgres.url().empty());
  TempDir dir;
  ServerProcess::Options options;
  options.data_dir = dir.path() / "data";
  options.extra_args = {"--store", postgres.url(), "--threads", "2"};
  options.env = {{"CARGOMON_ADMIN_PASSWORD", kAdminPassword}, {"CARGOMON_JWT_SECRET", kSecret}};
  ServerProcess server(options);
  const auto token = HttpClient(server.port()).login("admin", kAdminPassword);

  // A steady load for the whole test; each answer is recorded.
  std::atomic<bool> stop_load{false};
  std::atomic<int> refused{0}, wrong_refusals{0};
  std::mutex acked_mutex;
  std::vector<std::string> acked;
  std::thread load([&] {
    HttpClient client(server.port());
    for (int i = 0; !stop_load && i < 100'000; ++i) {
      const std::string id = "load-" + std::to_string(i);
      try {
        const auto res = client.post_json("/registrar_pedido_entregado", order_body(id), token);
        if (res.status == 200) {
          std::lock_guard lock(acked_mutex);
          acked.push_back(id);
        } else if (res.status == 503 && !res.header("retry-after").empty()) {
          ++refused;
        } else {
          ++wrong_refusals;
        }
      } catch (const std::exception&) {
        ++wrong_refusals;
      }
    }
  });
  const auto acked_count = [&] {
    std::lock_guard lock(acked_mutex);
    return acked.size();
  };
  const auto wait_for = [](auto condition, std::chrono::seconds within) {
    const auto deadline = SteadyClock::now() + within;
    while (!condition() && SteadyClock::now() < deadline) std::this_thread::sleep_for(5ms);
    return condition();
  };

  EXPECT_TRUE(wait_for([&] { return acked_count() >= 20; }, 10s));
  postgres.stop();
  EXPECT_TRUE(wait_for([&] { return refused.load() > 0; }, 10s)) << "no 503 while down";
  HttpClient probe(server.port());
  EXPECT_EQ(probe.get("/readyz").status, 503);
  const auto metrics_down = probe.get("/metrics", token);
  EXPECT_EQ(metrics_down.status, 503);
  EXPECT_FALSE(metrics_down.header("retry-after").empty());

  const auto acked_while_down = acked_count();
  postgres.start();
  EXPECT_TRUE(wait_for([&] { return acked_count() > acked_while_down + 20; }, 15s))
      << "orders are not accepted again after the database came back";
  stop_load = true;
  load.join();
  EXPECT_EQ(wrong_refusals.load(), 0);
  EXPECT_EQ(probe.get("/readyz").status, 200);

  // Every acknowledged order is there.
  for (const auto& id : acked) {
    ASSERT_EQ(probe.get("/pedidos/" + id, token).status, 200) << id << " was acknowledged, lost";
  }
  // And live events flow again (the relay listens again).
  EventReader stream(server.port(), token);
  ASSERT_TRUE(stream.next());
  const auto sequence = post(probe, token, "after-outage");
  // One wait with the whole deadline: the reader treats a quiet spell as the end.
  bool arrived = false;
  const auto deadline = SteadyClock::now() + 10s;
  while (!arrived && SteadyClock::now() < deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    const auto event = stream.next(std::max(left, 1ms));
    if (!event) break;
    arrived = event->name == "pedido" && event->id == std::to_string(sequence);
  }
  const auto log = server.output();
  EXPECT_TRUE(arrived) << "the stream did not resume after the outage; server log:\n"
                       << log.substr(log.size() > 4000 ? log.size() - 4000 : 0);
}

}  // namespace
}  // namespace cargomon::testing
