#include "cli/item_reader.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace cargomon::cli {
namespace {

using api::JsonNode;

struct Read {
  InputFormat format;
  std::vector<InputItem> items;
};

Read read(const std::string& text, std::size_t chunk = std::size_t{64} * 1024) {
  std::istringstream in(text);
  Read out;
  out.format = read_items(
      in, "pedido_id", [&](InputItem item) { out.items.push_back(std::move(item)); }, chunk);
  return out;
}

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(CARGOMON_FIXTURES_DIR) + "/" + name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Compact JSON of a node (numbers as their exact text), for comparisons.
std::string text(const JsonNode& node) {
  api::JsonWriter out;
  std::function<void(const JsonNode&)> write = [&](const JsonNode& n) {
    switch (n.kind) {
      case JsonNode::Kind::null:
        out.null();
        break;
      case JsonNode::Kind::boolean:
        out.boolean(n.boolean);
        break;
      case JsonNode::Kind::number:
        out.raw_number(n.text);
        break;
      case JsonNode::Kind::string:
        out.string(n.text);
        break;
      case JsonNode::Kind::array:
        out.begin_array();
        for (const auto& c : n.children) write(c);
        out.end_array();
        break;
      case JsonNode::Kind::object:
        out.begin_object();
        for (std::size_t i = 0; i < n.children.size(); ++i) {
          out.key(n.keys[i]);
          write(n.children[i]);
        }
        out.end_object();
        break;
    }
  };
  write(node);
  return out.take();
}

constexpr const char* kSecondSeedOrder =
    R"({"pedido_id":"4205dd65-056f-462e-8e1f-c801a5e78536",)"
    R"("repartidor":{"IdRepartidor":102,"Nombre":"Carlos García"},)"
    R"("productos":[{"IdProducto":"pk0001","producto":"Moneda","precio":1},)"
    R"({"IdProducto":"pk0007","producto":"Tijeras pequeñas","precio":14}],)"
    R"("timestamp":"2024-09-12 03:50:58.363972"})";

TEST(ItemReader, ScanOfTheSeedTableBecomesTheWireShape) {
  const auto result = read(fixture("dynamodb-scan-pedidos.json"));
  EXPECT_EQ(result.format, InputFormat::json_document);
  ASSERT_EQ(result.items.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(result.items[i].number, i + 1);
    ASSERT_TRUE(result.items[i].value) << result.items[i].error;
  }
  EXPECT_EQ(result.items[0].id, "12345");
  EXPECT_EQ(text(*result.items[0].value->find("repartidor")),
            R"({"IdRepartidor":"101","Nombre":"Probando probando2"})");  // S stays a string
  EXPECT_EQ(text(*result.items[1].value), kSecondSeedOrder);
}

TEST(ItemReader, ItemsSpanningChunkBoundariesComeOutTheSame) {
  const auto whole = read(fixture("dynamodb-scan-pedidos.json"));
  for (std::size_t chunk : {1u, 2u, 7u, 100u}) {
    const auto pieces = read(fixture("dynamodb-scan-pedidos.json"), chunk);
    ASSERT_EQ(pieces.items.size(), whole.items.size()) << chunk;
    for (std::size_t i = 0; i < whole.items.size(); ++i) {
      EXPECT_EQ(text(*pieces.items[i].value), text(*whole.items[i].value)) << chunk;
    }
  }
}

TEST(ItemReader, ScanItemsAreHandedOverBeforeTheDocumentEnds) {
  // A scan cut off after two complete items: those two are read, then the
  // input is refused as a whole.
  std::string scan = fixture("dynamodb-scan-pedidos.json");
  scan = scan.substr(0, scan.find("acd5357d") + 20);
  std::vector<InputItem> items;
  std::istringstream in(scan);
  EXPECT_THROW(read_items(
                   in, "pedido_id", [&](InputItem item) { items.push_back(std::move(item)); }, 16),
               InputError);
  EXPECT_EQ(items.size(), 2u);
}

TEST(ItemReader, SeveralScanPagesOneAfterTheOther) {
  const std::string page = fixture("dynamodb-scan-pedidos.json");
  const auto result = read(page + "\n" + page + page, 5);
  EXPECT_EQ(result.items.size(), 9u);
  EXPECT_EQ(result.items[8].number, 9u);
  EXPECT_EQ(result.items[8].id, "acd5357d-48a0-4e5c-9da0-217486471780");
}

TEST(ItemReader, ExportToS3LinesAndPlainLinesAndBareItems) {
  const std::string lines =
      std::string("\xEF\xBB\xBF") +
      R"({"Item":{"pedido_id":{"S":"a"},"n":{"N":"-1.50e+2"},"ok":{"BOOL":true},"none":{"NULL":true}}})"
      "\r\n\n" +
      kSecondSeedOrder + "\n" + R"({"pedido_id":{"S":"c"},"tags":{"SS":["x","y"]}})" + "\n";
  const auto result = read(lines, 3);
  EXPECT_EQ(result.format, InputFormat::json_lines);
  ASSERT_EQ(result.items.size(), 3u);
  EXPECT_EQ(text(*result.items[0].value),
            R"({"pedido_id":"a","n":-1.50e+2,"ok":true,"none":null})");
  EXPECT_EQ(result.items[0].line, 1u);
  EXPECT_EQ(text(*result.items[1].value), kSecondSeedOrder);
  EXPECT_EQ(result.items[1].line, 3u);
  EXPECT_EQ(result.items[1].id, "4205dd65-056f-462e-8e1f-c801a5e78536");
  EXPECT_EQ(text(*result.items[2].value), R"({"pedido_id":"c","tags":["x","y"]})");
}

TEST(ItemReader, BadItemsAreReportedWithReasonsAndTheOthersStillRead) {
  const std::string lines =
      std::string(R"({"Item":{"pedido_id":{"S":"good"}}})") + "\n" +
      R"({"Item":{"pedido_id":{"S":"p2"},"precio":{"N":"abc"}}})" + "\n" +
      R"({"Item":{"pedido_id":{"S":"p3"},"x":{"Q":"1"}}})" + "\n" +
      R"({"Item":{"pedido_id":{"S":"p4"},"x":{"S":5}}})" + "\n" +
      R"({"Item":{"pedido_id":{"S":"p5"},"x":{"S":"1","N":"1"}}})" + "\n" + "{not json\n" +
      R"({"Item":{"pedido_id":{"S":"p7"},"l":{"L":[{"N":"1"},{"N":"0x1"}]}}})" + "\n" +
      R"({"pedido_id":"p8","a":1,"a":2})" + "\n" + "[1]\n" +
      R"({"Item":{"pedido_id":{"S":"p10"},"b":{"B":"AAE="}}})";
  const auto result = read(lines);
  ASSERT_EQ(result.items.size(), 10u);
  EXPECT_TRUE(result.items[0].value);
  const auto error = [&](std::size_t i) {
    EXPECT_FALSE(result.items[i].value) << i;
    return result.items[i].error;
  };
  EXPECT_EQ(error(1), R"(precio: {"N": "abc"} is not a number)");
  EXPECT_EQ(result.items[1].id, "p2");
  EXPECT_EQ(error(2), R"(x: unknown DynamoDB type "Q")");
  EXPECT_EQ(error(3), R"(x: {"S": …} must hold a string, not a number)");
  EXPECT_NE(error(4).find("x: expected a DynamoDB attribute value"), std::string::npos);
  EXPECT_NE(error(5).find("line is not valid JSON"), std::string::npos) << error(5);
  EXPECT_EQ(result.items[5].line, 6u);
  EXPECT_EQ(error(6), R"(l[1]: {"N": "0x1"} is not a number)");
  EXPECT_NE(error(7).find("duplicate key \"a\""), std::string::npos) << error(7);
  EXPECT_EQ(error(8), "not a JSON object but an array");
  EXPECT_NE(error(9).find("binary"), std::string::npos);
  EXPECT_EQ(result.items[9].number, 10u);
}

TEST(ItemReader, ABadItemInAScanDoesNotStopTheOthers) {
  const std::string scan = R"({"Count": 3, "Items": [
      {"pedido_id": {"S": "a"}, "p": {"N": "1"}},
      {"pedido_id": {"S": "b"}, "p": {"N": "1.2.3"}},
      {"pedido_id": {"S": "c"}, "p": {"M": {"k": {"S": "1"}, "k": {"S": "2"}}}},
      "oops",
      {"pedido_id": {"S": "e"}, "p": {"N": "7"}}
    ], "ScannedCount": 3})";
  const auto result = read(scan, 4);
  ASSERT_EQ(result.items.size(), 5u);
  EXPECT_TRUE(result.items[0].value);
  EXPECT_EQ(result.items[1].error, R"(p: {"N": "1.2.3"} is not a number)");
  EXPECT_EQ(result.items[2].error, R"(duplicate key "k")");
  EXPECT_EQ(result.items[2].id, "c");
  EXPECT_EQ(result.items[3].error, "not a JSON object but a string");
  ASSERT_TRUE(result.items[4].value);
  EXPECT_EQ(text(*result.items[4].value), R"({"pedido_id":"e","p":7})");
}

TEST(ItemReader, InputThatIsNotJsonAtAllIsRefused) {
  EXPECT_THROW(read("this is not json\nat all"), InputError);
  EXPECT_THROW(read("{\"Items\": [\n{\"a\": {\"S\": \"x\"}}\n"), InputError);
  EXPECT_TRUE(read("").items.empty());
  EXPECT_TRUE(read("\n\n  \n").items.empty());
}

TEST(ItemReader, JsonLinesWithABrokenFirstLineAreStillReadLineByLine) {
  // Before: the broken first line made the file one JSON document, and the
  // read ended at the second line with nothing imported.
  for (const std::string& first :
       {std::string("{not json"), std::string(R"({"pedido_id": "a", "repartidor": {"IdRep)")}) {
    const std::string lines =
        first + "\n" + kSecondSeedOrder + "\n{broken\n" + R"({"pedido_id":"d"})" + "\n";
    const auto result = read(lines, 5);
    EXPECT_EQ(result.format, InputFormat::json_lines) << first;
    ASSERT_EQ(result.items.size(), 4u) << first;
    EXPECT_FALSE(result.items[0].value);
    EXPECT_EQ(result.items[0].line, 1u);
    EXPECT_NE(result.items[0].error.find("line is not valid JSON"), std::string::npos)
        << result.items[0].error;
    ASSERT_TRUE(result.items[1].value);
    EXPECT_EQ(text(*result.items[1].value), kSecondSeedOrder);
    EXPECT_FALSE(result.items[2].value);
    EXPECT_EQ(result.items[2].line, 3u);
    ASSERT_TRUE(result.items[3].value);
    EXPECT_EQ(result.items[3].id, "d");
  }
}

TEST(ItemReader, AScanPrintedOverManyLinesIsStillOneDocument) {
  // Its last item stands on a line of its own, a value by itself.
  const std::string scan =
      "{\n  \"Items\": [\n    {\"pedido_id\": {\"S\": \"a\"}},\n"
      "    {\"pedido_id\": {\"S\": \"b\"}}\n  ],\n  \"Count\": 2\n}\n";
  const auto result = read(scan, 7);
  EXPECT_EQ(result.format, InputFormat::json_document);
  ASSERT_EQ(result.items.size(), 2u);
  EXPECT_EQ(result.items[1].id, "b");
  // A document broken in its first lines stays an error, not lines of errors.
  EXPECT_THROW(read("{\n  \"Items\": [\n    {\"pedido_id\": {\"S\" \"a\"}}\n  ]\n}\n"), InputError);
}

TEST(ItemReader, AnItemIsBoundedInBytesInEitherForm) {
  const std::string huge(kMaxItemBytes + std::size_t{64} * 1024, 'x');
  // In a document: the items before it are handed over, then the read ends
  // before the huge one is held whole.
  const std::string scan =
      R"({"Items": [{"pedido_id": {"S": "a"}}, {"pedido_id": {"S": ")" + huge + R"("}}]})";
  std::istringstream in(scan);
  std::vector<InputItem> items;
  try {
    read_items(in, "pedido_id", [&](InputItem item) { items.push_back(std::move(item)); });
    ADD_FAILURE() << "a " << huge.size() << "-byte item was read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("an item larger than 1 MiB"), std::string::npos)
        << e.what();
  }
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].id, "a");
  // In JSON lines: that line is its item's error, the others are read.
  const std::string lines = std::string(R"({"pedido_id":"a"})") + "\n" + R"({"pedido_id":")" +
                            huge + "\"}\n" + R"({"pedido_id":"c"})" + "\n";
  const auto result = read(lines);
  EXPECT_EQ(result.format, InputFormat::json_lines);
  ASSERT_EQ(result.items.size(), 3u);
  EXPECT_NE(result.items[1].error.find("line longer than 1 MiB"), std::string::npos)
      << result.items[1].error;
  EXPECT_EQ(result.items[2].id, "c");
  // An item just under the bound is read.
  const std::string large(kMaxItemBytes - 1024, 'y');
  const auto fits = read("[\n{\"pedido_id\": \"big\", \"x\": \"" + large + "\"}\n]\n");
  EXPECT_EQ(fits.format, InputFormat::json_document);
  ASSERT_EQ(fits.items.size(), 1u);
  EXPECT_TRUE(fits.items[0].value);
}

TEST(ItemReader, JsonNumbers) {
  for (const char* good :
       {"0", "-0", "1", "14.0", "5.50", "1e2", "1E+2", "-3.1e-7", "12345678901234567890123"}) {
    EXPECT_TRUE(is_json_number(good)) << good;
  }
  for (const char* bad :
       {"", "-", "01", "1.", ".5", "+1", "1e", "abc", "0x1", "1 ", "NaN", "1.2.3"}) {
    EXPECT_FALSE(is_json_number(bad)) << bad;
  }
}

}  // namespace
}  // namespace cargomon::cli
