// The request rate limits (--user-rate-limit, --address-rate-limit) of the
// real binary: 429 with Retry-After and the IETF draft's RateLimit headers.

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <regex>

#include "fixture.hpp"

namespace cargomon::testing {
namespace {

class UserRateLimit : public ServerTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    // Half a request a second in bursts of three; no address limit, so
    // only the user's bucket is seen. No test waits for a refill.
    start({"--user-rate-limit", "0.5", "--user-rate-burst", "3", "--address-rate-limit", "0",
           "--admin-listen", "127.0.0.1:0"});
  }
};

// The status line of GET `target` sent from the loopback address `from`.
std::string status_line_from(const std::string& from, unsigned short port,
                             const std::string& target) {
  namespace asio = boost::asio;
  using tcp = asio::ip::tcp;
  asio::io_context io;
  tcp::socket socket(io);
  socket.open(tcp::v4());
  socket.bind(tcp::endpoint(asio::ip::make_address(from), 0));
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  asio::write(socket,
              asio::buffer("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::string received;
  boost::system::error_code ec;
  asio::read(socket, asio::dynamic_buffer(received), ec);  // until the server closes
  return received.substr(0, received.find("\r\n"));
}

double rate_limited(unsigned short admin_port, const std::string& scope) {
  HttpClient admin(admin_port);
  const auto text = admin.get("/metrics").body;
  const std::string series = "cargomon_rate_limited_total{scope=\"" + scope + "\"} ";
  const auto at = text.find(series);
  return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size()));
}

TEST_F(UserRateLimit, AUserPastTheBurstIsAnswered429WithWhenToRetryAndOthersAreNot) {
  // The burst: the user creation and two reads (logging in is not counted:
  // it has its own throttle).
  const auto viewer = token_for("ana", "viewer");
  ASSERT_EQ(client().get("/pedidos", admin_token()).status, 200);
  ASSERT_EQ(client().get("/pedidos", admin_token()).status, 200);

  const auto refused = client().get("/pedidos", admin_token());
  ASSERT_EQ(refused.status, 429) << refused.body;
  const int retry = std::stoi(refused.header("retry-after"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 2);  // one request back in two seconds at most
  EXPECT_EQ(refused.header("ratelimit-policy"), R"("user";q=3;w=6)");
  EXPECT_TRUE(std::regex_match(refused.header("ratelimit"), std::regex(R"("user";r=0;t=[1-6])")))
      << refused.header("ratelimit");
  EXPECT_EQ(refused.detail().find("Too many requests for this user: at most 0.5 a second, in "
                                  "bursts of 3; retry in "),
            0U)
      << refused.detail();
  // Every authenticated route counts against the same bucket.
  EXPECT_EQ(client().post_json("/registrar_pedido_entregado", "{}", admin_token()).status, 429);
  EXPECT_EQ(rate_limited(server().admin_port(), "user"), 2);

  // Another user has a bucket of its own; what needs no user is not limited.
  EXPECT_EQ(client().get("/pedidos", viewer).status, 200);
  EXPECT_EQ(client().get("/openapi.json").status, 200);
  EXPECT_EQ(client().get("/healthz").status, 200);
}

TEST(AddressRateLimit, AnAddressPastTheBurstIsAnswered429ButHealthChecksStillPass) {
  TempDir dir;
  ServerProcess::Options options;
  options.data_dir = dir.path() / "data";
  options.env = {{"CARGOMON_ADMIN_PASSWORD", kAdminPassword}};
  options.extra_args = {"--address-rate-limit", "0.25", "--address-rate-burst", "2",
                        "--user-rate-limit",    "0"};
  ServerProcess server(options);
  HttpClient client(server.port());
  ASSERT_EQ(client.get("/openapi.json").status, 200);
  ASSERT_EQ(client.get("/pedidos").status, 401);  // counted whatever the answer
  const auto refused = client.post_json("/token", R"({"username":"admin","password":"x"})");
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_GE(std::stoi(refused.header("retry-after")), 1);
  EXPECT_LE(std::stoi(refused.header("retry-after")), 4);
  EXPECT_EQ(refused.header("ratelimit-policy"), R"("address";q=2;w=8)");
  EXPECT_TRUE(std::regex_match(refused.header("ratelimit"), std::regex(R"("address";r=0;t=[1-8])")))
      << refused.header("ratelimit");
  EXPECT_NE(refused.detail().find("Too many requests from your address"), std::string::npos);
  EXPECT_EQ(refused.header("content-type"), "application/json");
  // A load balancer's checks from the same address still see the instance.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(client.get("/healthz").status, 200);
    EXPECT_EQ(client.get("/readyz").status, 200);
  }
  // Another address has its own bucket.
  EXPECT_EQ(status_line_from("127.0.0.2", server.port(), "/openapi.json"), "HTTP/1.1 200 OK");
  EXPECT_EQ(status_line_from("127.0.0.1", server.port(), "/openapi.json"),
            "HTTP/1.1 429 Too Many Requests");
}

class RateLimitDefaults : public ServerTest {};

TEST_F(RateLimitDefaults, ACouriersBurstOfAThousandQueuedOrdersIsNeverRefused) {
  // A device back online sends what it queued, as fast as it can.
  const auto courier = token_for("carlos", "courier");
  for (int i = 0; i < 1000; ++i) {
    const auto res =
        client().post_json("/registrar_pedido_entregado",
                           R"({"pedido_id": "burst-)" + std::to_string(i) +
                               R"(", "repartidor": {"IdRepartidor": 7, "Nombre": "Carlos"},
               "productos": [{"IdProducto": "pk0001", "producto": "Moneda", "precio": 1}]})",
                           courier);
    ASSERT_EQ(res.status, 200) << i << ": " << res.body;
  }
}

TEST(RateLimitSettings, ABurstBelowOneIsRefusedWithAMessage) {
  TempDir dir;
  const auto result = run_cargomon({"serve", "--listen", "127.0.0.1:0", "--data-dir",
                                    (dir.path() / "data").string(), "--user-rate-burst", "0.5"});
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("--user-rate-burst"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace cargomon::testing
