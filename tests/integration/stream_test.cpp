// The live stream at the HTTP level: events arrive, resume fills gaps
// exactly, and a client that never reads holds nobody up.

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include "fixture.hpp"

namespace cargomon::testing {
namespace {

std::string order_body(const std::string& id) {
  return R"({"pedido_id":")" + id +
         R"(","repartidor":{"IdRepartidor":9,"Nombre":"Sofía Morales"},"productos":[{"IdProducto":"pk0002","producto":"Tarjeta SIM","precio":5.5}]})";
}

std::int64_t post(HttpClient& client, const std::string& token, const std::string& id) {
  const auto res = client.post_json("/registrar_pedido_entregado", order_body(id), token);
  EXPECT_EQ(res.status, 200) << res.body;
  return res.json().at("pedido").at("secuencia").as_int64();
}

class Stream : public ServerTest {};

TEST_F(Stream, RequiresAReadingRole) {
  EventReader anonymous(server().port(), "");
  EXPECT_EQ(anonymous.status(), 401);
  EventReader courier(server().port(), token_for("stream-courier", "courier"));
  EXPECT_EQ(courier.status(), 403);
}

TEST_F(Stream, StartsWithTodaysMetricsThenDeliversEachNewOrder) {
  EventReader reader(server().port(), admin_token());
  ASSERT_EQ(reader.status(), 200);
  const auto first = reader.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->name, "metrics");
  EXPECT_TRUE(boost::json::parse(first->data).as_object().contains("top_3_productos"));

  const auto seq = post(client(), admin_token(), "live-1");
  std::optional<EventReader::Event> event;
  do {
    event = reader.next();
  } while (event && event->name != "pedido");
  ASSERT_TRUE(event) << "no pedido event";
  EXPECT_EQ(event->id, std::to_string(seq));
  EXPECT_EQ(boost::json::parse(event->data).at("pedido").at("pedido_id"), "live-1");
  // Updated metrics follow, counting the new order.
  do {
    event = reader.next();
  } while (event && event->name != "metrics");
  ASSERT_TRUE(event);
  EXPECT_EQ(boost::json::parse(event->data).at("ultimo_pedido").at("secuencia"), seq);
}

TEST_F(Stream, ResumingWithLastEventIdDeliversExactlyTheMissedOrders) {
  const auto seen = post(client(), admin_token(), "resume-0");
  std::vector<std::int64_t> missed;
  for (int i = 1; i <= 3; ++i)
    missed.push_back(post(client(), admin_token(), "resume-" + std::to_string(i)));

  EventReader reader(server().port(), admin_token(), std::to_string(seen));
  ASSERT_EQ(reader.status(), 200);
  // The 200 goes out before the order is published, so the last one may come
  // live after the replay and the metrics snapshot; none twice, none skipped.
  std::vector<std::int64_t> got;
  while (got.size() < missed.size()) {
    auto event = reader.next(std::chrono::milliseconds(1500));
    if (!event) break;
    if (event->name == "pedido") got.push_back(std::stoll(event->id));
  }
  EXPECT_EQ(got, missed);
  // Nothing more follows but metrics.
  while (auto event = reader.next(std::chrono::milliseconds(300))) {
    EXPECT_NE(event->name, "pedido") << event->id;
  }
}

TEST_F(Stream, ResumeWorksAcrossARestartFromTheStore) {
  const auto seen = post(client(), admin_token(), "restart-0");
  const auto missed = post(client(), admin_token(), "restart-1");
  EXPECT_EQ(server().stop(), 0);
  start();
  EventReader reader(server().port(), admin_token(), std::to_string(seen));
  std::vector<std::int64_t> got;
  while (auto event = reader.next(std::chrono::milliseconds(1500))) {
    if (event->name == "pedido") got.push_back(std::stoll(event->id));
    if (event->name == "metrics") break;
  }
  EXPECT_EQ(got, std::vector<std::int64_t>{missed});
}

TEST_F(Stream, AClientThatNeverReadsDoesNotHoldUpOthers) {
  // A connection that asks for the stream and then never reads a byte.
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket stalled(io);
  stalled.open(boost::asio::ip::tcp::v4());
  stalled.set_option(boost::asio::socket_base::receive_buffer_size(4096));
  stalled.connect({boost::asio::ip::make_address("127.0.0.1"), server().port()});
  boost::asio::write(
      stalled, boost::asio::buffer("GET /eventos HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                   admin_token() + "\r\n\r\n"));
  EventReader reader(server().port(), admin_token());
  ASSERT_TRUE(reader.next());  // the snapshot
  std::vector<std::int64_t> sent;
  for (int i = 0; i < 200; ++i)
    sent.push_back(post(client(), admin_token(), "busy-" + std::to_string(i)));
  std::vector<std::int64_t> got;
  while (got.size() < sent.size()) {
    const auto event = reader.next();
    ASSERT_TRUE(event) << "stream stalled after " << got.size() << " events";
    if (event->name == "pedido") got.push_back(std::stoll(event->id));
  }
  EXPECT_EQ(got, sent);
}

TEST_F(Stream, TheStreamCapsAreSettings) {
  EXPECT_EQ(server().stop(), 0);
  start({"--max-streams-per-address", "2", "--max-streams-per-user", "5"});
  {
    EventReader first(server().port(), admin_token());
    EventReader second(server().port(), admin_token());
    ASSERT_EQ(first.status(), 200);
    ASSERT_EQ(second.status(), 200);
    EventReader third(server().port(), admin_token());
    EXPECT_EQ(third.status(), 429);
  }
  EXPECT_EQ(server().stop(), 0);
  start();
}

}  // namespace
}  // namespace cargomon::testing
