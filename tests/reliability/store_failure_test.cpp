// When the store cannot commit, POST /registrar_pedido_entregado answers 503
// with Retry-After, nothing is acknowledged that was not stored, and the
// server recovers by itself once the cause goes away. Three causes:
// - the store reports it (the memory store behind the real Router, failing
//   on cue): every read and write path;
// - the database is locked by another process past the busy timeout (the
//   real binary; an sqlite3 connection of the test holds the write lock);
// - the disk is full (the real binary with its data directory on a small
//   tmpfs mounted in this test's own mount namespace; needs root, skipped
//   otherwise).
//
// main() below moves the whole test process into a private mount namespace
// before any thread starts, so mounts made here are invisible outside it and
// go away with it; the servers it starts inherit the namespace.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "api/bounded_executor.hpp"
#include "api/router.hpp"
#include "api/services.hpp"
#include "auth/login_throttle.hpp"
#include "auth/token.hpp"
#include "domain/business_calendar.hpp"
#include "http/server.hpp"
#include "storage/forwarding_store.hpp"
#include "storage/memory/memory_store.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace cargomon;
using cargomon::testing::HttpClient;
using cargomon::testing::ServerProcess;
using cargomon::testing::TempDir;

bool g_private_mounts = false;  // set once by main() before any test runs

constexpr const char* kPassword = "store-failure-password";

std::string order_body(const std::string& id, std::size_t lines = 1) {
  std::string products;
  for (std::size_t i = 0; i < lines; ++i) {
    if (i > 0) products += ",";
    // Long names make each order take room on disk.
    products += R"({"IdProducto":"pk)" + std::to_string(i) + R"(","producto":")" +
                std::string(150, static_cast<char>('a' + i % 26)) + R"(","precio":14.5})";
  }
  return R"({"pedido_id":")" + id +
         R"(","repartidor":{"IdRepartidor":102,"Nombre":"Carlos García"},"productos":[)" +
         products + R"(],"timestamp":"2024-09-12 03:50:58.363972"})";
}

// ---------------------------------------------------------------------------
// The store reports the failure: the Router's whole path, no process.

// The memory store, failing on cue: while `failing`, orders are refused
// (unavailable) and reads throw StoreUnavailable. Users stay readable so
// that requests get past authentication.
class SwitchableStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;

  bool failing = false;
  // The listing numbered `fail_from_list` (1 is the first) and every later one fail.
  std::optional<int> fail_from_list;
  int list_calls = 0;

  void register_order(Order order, RegisterDone done) override {
    if (failing) return done({RegisterStatus::unavailable, {}});
    ForwardingStore::register_order(std::move(order), std::move(done));
  }
  OrderPage list_orders(const OrderQuery& query) override {
    fail_if_failing();
    if (fail_from_list && ++list_calls >= *fail_from_list) {
      throw StoreUnavailable("disk I/O error");
    }
    return ForwardingStore::list_orders(query);
  }
  std::optional<Order> find_order(const std::string& id) override {
    fail_if_failing();
    return ForwardingStore::find_order(id);
  }
  std::vector<Order> orders_after(std::int64_t after, std::size_t limit) override {
    fail_if_failing();
    return ForwardingStore::orders_after(after, limit);
  }
  DayMetrics day_metrics(BusinessDay day) override {
    fail_if_failing();
    return ForwardingStore::day_metrics(day);
  }
  DayMetrics ranked_day_metrics(BusinessDay day, MetricsTop top) override {
    fail_if_failing();
    return ForwardingStore::ranked_day_metrics(day, top);
  }
  bool ready() override { return !failing && ForwardingStore::ready(); }

  // Orders stored, read past the switch.
  std::size_t stored() { return inner().orders_after(0, 1'000'000).size(); }

 private:
  void fail_if_failing() const {
    if (failing) throw StoreUnavailable("disk I/O error");
  }
};

class StoreReportsFailure : public ::testing::Test {
 protected:
  StoreReportsFailure() { memory_.create_user(User{"admin", "unused", Role::admin, false}); }

  api::Response call(const std::string& method, const std::string& target,
                     const std::string& body = "") {
    api::Request request;
    request.method = method;
    request.target = target;
    request.body = body;
    request.content_type = body.empty() ? "" : "application/json";
    request.authorization = "Bearer " + token_;
    request.accept_language = "en";  // the messages checked below are the English ones
    int answers = 0;
    api::Response response;
    router_.handle(request, [&](api::Response r) {
      ++answers;
      response = std::move(r);
    });
    EXPECT_EQ(answers, 1) << method << " " << target;
    return response;
  }

  static std::string header(const api::Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "";
  }

  BusinessCalendar calendar_{"America/Bogota"};
  FakeClock clock_{Timestamp{std::chrono::seconds{1'726'131'058}}};
  MemoryStore memory_{calendar_};
  SwitchableStore store_{memory_};
  auth::TokenService tokens_{"reliability-secret-0123456789abcdef0123456789",
                             std::chrono::seconds(1800), clock_};
  auth::LoginThrottle throttle_{clock_};
  api::InlineExecutor inline_;
  api::Services services_{calendar_, clock_,  store_,  store_,  tokens_,
                          throttle_, inline_, inline_, nullptr, {}};
  api::Router router_{services_};
  std::string token_ = tokens_.issue("admin", Role::admin);
};

TEST_F(StoreReportsFailure, AnOrderTheStoreCannotCommitIs503WithRetryAfterAndNotAcknowledged) {
  store_.failing = true;
  const auto refused = call("POST", "/registrar_pedido_entregado", order_body("p-1"));
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(header(refused, "Retry-After"), "1");
  EXPECT_NE(refused.body.find("retry with the same pedido_id"), std::string::npos) << refused.body;
  EXPECT_EQ(refused.body.find("registrado"), std::string::npos) << refused.body;
  EXPECT_EQ(store_.stored(), 0U);

  store_.failing = false;  // the cause goes away: the same order goes through, once
  const auto accepted = call("POST", "/registrar_pedido_entregado", order_body("p-1"));
  EXPECT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(call("POST", "/registrar_pedido_entregado", order_body("p-1")).status, 200);
  EXPECT_EQ(store_.stored(), 1U);
}

TEST_F(StoreReportsFailure, ReadsAndReadinessAre503WithRetryAfterWhileTheStoreFails) {
  store_.failing = true;
  for (const char* target : {"/pedidos", "/pedidos/p-1", "/metrics?fecha=2024-09-12", "/readyz",
                             "/pedidos.csv?fecha=2024-09-12"}) {
    const auto r = call("GET", target);
    EXPECT_EQ(r.status, 503) << target << ": " << r.body;
    EXPECT_EQ(header(r, "Retry-After"), "1") << target;
  }
  EXPECT_EQ(call("GET", "/healthz").status, 200);  // the process itself is fine

  store_.failing = false;
  for (const char* target :
       {"/pedidos", "/metrics?fecha=2024-09-12", "/readyz", "/pedidos.csv?fecha=2024-09-12"}) {
    EXPECT_EQ(call("GET", target).status, 200) << target;
  }
}

// A download reads the store a page at a time while it is sent: a store
// that fails after the first byte cannot turn into a 503 any more. The body
// must then end without its terminating chunk and the connection close, so
// that the client sees a truncated download, never a short file that looks
// complete.
TEST_F(StoreReportsFailure, ADownloadWhoseStoreFailsMidwayIsCutOffNotEndedEarly) {
  for (int i = 0; i < 2500; ++i) {
    ASSERT_EQ(
        call("POST", "/registrar_pedido_entregado", order_body("p-" + std::to_string(i))).status,
        200);
  }
  // Through the Router: the first piece is ready, the next read fails.
  auto download = call("GET", "/pedidos.csv?fecha=2024-09-12");
  ASSERT_EQ(download.status, 200) << download.body;
  ASSERT_TRUE(download.chunks);
  const auto first = download.chunks();
  EXPECT_EQ(std::count(first.begin(), first.end(), '\n'), 1001);  // the header, a page
  store_.failing = true;
  EXPECT_THROW(download.chunks(), StoreUnavailable);
  store_.failing = false;

  // Through the HTTP server: the head and the first page go out, then the
  // second page fails (the store's second listing from now).
  store_.list_calls = 0;
  store_.fail_from_list = 2;
  boost::asio::io_context io;
  http::ServerOptions options;
  options.port = 0;
  http::Server server(io, router_, options);
  server.start();
  std::thread runner([&io] { io.run(); });
  HttpClient client(server.local_endpoint().port());
  const auto started = std::chrono::steady_clock::now();
  const auto timeout = std::chrono::seconds(20);
  const auto raw = client.raw(
      "GET /pedidos.csv?fecha=2024-09-12 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Authorization: Bearer " +
          token_ + "\r\n\r\n",
      timeout);
  const auto took = std::chrono::steady_clock::now() - started;
  io.stop();
  runner.join();

  // The head, then exactly one whole chunk (the header row and a page), then nothing.
  const auto head_end = raw.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos) << raw.substr(0, 300);
  const auto head = raw.substr(0, head_end + 2);
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\n")) << head;
  EXPECT_NE(head.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << head;
  const auto body = raw.substr(head_end + 4);
  const auto size_end = body.find("\r\n");
  ASSERT_NE(size_end, std::string::npos);
  const auto size = std::stoul(body.substr(0, size_end), nullptr, 16);
  ASSERT_EQ(body.size(), size_end + 2 + size + 2) << "not exactly one chunk: " << body.size();
  const auto chunk = body.substr(size_end + 2, size);
  EXPECT_TRUE(chunk.starts_with("\xEF\xBB\xBFpedido_id,secuencia,"));
  EXPECT_EQ(std::count(chunk.begin(), chunk.end(), '\n'), 1001);  // the header row, a page
  EXPECT_LT(took, timeout) << "the server kept the connection open";
  EXPECT_EQ(store_.list_calls, 2);
}

// ---------------------------------------------------------------------------
// The real binary: a locked database, a full disk

class RealServer : public ::testing::Test {
 protected:
  void start(const fs::path& data_dir) {
    ServerProcess::Options options;
    options.data_dir = data_dir;
    options.env = {{"CARGOMON_ADMIN_PASSWORD", kPassword}};
    options.extra_args = {"--threads", "2"};
    server_ = std::make_unique<ServerProcess>(options);
    client_ = std::make_unique<HttpClient>(server_->port());
    const auto r = client_->post_json(
        "/token", R"({"username":"admin","password":")" + std::string(kPassword) + R"("})");
    ASSERT_EQ(r.status, 200) << r.body;
    token_ = std::string(r.json().at("access_token").as_string());
  }

  cargomon::testing::HttpResponse post(const std::string& id, std::size_t lines = 1) {
    return client_->post_json("/registrar_pedido_entregado", order_body(id, lines), token_);
  }
  int status_of(const std::string& id) { return client_->get("/pedidos/" + id, token_).status; }
  std::int64_t orders_on_the_day() {
    const auto r = client_->get("/metrics?fecha=2024-09-12", token_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().at("total_pedidos").as_int64();
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
  std::string token_;
};

TEST_F(RealServer, ALockedDatabaseIs503WithRetryAfterUntilTheLockGoes) {
  start(dir_.path() / "data");
  ASSERT_EQ(post("before").status, 200);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() / "data" / "cargomon.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  // The server waits out its busy timeout (5 s), then gives up on the batch.
  const auto refused = post("while-locked");
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_FALSE(refused.header("retry-after").empty());
  EXPECT_EQ(status_of("while-locked"), 404);  // reads go on beside the lock (WAL)
  ASSERT_EQ(sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  EXPECT_EQ(post("while-locked").status, 200);
  EXPECT_EQ(status_of("while-locked"), 200);
  EXPECT_EQ(orders_on_the_day(), 2);
  EXPECT_TRUE(server_->running());
}

// Fills `dir` with one file until the filesystem has no room left.
void fill(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  const std::string chunk(4096, 'x');
  for (;;) {
    const auto n = ::write(fd, chunk.data(), chunk.size());
    if (n < 0) {
      ASSERT_EQ(errno, ENOSPC) << std::strerror(errno);
      break;
    }
    if (n == 0) break;
  }
  ::close(fd);
}

TEST_F(RealServer, AFullDiskIs503WithRetryAfterAndNothingRefusedIsStoredUntilThereIsRoom) {
  if (!g_private_mounts) {
    GTEST_SKIP() << "needs a private mount namespace (root and unshare) for a small tmpfs";
  }
  const fs::path data = dir_.path() / "data";
  fs::create_directories(data);
  ASSERT_EQ(::mount("tmpfs", data.c_str(), "tmpfs", 0, "size=16m,mode=0700"), 0)
      << std::strerror(errno);
  struct Unmount {
    fs::path path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{data};

  start(data);
  ASSERT_EQ(post("before").status, 200);
  fill(data / "filler");

  // SQLite may still find room in pages it already has: keep registering
  // bulky orders until one cannot be stored. Each must be 200 or 503.
  std::vector<std::string> acknowledged{"before"};
  std::optional<std::string> refused;
  for (int i = 0; i < 200 && !refused; ++i) {
    const std::string id = "full-" + std::to_string(i);
    const auto r = post(id, 200);
    if (r.status == 200) {
      acknowledged.push_back(id);
    } else {
      ASSERT_EQ(r.status, 503) << r.body;
      EXPECT_FALSE(r.header("retry-after").empty());
      refused = id;
    }
  }
  ASSERT_TRUE(refused) << "the full disk never stopped an order";
  // Acknowledged ones are there; the refused one is not; the server lives.
  EXPECT_EQ(status_of(*refused), 404);
  for (const auto& id : acknowledged) EXPECT_EQ(status_of(id), 200) << id;
  EXPECT_EQ(orders_on_the_day(), static_cast<std::int64_t>(acknowledged.size()));
  EXPECT_EQ(client_->get("/healthz").status, 200);

  fs::remove(data / "filler");  // the cause goes away
  const auto retried = post(*refused, 200);
  EXPECT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(status_of(*refused), 200);
  EXPECT_EQ(orders_on_the_day(), static_cast<std::int64_t>(acknowledged.size()) + 1);

  // And it all survives a crash.
  server_->kill();
  start(data);
  for (const auto& id : acknowledged) EXPECT_EQ(status_of(id), 200) << id;
  EXPECT_EQ(status_of(*refused), 200);
  EXPECT_EQ(orders_on_the_day(), static_cast<std::int64_t>(acknowledged.size()) + 1);
}

}  // namespace

int main(int argc, char** argv) {
  // Before any thread exists: a mount namespace of our own, with nothing
  // propagating back to the host. Without the privilege, the tmpfs test skips.
  if (::unshare(CLONE_NEWNS) == 0 &&
      ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0) {
    g_private_mounts = true;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
