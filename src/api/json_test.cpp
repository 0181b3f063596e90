#include "api/json.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "api/json_tree_builder.hpp"

namespace cargomon::api {
namespace {

JsonNode parse_ok(std::string_view text) {
  auto parsed = parse_json(text);
  EXPECT_TRUE(std::holds_alternative<JsonNode>(parsed)) << text;
  return std::holds_alternative<JsonNode>(parsed) ? std::get<JsonNode>(parsed) : JsonNode{};
}

std::string parse_error(std::string_view text) {
  auto parsed = parse_json(text);
  EXPECT_TRUE(std::holds_alternative<std::string>(parsed)) << text;
  return std::holds_alternative<std::string>(parsed) ? std::get<std::string>(parsed) : "";
}

TEST(ParseJson, KeepsTheExactTextOfNumbers) {
  const auto node =
      parse_ok(R"({"a": 14.0, "b": 0.29, "c": 1e2, "d": -5, "e": 123456789012345678901234})");
  EXPECT_EQ(node.find("a")->text, "14.0");
  EXPECT_EQ(node.find("b")->text, "0.29");
  EXPECT_EQ(node.find("c")->text, "1e2");
  EXPECT_EQ(node.find("d")->integer(), -5);
  EXPECT_EQ(node.find("e")->text, "123456789012345678901234");
  EXPECT_FALSE(node.find("e")->integer());
  EXPECT_FALSE(node.find("a")->integer());
}

TEST(ParseJson, BuildsNestedStructures) {
  const auto node = parse_ok(R"({"x": [1, {"y": "ñ"}, null, true], "z": {}})");
  ASSERT_EQ(node.kind, JsonNode::Kind::object);
  const auto* x = node.find("x");
  ASSERT_EQ(x->children.size(), 4u);
  EXPECT_EQ(x->children[1].find("y")->text, "ñ");
  EXPECT_EQ(x->children[2].kind, JsonNode::Kind::null);
  EXPECT_TRUE(x->children[3].boolean);
  EXPECT_EQ(node.find("z")->kind, JsonNode::Kind::object);
  EXPECT_EQ(node.keys, (std::vector<std::string>{"x", "z"}));
}

TEST(ParseJson, RejectsDuplicateKeysNamingThem) {
  EXPECT_NE(parse_error(R"({"precio": 1, "precio": 2})").find("duplicate key \"precio\""),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"a": {"b": 1, "b": 1}})").find("\"b\""), std::string::npos);
}

// n - 1 distinct keys, then the last again: the pair a pairwise search
// reaches last.
std::vector<std::string> keys_with_a_late_duplicate(std::size_t n) {
  std::vector<std::string> keys;
  for (std::size_t i = 0; i + 1 < n; ++i) keys.push_back("k" + std::to_string(i));
  keys.push_back(keys.back());
  return keys;
}

std::size_t comparisons_to_find_the_duplicate(std::size_t n) {
  const auto keys = keys_with_a_late_duplicate(n);
  std::size_t comparisons = 0;
  const std::string* duplicate = find_duplicate_key(keys, &comparisons);
  EXPECT_NE(duplicate, nullptr);
  if (duplicate != nullptr) {
    EXPECT_EQ(*duplicate, "k" + std::to_string(n - 2));
  }
  return comparisons;
}

TEST(ParseJson, TheDuplicateKeyCheckIsNotQuadratic) {
  // Counted key comparisons, not time: deterministic. Sorting costs about
  // n log2 n; comparing pairs costs n^2 / 2 (50 million for 10,000 keys).
  const std::size_t n = 10'000;
  const std::size_t at_n = comparisons_to_find_the_duplicate(n);
  const std::size_t at_2n = comparisons_to_find_the_duplicate(2 * n);
  EXPECT_LE(static_cast<double>(at_n), 4.0 * n * std::log2(n)) << at_n;
  // Doubling the keys a little more than doubles the work; quadratic work
  // would quadruple it.
  EXPECT_LE(static_cast<double>(at_2n), 2.5 * static_cast<double>(at_n)) << at_n << " " << at_2n;
}

TEST(ParseJson, NamesTheFirstRepeatedKeyOfALargeObject) {
  std::vector<std::string> keys;
  for (int i = 0; i < 100; ++i) keys.push_back("k" + std::to_string(i));
  keys.emplace_back("k50");
  keys.emplace_back("k7");
  const std::string* duplicate = find_duplicate_key(keys);
  ASSERT_NE(duplicate, nullptr);
  EXPECT_EQ(*duplicate, "k7");  // k7 appears first of the two repeated keys
  EXPECT_EQ(duplicate, &keys[7]);
  keys.pop_back();
  keys.pop_back();
  EXPECT_EQ(find_duplicate_key(keys), nullptr);

  std::string body = "{";
  // 10,000 keys: the most an object may have.
  for (int i = 0; i < 9'999; ++i) body += "\"k" + std::to_string(i) + "\":1,";
  body += "\"k9998\":2}";
  EXPECT_NE(parse_error(body).find("duplicate key \"k9998\""), std::string::npos);
}

TEST(ParseJson, RejectsDeepNesting) {
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  EXPECT_NE(parse_error(deep).find("nested deeper"), std::string::npos);
}

TEST(ParseJson, RejectsWhatStrictJsonForbids) {
  for (const char* bad : {"", "{", "{\"a\": 1,}", "{'a': 1}", "{\"a\": NaN}", "{\"a\": Infinity}",
                          "// c\n{}", "{} {}", "{\"a\": 01}", "[1,]", "\"\xff\""}) {
    EXPECT_EQ(parse_error(bad).rfind("Body is not valid JSON", 0), 0u) << bad;
  }
}

TEST(JsonWriter, WritesEscapedStringsAndRawNumbers) {
  JsonWriter out;
  out.begin_object()
      .key("s")
      .string("a\"b\\c\n\x01ñ")
      .key("n")
      .raw_number("268.8")
      .key("l")
      .begin_array()
      .number(1)
      .null()
      .boolean(false)
      .end_array()
      .end_object();
  EXPECT_EQ(out.str(), R"({"s":"a\"b\\c\n\u0001ñ","n":268.8,"l":[1,null,false]})");
}

TEST(JsonWriter, OutputParsesBack) {
  JsonWriter out;
  out.begin_array()
      .begin_object()
      .key("k")
      .string("\t")
      .end_object()
      .begin_array()
      .end_array()
      .end_array();
  const auto node = parse_ok(out.str());
  EXPECT_EQ(node.children[0].find("k")->text, "\t");
}

// Found by fuzz/fuzz_query: GET /pedidos/%FF answered a 404 whose JSON held
// the raw byte 0xFF, which no strict JSON parser accepts.
TEST(JsonWriter, ReplacesBytesThatAreNotUtf8SoTheOutputStaysJson) {
  JsonWriter out;
  out.begin_array()
      .string("a\xff\xc3(\xed\xa0\x80\xf4\x90\x80\x80\xc0\xaf\xe2\x82")
      .string("ñ€😀")
      .end_array();
  EXPECT_EQ(
      out.str(),
      R"(["a\ufffd\ufffd(\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd",)"
      R"("ñ€😀"])");
  const auto node = parse_ok(out.str());
  EXPECT_EQ(node.children[1].text, "ñ€😀");
}

}  // namespace
}  // namespace cargomon::api
