// cargomon-bench: its event-stream parser, and a smoke run of the real tool
// against the real server (orders | cargomon import, freshness). No timing is
// asserted: the figures come from bench/run.sh on a quiet machine.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "event_stream_parser.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace cargomon::bench {
namespace {

struct Seen {
  std::string name, id, data;
  bool operator==(const Seen&) const = default;
};

// Feeds `text` to a parser in pieces of `piece` bytes, half of them through
// prepare()/commit() and half through append().
std::vector<Seen> parse(std::string_view text, std::size_t piece) {
  EventStreamParser parser;
  std::vector<Seen> seen;
  const auto on_event = [&](const StreamEvent& e) {
    seen.push_back({std::string(e.name), std::string(e.id), std::string(e.data)});
  };
  bool direct = true;
  while (!text.empty()) {
    const auto bytes = text.substr(0, piece);
    text.remove_prefix(bytes.size());
    if (direct) {
      const auto room = parser.prepare(bytes.size());
      std::copy(bytes.begin(), bytes.end(), room.begin());
      EXPECT_TRUE(parser.commit(bytes.size(), on_event));
    } else {
      EXPECT_TRUE(parser.append(bytes, on_event));
    }
    direct = !direct;
  }
  return seen;
}

TEST(EventStreamParser, ReadsTheServersEventsWhateverTheReadBoundaries) {
  const std::string stream =
      "event: metrics\ndata: {\"total_pedidos\":0}\n\n"
      ": keep-alive\n\n"
      "event: pedido\nid: 42\ndata: {\"pedido\":{\"pedido_id\":\"a\"}}\n\n"
      "event: resync\r\ndata: {\"reason\":\"slow\"}\r\n\r\n";
  const std::vector<Seen> expected{{"metrics", "", R"({"total_pedidos":0})"},
                                   {"pedido", "42", R"({"pedido":{"pedido_id":"a"}})"},
                                   {"resync", "", R"({"reason":"slow"})"}};
  for (std::size_t piece = 1; piece <= stream.size(); ++piece) {
    EXPECT_EQ(parse(stream, piece), expected) << "pieces of " << piece;
  }
}

TEST(EventStreamParser, FollowsTheStandardsFieldRules) {
  const std::string stream =
      "data: one\ndata: two\n\n"  // lines joined, default name
      "event: x\n\n"              // no data: not dispatched
      "data\n\n"                  // a field without a colon: empty data, dispatched
      "data:no-space\nretry: 5\nunknown: y\n\n"
      "event: last\ndata: 1\n";  // unfinished: not dispatched
  const std::vector<Seen> expected{
      {"message", "", "one\ntwo"}, {"message", "", ""}, {"message", "", "no-space"}};
  EXPECT_EQ(parse(stream, stream.size()), expected);
  EXPECT_EQ(parse(stream, 3), expected);
}

TEST(ChunkedDecoder, JoinsChunksSplitAnywhere) {
  const std::string body = "6\r\nevent:\r\n3;ext=1\r\n x\n\r\nA\r\n0123456789\r\n0\r\n\r\n";
  for (std::size_t piece = 1; piece <= body.size(); ++piece) {
    ChunkedDecoder decoder;
    std::string out;
    for (std::size_t at = 0; at < body.size(); at += piece) {
      ASSERT_TRUE(decoder.feed(std::string_view(body).substr(at, piece),
                               [&](std::string_view data) { out += data; }));
    }
    EXPECT_EQ(out, "event: x\n0123456789") << "pieces of " << piece;
    EXPECT_TRUE(decoder.done());
  }
  ChunkedDecoder broken;
  EXPECT_FALSE(broken.feed("zz\r\n", [](std::string_view) {}));
}

// The tools' programs, run through the shell (for the pipe), stdout kept
// apart from stderr.
struct Ran {
  int status = -1;
  std::string out;
  std::string err;
};

Ran shell(const std::string& command) {
  testing::TempDir scratch;
  const auto err_path = scratch.path() / "stderr";
  Ran ran;
  FILE* pipe = ::popen(("{ " + command + "; } 2>" + err_path.string()).c_str(), "r");
  if (pipe == nullptr) return ran;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    ran.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  ran.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  std::ostringstream text;
  text << err.rdbuf();
  ran.err = text.str();
  return ran;
}

// The last line of stdout as a JSON object.
boost::json::object last_json_line(const Ran& ran) {
  std::string line;
  std::istringstream lines(ran.out);
  for (std::string l; std::getline(lines, l);) {
    if (!l.empty()) line = l;
  }
  return boost::json::parse(line).as_object();
}

constexpr const char* kAdminPassword = "correct-horse-battery";

TEST(CargomonBench, ImportsItsOrdersAndMeasuresFreshnessAgainstTheRealServer) {
  const std::string bench = CARGOMON_BENCH_BIN;
  const std::string cargomon = testing::cargomon_binary().string();
  testing::TempDir dir;
  const auto data = dir.path() / "data";

  const auto imported = shell(bench + " orders --count 100 --days 1 | " + cargomon +
                              " import --data-dir " + data.string() + " -");
  ASSERT_EQ(imported.status, 0) << imported.out << imported.err;
  EXPECT_NE(imported.out.find("100 imported, 0 already present, 0 conflicting, 0 rejected"),
            std::string::npos)
      << imported.out;

  testing::ServerProcess server({data, {}, {{"CARGOMON_ADMIN_PASSWORD", kAdminPassword}}});
  testing::HttpClient client(server.port());
  const auto admin = client.login("admin", kAdminPassword);
  // The orders are all of one business day (today, unless the day turned
  // since the import): its metrics count every one of them.
  const auto listed = [&] {
    const auto page = client.get("/pedidos?limit=1000", admin);
    EXPECT_EQ(page.status, 200) << page.body;
    return page.json().at("pedidos").as_array();
  };
  const auto orders = listed();
  ASSERT_EQ(orders.size(), 100u);
  const auto fecha = std::string(orders.at(0).at("fecha").as_string());
  const auto metrics = client.get("/metrics?fecha=" + fecha, admin);
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_EQ(metrics.json().at("total_pedidos").as_int64(), 100);

  for (const auto& [user, role] : {std::pair{"courier1", "courier"}, {"viewer1", "viewer"}}) {
    const auto created =
        client.post_json("/usuarios",
                         std::string(R"({"username":")") + user + R"(","password":"password-)" +
                             user + R"(","role":")" + role + R"("})",
                         admin);
    ASSERT_EQ(created.status, 201) << created.body;
  }
  const auto fresh = shell(
      "CARGOMON_BENCH_PASSWORD=password-courier1 CARGOMON_BENCH_VIEWER_PASSWORD=password-viewer1 " +
      bench + " freshness --url " + server.base_url() +
      " --username courier1 --viewer-username viewer1 --streams 20 --rate 200 --duration 2 "
      "--connections 4 --hold-seconds 0.01");
  ASSERT_EQ(fresh.status, 0) << fresh.out << fresh.err;
  EXPECT_EQ(fresh.out.substr(0, fresh.out.find('\n')), R"({"phase":"streams_open"})");
  const auto result = last_json_line(fresh);
  EXPECT_EQ(result.at("streams").as_int64(), 20);
  const auto acked = result.at("orders_acked").as_int64();
  EXPECT_GT(acked, 0);
  EXPECT_EQ(result.at("orders_failed").as_int64(), 0);
  EXPECT_EQ(result.at("events_expected").as_int64(), acked * 20);
  EXPECT_EQ(result.at("events_received").as_int64(), result.at("events_expected").as_int64())
      << fresh.err;
  EXPECT_EQ(result.at("missed").as_int64(), 0);
  EXPECT_EQ(result.at("streams_closed").as_int64(), 0);
  for (const char* key : {"negative", "p50_ms", "p90_ms", "p99_ms", "max_ms"}) {
    EXPECT_TRUE(result.contains(key)) << key;
  }
  EXPECT_EQ(static_cast<std::int64_t>(listed().size()), 100 + acked);
}

}  // namespace
}  // namespace cargomon::bench
