#include "net/event_stream_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cargomon::net {
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

}  // namespace
}  // namespace cargomon::net
