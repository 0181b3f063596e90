// Transport hardening against the real binary: HTTPS with modern TLS only,
// slow senders that cannot starve normal clients, a connection limit that
// refuses the excess cleanly, and login floods that cannot get past the
// throttle or starve a real login.

#include <poll.h>
#include <sys/stat.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <filesystem>
#include <fstream>

#include "fixture.hpp"
#include "net/open_file_limit.hpp"

namespace cargomon::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// One request sent by send_at_once: its bytes and the loopback address it
// comes from (any 127.x.y.z reaches a server listening on 127.0.0.1).
struct RawRequest {
  std::string bytes;
  std::string from = "127.0.0.1";
};

struct RawAnswer {
  int status = 0;  // 0: no answer before the deadline or the connection failed
  std::string retry_after;
  std::size_t arrival = 0;  // 0 for the first answer to arrive, and so on
};

// Sends every request on its own connection, all written before any answer
// is read, so that the server has them all in flight at once; returns each
// one's answer (in the order of `requests`) and the order answers arrived in.
std::vector<RawAnswer> send_at_once(unsigned short port, const std::vector<RawRequest>& requests,
                                    std::chrono::seconds deadline = std::chrono::seconds(120)) {
  asio::io_context io;
  struct Exchange {
    explicit Exchange(asio::io_context& io) : stream(io) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
  };
  std::vector<std::unique_ptr<Exchange>> exchanges;
  std::vector<RawAnswer> answers(requests.size());
  const tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port);
  for (const auto& request : requests) {
    auto& exchange = *exchanges.emplace_back(std::make_unique<Exchange>(io));
    auto& socket = exchange.stream.socket();
    socket.open(tcp::v4());
    socket.bind(tcp::endpoint(asio::ip::make_address(request.from), 0));
    socket.connect(server);
    asio::write(socket, asio::buffer(request.bytes));
  }
  std::size_t arrived = 0;
  for (std::size_t i = 0; i < exchanges.size(); ++i) {
    auto& exchange = *exchanges[i];
    exchange.stream.expires_after(deadline);
    http::async_read(exchange.stream, exchange.buffer, exchange.response,
                     [&, i](const boost::system::error_code& ec, std::size_t) {
                       if (ec) return;
                       answers[i].status = static_cast<int>(exchanges[i]->response.result_int());
                       answers[i].retry_after =
                           std::string(exchanges[i]->response[http::field::retry_after]);
                       answers[i].arrival = arrived++;
                     });
  }
  io.run();
  return answers;
}

std::string login_request(const std::string& username, const std::string& password) {
  const std::string body = R"({"username":")" + username + R"(","password":")" + password + "\"}";
  return "POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
         "Connection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

class Tls : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = (dir_.path() / "cert.pem").string();
    key_ = (dir_.path() / "key.pem").string();
    const std::string make_cert =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
        key_ + " -out " + cert_ + " 2>/dev/null";
    ASSERT_EQ(std::system(make_cert.c_str()), 0) << "openssl is needed to make a test certificate";
    ServerProcess::Options options;
    options.data_dir = dir_.path() / "data";
    options.env = {{"CARGOMON_ADMIN_PASSWORD", kAdminPassword}};
    options.extra_args = {"--tls-cert", cert_, "--tls-key", key_};
    server_ = std::make_unique<ServerProcess>(options);
  }

  // GET over TLS with the given client method; returns status and HSTS
  // header, or throws when the handshake fails.
  std::pair<int, std::string> get(asio::ssl::context::method method, const std::string& target) {
    asio::io_context io;
    asio::ssl::context ctx(method);
    ctx.load_verify_file(cert_);
    ctx.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
    beast::get_lowest_layer(stream).connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    stream.handshake(asio::ssl::stream_base::client);
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    return {static_cast<int>(res.result_int()),
            std::string(res[http::field::strict_transport_security])};
  }

  TempDir dir_;
  std::string cert_, key_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(Tls, ServesHttpsWithHsts) {
  const auto [status, hsts] = get(asio::ssl::context::tls_client, "/healthz");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(hsts, "max-age=31536000");
}

TEST_F(Tls, RefusesTls11) {
  EXPECT_ANY_THROW(get(asio::ssl::context::tlsv11_client, "/healthz"));
  // And stays healthy for modern clients.
  EXPECT_EQ(get(asio::ssl::context::tlsv12_client, "/healthz").first, 200);
}

TEST_F(Tls, PlainHttpIsNotAnswered) {
  HttpClient plain(server_->port());
  const auto answer =
      plain.raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", std::chrono::seconds(2));
  EXPECT_EQ(answer.find("200 OK"), std::string::npos);
}

// A socket connected to the server from `from` (any 127.x.y.z is loopback).
tcp::socket connect_from(asio::io_context& io, const std::string& from, unsigned short port) {
  tcp::socket socket(io);
  socket.open(tcp::v4());
  socket.bind(tcp::endpoint(asio::ip::make_address(from), 0));
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  return socket;
}

// Everything the server sends until it closes (or `deadline` passes: then
// what came, and `closed` false).
struct UntilClosed {
  std::string received;
  bool closed = false;
};
UntilClosed read_until_closed(tcp::socket& socket, std::chrono::steady_clock::time_point deadline) {
  UntilClosed result;
  socket.non_blocking(true);
  while (std::chrono::steady_clock::now() < deadline) {
    std::array<char, 4096> bytes{};
    boost::system::error_code ec;
    const auto n = socket.read_some(asio::buffer(bytes), ec);
    result.received.append(bytes.data(), n);
    if (ec == asio::error::would_block) {
      ::pollfd watch{socket.native_handle(), POLLIN, 0};
      ::poll(&watch, 1, 100);
      continue;
    }
    if (ec) {
      result.closed = true;
      break;
    }
  }
  return result;
}

class SlowClients : public ServerTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    // Long enough for the dribblers to outlast the test (the deadline has
    // its own suite below).
    start({"--first-request-timeout", "120"});
  }
};

TEST_F(SlowClients, AThousandDribblingConnectionsDoNotStopANormalClient) {
  net::raise_open_file_limit();
  asio::io_context io;
  std::vector<tcp::socket> dribblers;
  dribblers.reserve(1000);
  for (int i = 0; i < 1000; ++i) {
    // From ten addresses, each under its connection cap.
    dribblers.push_back(connect_from(io, "127.0.1." + std::to_string(1 + i % 10), server().port()));
    asio::write(dribblers.back(), asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHo")));
  }
  // Another byte each: still incomplete requests, still connected.
  for (auto& socket : dribblers) asio::write(socket, asio::buffer(std::string("s")));

  HttpClient normal(server().port());
  const auto token = normal.login("admin", kAdminPassword);
  EXPECT_EQ(normal.get("/metrics", token).status, 200);
  EXPECT_EQ(normal.get("/healthz").status, 200);

  // The slow senders are still being waited for, not dropped wholesale.
  std::size_t open = 0;
  for (auto& socket : dribblers) {
    socket.non_blocking(true);
    char byte;
    boost::system::error_code ec;
    socket.read_some(asio::buffer(&byte, 1), ec);
    open += ec == asio::error::would_block;
  }
  EXPECT_EQ(open, dribblers.size());
}

class ConnectionLimit : public ServerTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    start({"--max-connections", "20"});
  }
};

TEST_F(ConnectionLimit, ConnectionsBeyondTheLimitAre503AndTheServerRecovers) {
  asio::io_context io;
  std::vector<tcp::socket> held;
  for (int i = 0; i < 19; ++i) {  // the fixture's client holds one more
    held.emplace_back(io);
    held.back().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server().port()));
  }
  // Each connection is counted once the server accepted it: poll until the
  // 21st is refused.
  std::string refused;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (refused.find("503") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    refused = HttpClient(server().port())
                  .raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", std::chrono::seconds(2));
  }
  EXPECT_NE(refused.find("503 Service Unavailable"), std::string::npos) << refused;
  EXPECT_NE(refused.find("Too many connections"), std::string::npos);
  held.clear();
  // Once the held connections close, new ones are served again.
  int status = 0;
  while (status != 200 && std::chrono::steady_clock::now() < deadline + std::chrono::seconds(10)) {
    HttpClient fresh(server().port());
    status = fresh.get("/healthz").status;
  }
  EXPECT_EQ(status, 200);
}

class ConnectionsPerAddress : public ServerTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    start({"--max-connections", "20", "--max-connections-per-address", "8",
           "--first-request-timeout", "120"});
  }
};

TEST_F(ConnectionsPerAddress, SilentSocketsFromOneAddressLeaveTheOthersServed) {
  // The attack of the issue: an address opens as many silent sockets as the
  // server has slots. Without a cap per address /healthz then answers 503.
  asio::io_context io;
  std::vector<tcp::socket> silent;
  for (int i = 0; i < 19; ++i) silent.push_back(connect_from(io, "127.0.0.2", server().port()));
  // Only the first 8 are held; the others are answered 429 and closed.
  std::size_t refused = 0;
  for (auto& socket : silent) {
    const auto answer = read_until_closed(
        socket, std::chrono::steady_clock::now() + std::chrono::milliseconds(300));
    if (answer.received.find("429 Too Many Requests") != std::string::npos) {
      EXPECT_NE(answer.received.find("Too many open connections from your address"),
                std::string::npos)
          << answer.received;
      EXPECT_NE(answer.received.find("Retry-After: 10"), std::string::npos) << answer.received;
      ++refused;
    }
  }
  EXPECT_EQ(refused, 19u - 8u);
  // Everyone else still gets in.
  HttpClient other(server().port());
  EXPECT_EQ(other.get("/healthz").status, 200);
  // The slots come back as the held sockets close.
  silent.clear();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  // (Once the server has seen them close: until then a batch may be refused.)
  std::size_t served = 0;
  while (served < 8 && std::chrono::steady_clock::now() < deadline) {
    std::vector<tcp::socket> batch;
    for (int i = 0; i < 8; ++i) batch.push_back(connect_from(io, "127.0.0.2", server().port()));
    served = 0;
    for (auto& socket : batch) {
      asio::write(socket, asio::buffer(std::string(
                              "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
    }
    for (auto& socket : batch) {
      served += read_until_closed(socket, deadline).received.find("200 OK") != std::string::npos;
    }
  }
  EXPECT_EQ(served, 8u);
}

class FirstRequestDeadline : public ServerTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    start({"--first-request-timeout", "1"});
  }
};

TEST_F(FirstRequestDeadline, ASocketThatSaysNothingIsClosedSoon) {
  asio::io_context io;
  auto silent = connect_from(io, "127.0.0.1", server().port());
  auto partial = connect_from(io, "127.0.0.1", server().port());
  asio::write(partial, asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHo")));
  // Far less than the 75 s idle timeout a kept-alive connection gets.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  EXPECT_TRUE(read_until_closed(silent, deadline).closed);
  EXPECT_TRUE(read_until_closed(partial, deadline).closed);
  // A connection that asks at once is served, and may then idle past the
  // first request's deadline (it has the idle timeout) and ask again.
  auto kept = connect_from(io, "127.0.0.1", server().port());
  const std::string ask = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  asio::write(kept, asio::buffer(ask));
  const auto first =
      read_until_closed(kept, std::chrono::steady_clock::now() + std::chrono::seconds(3));
  EXPECT_NE(first.received.find("200 OK"), std::string::npos) << first.received;
  EXPECT_FALSE(first.closed);
  asio::write(kept, asio::buffer(ask));
  const auto second =
      read_until_closed(kept, std::chrono::steady_clock::now() + std::chrono::seconds(1));
  EXPECT_NE(second.received.find("200 OK"), std::string::npos) << second.received;
}

class LoginFloods : public ServerTest {};

TEST_F(LoginFloods, ConcurrentWrongGuessesAreCheckedAtMostTheLimitThenTheRightOneIsRefused) {
  token_for("guessed", "viewer");
  std::vector<RawRequest> guesses(40, RawRequest{login_request("guessed", "wrong-password")});
  const auto answers = send_at_once(server().port(), guesses);
  int checked = 0;
  int throttled = 0;
  for (const auto& answer : answers) {
    checked += answer.status == 401;
    if (answer.status == 429) {
      ++throttled;
      EXPECT_FALSE(answer.retry_after.empty());
    }
  }
  // Ten failures per account and address within 5 minutes, however many
  // arrive at once: the others are refused before any password is checked.
  EXPECT_LE(checked, 10);
  EXPECT_EQ(checked + throttled, 40);
  // The limit is used up: even the right password is refused now.
  HttpClient fresh(server().port());
  EXPECT_EQ(
      fresh.post_json("/token", R"({"username":"guessed","password":"password-guessed"})").status,
      429);
}

TEST_F(LoginFloods, UnknownUserLoginsFromOneAddressDoNotStarveARealLogin) {
  // 400 logins with distinct unknown usernames from one address, then a real
  // one from another. Each unknown one costs a full Argon2 check, as a wrong
  // password does (usernames cannot be probed): one address may keep only a
  // few in flight, so the real login waits behind those few, not all 400.
  std::vector<RawRequest> requests;
  for (int i = 0; i < 400; ++i) {
    requests.push_back({login_request("nobody-" + std::to_string(i), "some-password")});
  }
  requests.push_back({login_request("admin", kAdminPassword), "127.0.0.2"});
  const auto answers = send_at_once(server().port(), requests);

  const RawAnswer& real = answers.back();
  ASSERT_EQ(real.status, 200);
  std::size_t checked_before_it = 0;
  std::size_t refused = 0;
  for (std::size_t i = 0; i + 1 < answers.size(); ++i) {
    const auto& answer = answers[i];
    if (answer.status == 401 && answer.arrival < real.arrival) ++checked_before_it;
    if (answer.status == 429 || answer.status == 503) {
      ++refused;
      EXPECT_EQ(answer.retry_after, "1") << answer.status;
    } else {
      EXPECT_EQ(answer.status, 401);
    }
  }
  // Ahead of it: the 16 the address may have in flight when the server
  // reads it, plus those checked while the server was still accepting the
  // flood (a slot that frees is taken by the next flood request read). With
  // only the hashing queue as a bound it waited behind that whole queue: 256
  // checks and more. Half of it tells the two apart with a wide margin.
  EXPECT_LE(checked_before_it, 128u);
  EXPECT_GE(refused, 300u);
}

class HttpEdges : public ServerTest {};

TEST_F(HttpEdges, AnHttp11RequestWithoutHostIs400AndHttp10NeedsNone) {
  const auto missing = client().raw("GET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_NE(missing.find("HTTP/1.1 400"), std::string::npos) << missing;
  EXPECT_NE(missing.find("Host header"), std::string::npos) << missing;
  const auto old_client = client().raw("GET /healthz HTTP/1.0\r\n\r\n");
  EXPECT_NE(old_client.find(" 200 "), std::string::npos) << old_client;
}

// A request head of exactly `size` bytes, asking to close after the answer.
std::string head_of_size(std::size_t size) {
  const std::string start = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: ";
  const std::string end = "\r\n\r\n";
  return start + std::string(size - start.size() - end.size(), 'a') + end;
}

TEST_F(HttpEdges, TheHeaderLimitIsExactWhenTheHeadArrivesInOneWrite) {
  // 16 KiB is the limit (docs/api.md); Beast alone let 24 KiB through when
  // it came in one piece.
  EXPECT_NE(client().raw(head_of_size(std::size_t{16} * 1024)).find("200 OK"), std::string::npos);
  const auto over = client().raw(head_of_size(std::size_t{16} * 1024 + 1));
  EXPECT_NE(over.find("431 Request Header Fields Too Large"), std::string::npos) << over;
  const auto far_over = client().raw(head_of_size(std::size_t{24} * 1024));
  EXPECT_NE(far_over.find("431"), std::string::npos) << far_over;
}

TEST_F(HttpEdges, HeadersOverTheLimitSentInPiecesAreAnswered431) {
  // The client is still sending when the server has seen enough: the
  // answer must reach it all the same (no reset for the unread rest).
  asio::io_context io;
  auto socket = connect_from(io, "127.0.0.1", server().port());
  socket.set_option(tcp::no_delay(true));
  const auto head = head_of_size(std::size_t{64} * 1024);
  boost::system::error_code ec;
  for (std::size_t at = 0; at < head.size() && !ec; at += 1024) {
    asio::write(socket,
                asio::buffer(head.data() + at, std::min<std::size_t>(1024, head.size() - at)), ec);
  }
  EXPECT_FALSE(ec) << "the server cut the connection while the client was sending: "
                   << ec.message();
  socket.shutdown(tcp::socket::shutdown_send, ec);
  const auto answer =
      read_until_closed(socket, std::chrono::steady_clock::now() + std::chrono::seconds(10));
  EXPECT_NE(answer.received.find("431 Request Header Fields Too Large"), std::string::npos)
      << answer.received;
  EXPECT_NE(answer.received.find("16384"), std::string::npos) << answer.received;
}

TEST_F(HttpEdges, ExpectContinueIsAnsweredBeforeTheBodyIsSent) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server().port()));
  // Without the 100 the read below ends only when the server's 30 s
  // request timeout closes the connection.
  const std::string body = R"({"username":"admin","password":"wrong-password"})";
  asio::write(socket, asio::buffer("POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                   "application/json\r\nExpect: 100-continue\r\nContent-Length: " +
                                   std::to_string(body.size()) + "\r\n\r\n"));
  std::string received;
  char chunk[512];
  boost::system::error_code ec;
  while (received.find("\r\n\r\n") == std::string::npos && !ec) {
    const auto n = socket.read_some(asio::buffer(chunk), ec);
    received.append(chunk, n);
  }
  ASSERT_EQ(received.rfind("HTTP/1.1 100 Continue\r\n", 0), 0u) << received << ec.message();
  received.erase(0, received.find("\r\n\r\n") + 4);
  asio::write(socket, asio::buffer(body));
  while (received.find("\r\n\r\n") == std::string::npos && !ec) {
    const auto n = socket.read_some(asio::buffer(chunk), ec);
    received.append(chunk, n);
  }
  EXPECT_EQ(received.rfind("HTTP/1.1 401", 0), 0u) << received;
}

// The permission bits of `path` (0 when it does not exist).
unsigned mode_of(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec) return 0;
  return static_cast<unsigned>(status.permissions() & std::filesystem::perms::all);
}

TEST(PrivateFiles, TheDataDirectoryAndDatabaseFilesAreTheOwnersOnly) {
  const TempDir dir;
  // A common umask, under which directories are 0755 and files 0644 unless
  // the server says otherwise.
  const mode_t previous = ::umask(022);
  ServerProcess::Options options;
  options.data_dir = dir.path() / "data";  // not there yet: the server creates it
  options.env = {{"CARGOMON_ADMIN_PASSWORD", kAdminPassword}};
  ServerProcess server(options);
  ::umask(previous);
  HttpClient client(server.port());
  const auto token = client.login("admin", kAdminPassword);
  const auto stored = client.post_json(
      "/registrar_pedido_entregado",
      R"({"pedido_id":"private-1","repartidor":{"IdRepartidor":1,"Nombre":"A"},"productos":[{"IdProducto":"p","producto":"x","precio":1}]})",
      token);
  ASSERT_EQ(stored.status, 200) << stored.body;

  EXPECT_EQ(mode_of(options.data_dir), 0700u);
  for (const char* name : {"cargomon.db", "cargomon.db-wal", "cargomon.db-shm", "jwt-secret"}) {
    EXPECT_EQ(mode_of(options.data_dir / name), 0600u) << name;
  }
}

TEST(PrivateFiles, ASecretFileOthersCanReadIsRefusedAtStart) {
  const TempDir dir;
  const auto secret = dir.path() / "secret";
  {
    std::ofstream out(secret);
    out << std::string(64, 'a') << "\n";
  }
  std::filesystem::permissions(
      secret, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                  std::filesystem::perms::group_read | std::filesystem::perms::others_read);
  ServerProcess::Options options;
  options.data_dir = dir.path() / "data";
  options.env = {{"CARGOMON_ADMIN_PASSWORD", kAdminPassword}};
  options.extra_args = {"--jwt-secret-file", secret.string()};
  try {
    const ServerProcess refused(options);
    ADD_FAILURE() << "started with a secret file that group and others can read";
  } catch (const std::runtime_error& e) {
    const std::string why = e.what();
    EXPECT_NE(why.find("exited before listening"), std::string::npos) << why;
    EXPECT_NE(why.find("chmod 600"), std::string::npos) << why;
  }

  // Owner-only, as a mounted secret should be: accepted.
  std::filesystem::permissions(secret, std::filesystem::perms::owner_read);
  const ServerProcess server(options);
  EXPECT_EQ(HttpClient(server.port()).get("/healthz").status, 200);
}

}  // namespace
}  // namespace cargomon::testing
