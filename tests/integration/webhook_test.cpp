// Webhooks against the real binary: a receiver on loopback inside the test
// that fails, times out and recovers; a kill -9 between an order's commit
// and its delivery; signatures checked by an independent implementation
// (python3's hmac module, not cargomon's signing code); private addresses
// refused without --webhook-allow-private.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

#include "fixture.hpp"

namespace cargomon::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

struct Delivery {
  std::string id, timestamp, signature, body;
  int answered = 0;  // the status the receiver answered, 0: none (it hung)
};

// A tiny HTTP/1.1 server on 127.0.0.1: one connection at a time, each
// request answered per `mode` and then closed.
class Receiver {
 public:
  enum class Mode { fail, hang, accept };

  Receiver() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 16) != 0) {
      throw std::runtime_error("the receiver cannot listen");
    }
    socklen_t size = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~Receiver() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  void set(Mode mode) { mode_ = mode; }
  std::vector<Delivery> seen() {
    const std::lock_guard lock(mutex_);
    return seen_;
  }
  // Polls until `done(seen())` holds, for at most `limit`.
  template <class Done>
  bool wait_for(Done done, std::chrono::seconds limit = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done(seen())) return true;
      std::this_thread::sleep_for(10ms);
    }
    return done(seen());
  }

 private:
  static std::string header(const std::string& head, const std::string& name) {
    std::string lower = head;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = lower.find("\r\n" + name + ":");
    if (at == std::string::npos) return "";
    auto start = at + name.size() + 3;
    while (start < head.size() && head[start] == ' ') ++start;
    return head.substr(start, head.find("\r\n", start) - start);
  }

  void serve() {
    while (!stopping_) {
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      std::string data;
      char buffer[4096];
      std::size_t head_end = std::string::npos;
      std::size_t length = 0;
      for (;;) {
        const auto n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        data.append(buffer, static_cast<std::size_t>(n));
        if (head_end == std::string::npos &&
            (head_end = data.find("\r\n\r\n")) != std::string::npos) {
          length = std::stoul("0" + header(data.substr(0, head_end + 2), "content-length"));
        }
        if (head_end != std::string::npos && data.size() >= head_end + 4 + length) break;
      }
      if (head_end == std::string::npos) {
        ::close(fd);
        continue;
      }
      const auto head = data.substr(0, head_end + 2);
      Delivery delivery{header(head, "webhook-id"), header(head, "webhook-timestamp"),
                        header(head, "webhook-signature"), data.substr(head_end + 4, length)};
      const auto mode = mode_.load();
      if (mode == Mode::hang) {
        // Never answers: holds the connection until the sender gives up.
        while (!stopping_ && ::read(fd, buffer, sizeof buffer) > 0) {
        }
      } else {
        delivery.answered = mode == Mode::fail ? 500 : 200;
        const std::string answer =
            mode == Mode::fail
                ? "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: "
                  "close\r\n\r\n"
                : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        (void)::write(fd, answer.data(), answer.size());
      }
      ::close(fd);
      const std::lock_guard lock(mutex_);
      seen_.push_back(std::move(delivery));
    }
  }

  int listener_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<Mode> mode_{Mode::fail};
  std::mutex mutex_;
  std::vector<Delivery> seen_;
  std::thread thread_;
};

// The Standard Webhooks check, by python3's hmac and base64 modules.
bool python_verifies(const TempDir& dir, const std::string& secret, const Delivery& d) {
  const auto body_file = dir.path() / "body.bin";
  std::ofstream(body_file, std::ios::binary) << d.body;
  const auto script = dir.path() / "verify.py";
  std::ofstream(script) << R"(import base64, hashlib, hmac, sys
secret, msg_id, stamp, signature, body_file = sys.argv[1:6]
key = base64.b64decode(secret.removeprefix("whsec_"))
body = open(body_file, "rb").read()
mac = hmac.new(key, msg_id.encode() + b"." + stamp.encode() + b"." + body, hashlib.sha256)
expected = "v1," + base64.b64encode(mac.digest()).decode()
ok = any(hmac.compare_digest(expected, s) for s in signature.split(" "))
sys.exit(0 if ok else 1)
)";
  const auto quote = [](const std::string& s) { return "'" + s + "'"; };
  const auto command = "python3 " + script.string() + " " + quote(secret) + " " + quote(d.id) +
                       " " + quote(d.timestamp) + " " + quote(d.signature) + " " +
                       body_file.string();
  return std::system(command.c_str()) == 0;
}

std::string order_body(const std::string& id) {
  return R"({"pedido_id": ")" + id +
         R"(", "repartidor": {"IdRepartidor": 7, "Nombre": "Ana Fernández"},
             "productos": [{"IdProducto": "pk0003", "producto": "Estuche", "precio": 12.5}],
             "timestamp": "2024-10-01 10:00:00"})";
}

const std::vector<std::string> kFastRetries = {"--webhook-allow-private",
                                               "--webhook-retry-base",
                                               "50",
                                               "--webhook-round",
                                               "20",
                                               "--webhook-timeout",
                                               "400"};

class WebhookTest : public ServerTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    start(kFastRetries);
  }

  // Registers `url` for pedido.registrado; returns {id, secret}.
  static std::pair<std::string, std::string> subscribe(const std::string& url) {
    const auto created = client().post_json(
        "/webhooks", R"({"url":")" + url + R"(","eventos":["pedido.registrado"]})", admin_token());
    EXPECT_EQ(created.status, 201) << created.body;
    const auto body = created.json().as_object();
    return {std::string(body.at("id").as_string()), std::string(body.at("secreto").as_string())};
  }
};

TEST_F(WebhookTest, AFailingThenHangingReceiverGetsTheOrderOnceItRecoversSignedAndWithOneId) {
  Receiver receiver;
  const auto [endpoint, secret] = subscribe(receiver.url());
  EXPECT_TRUE(secret.starts_with("whsec_"));

  // Answered at once, while the receiver refuses everything.
  const auto registered =
      client().post_json("/registrar_pedido_entregado", order_body("wh-1"), admin_token());
  ASSERT_EQ(registered.status, 200) << registered.body;

  ASSERT_TRUE(receiver.wait_for([](const auto& seen) { return seen.size() >= 2; }));
  receiver.set(Receiver::Mode::hang);
  const auto failed = receiver.seen().size();
  ASSERT_TRUE(receiver.wait_for([&](const auto& seen) { return seen.size() > failed; }));
  receiver.set(Receiver::Mode::accept);
  ASSERT_TRUE(receiver.wait_for(
      [](const auto& seen) { return !seen.empty() && seen.back().answered == 200; }));

  const auto seen = receiver.seen();
  EXPECT_EQ(seen.front().answered, 500);
  bool hung = false;
  for (const auto& delivery : seen) {
    EXPECT_EQ(delivery.id, seen.front().id) << "every retry carries the message's id";
    hung = hung || delivery.answered == 0;
  }
  EXPECT_TRUE(hung);
  const auto& delivered = seen.back();
  EXPECT_TRUE(python_verifies(*dir_, secret, delivered));
  auto tampered = delivered;
  tampered.body += " ";
  EXPECT_FALSE(python_verifies(*dir_, secret, tampered));
  const auto payload = json::parse(delivered.body).as_object();
  EXPECT_EQ(payload.at("type").as_string(), "pedido.registrado");
  EXPECT_EQ(payload.at("data").as_object().at("pedido_id").as_string(), "wh-1");
  EXPECT_EQ(payload.at("data"), client().get("/pedidos/wh-1", admin_token()).json());

  // Nothing parked: the delivery succeeded within its retries.
  const auto parked = client().get("/webhooks/" + endpoint + "/aparcados", admin_token());
  ASSERT_EQ(parked.status, 200);
  EXPECT_TRUE(parked.json().at("aparcados").as_array().empty());
  EXPECT_EQ(client()
                .request("DELETE", "/webhooks/" + endpoint, "",
                         {{"Authorization", "Bearer " + admin_token()}})
                .status,
            204);
}

TEST_F(WebhookTest, AnOrderCommittedBeforeAKill9IsDeliveredAfterTheRestart) {
  Receiver receiver;
  const auto [endpoint, secret] = subscribe(receiver.url());
  ASSERT_EQ(client()
                .post_json("/registrar_pedido_entregado", order_body("wh-kill"), admin_token())
                .status,
            200);
  // Attempted, refused: committed and not delivered when the server dies.
  ASSERT_TRUE(receiver.wait_for([](const auto& seen) { return !seen.empty(); }));
  server().kill();
  const auto before = receiver.seen();
  receiver.set(Receiver::Mode::accept);
  start(kFastRetries);
  ASSERT_TRUE(receiver.wait_for(
      [](const auto& seen) { return !seen.empty() && seen.back().answered == 200; }));
  const auto delivered = receiver.seen().back();
  EXPECT_EQ(delivered.id, before.front().id);
  EXPECT_TRUE(python_verifies(*dir_, secret, delivered));
  EXPECT_EQ(json::parse(delivered.body).at("data").at("pedido_id").as_string(), "wh-kill");
  client().request("DELETE", "/webhooks/" + endpoint, "",
                   {{"Authorization", "Bearer " + admin_token()}});
}

// Retries that give up after 300 ms rather than 24 hours.
class WebhookParkingTest : public WebhookTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    auto args = kFastRetries;
    args.insert(args.end(), {"--webhook-give-up", "300"});
    start(args);
  }
};

TEST_F(WebhookParkingTest, AMessageThatKeepsFailingIsParkedThenReplayedByAnAdmin) {
  Receiver receiver;
  const auto subscribed = subscribe(receiver.url());
  const std::string endpoint = subscribed.first;
  const std::string secret = subscribed.second;
  ASSERT_EQ(client()
                .post_json("/registrar_pedido_entregado", order_body("wh-park"), admin_token())
                .status,
            200);
  const auto parked_list = [&] {
    return client().get("/webhooks/" + endpoint + "/aparcados", admin_token());
  };
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (parked_list().json().at("aparcados").as_array().empty() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  const auto parked = parked_list().json().at("aparcados").as_array();
  ASSERT_EQ(parked.size(), 1U);
  const auto delivery = std::string(parked[0].at("entrega").as_string());
  EXPECT_EQ(parked[0].at("ultimo_error").as_string(), "HTTP 500");
  EXPECT_GE(parked[0].at("intentos").as_int64(), 2);
  EXPECT_EQ(delivery, receiver.seen().front().id);

  // A later order is not held behind the parked one.
  receiver.set(Receiver::Mode::accept);
  ASSERT_EQ(client()
                .post_json("/registrar_pedido_entregado", order_body("wh-next"), admin_token())
                .status,
            200);
  ASSERT_TRUE(receiver.wait_for(
      [](const auto& seen) { return !seen.empty() && seen.back().answered == 200; }));
  EXPECT_NE(receiver.seen().back().id, delivery);

  EXPECT_EQ(client()
                .post_json("/webhooks/" + endpoint + "/aparcados/msg_missing/reenviar", "{}",
                           admin_token())
                .status,
            404);
  EXPECT_EQ(client()
                .post_json("/webhooks/" + endpoint + "/aparcados/" + delivery + "/reenviar", "{}",
                           admin_token())
                .status,
            202);
  ASSERT_TRUE(receiver.wait_for([&](const auto& seen) {
    return std::any_of(seen.begin(), seen.end(),
                       [&](const Delivery& d) { return d.id == delivery && d.answered == 200; });
  }));
  for (const auto& d : receiver.seen()) {
    if (d.id == delivery && d.answered == 200) {
      EXPECT_TRUE(python_verifies(*dir_, secret, d));
    }
  }
  const auto emptied = std::chrono::steady_clock::now() + 20s;
  while (!parked_list().json().at("aparcados").as_array().empty() &&
         std::chrono::steady_clock::now() < emptied) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(parked_list().json().at("aparcados").as_array().empty());
}

TEST_F(WebhookTest, BadEndpointsAreRefusedWith422AndNonAdminsWith403) {
  for (const char* body :
       {R"({"url":"ftp://x.example/","eventos":["pedido.registrado"]})",
        R"({"url":"https://x.example/","eventos":["pedido.borrado"]})",
        R"({"url":"https://x.example/","eventos":[]})", R"({"eventos":["pedido.registrado"]})"}) {
    EXPECT_EQ(client().post_json("/webhooks", body, admin_token()).status, 422) << body;
  }
  const auto viewer = token_for("wh-viewer", "viewer");
  EXPECT_EQ(client().get("/webhooks", viewer).status, 403);
  EXPECT_EQ(
      client()
          .post_json("/webhooks", R"({"url":"https://x.example/","eventos":["pedido.registrado"]})",
                     viewer)
          .status,
      403);
  EXPECT_EQ(client().get("/webhooks/we_missing", admin_token()).status, 404);
}

// Without --webhook-allow-private.
class WebhookPrivateTest : public ServerTest {};

TEST_F(WebhookPrivateTest, LoopbackPrivateAndPlainHttpEndpointsAreRefused) {
  for (const char* url : {"https://127.0.0.1:8443/hook", "https://10.0.0.8/hook",
                          "https://[::1]/hook", "https://169.254.169.254/latest",
                          "https://localhost/hook", "http://hooks.example.com/hook"}) {
    const auto refused = client().post_json(
        "/webhooks", std::string(R"({"url":")") + url + R"(","eventos":["pedido.registrado"]})",
        admin_token());
    EXPECT_EQ(refused.status, 422) << url;
    EXPECT_NE(refused.body.find("url"), std::string::npos) << refused.body;
  }
  EXPECT_EQ(client()
                .post_json("/webhooks",
                           R"({"url":"https://hooks.example.com/in","eventos":["dia.cerrado"]})",
                           admin_token())
                .status,
            201);
  EXPECT_EQ(client().get("/webhooks", admin_token()).json().at("webhooks").as_array().size(), 1U);
}

}  // namespace
}  // namespace cargomon::testing
