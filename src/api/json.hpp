#pragma once
// JSON in and out, for api/ only. Input is parsed by Boost.JSON's SAX parser
// into a small tree that keeps every number's exact text, so money is read
// from its digits and never from a double. Output is written by hand so that
// money goes out as exact decimals (268.8, not 2.688E2).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cargomon::api {

struct JsonNode {
  enum class Kind { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  std::string text;                // a string's value, or a number's exact text
  std::vector<JsonNode> children;  // array elements, or object values
  std::vector<std::string> keys;   // object keys, parallel to children

  const JsonNode* find(std::string_view key) const;
  // The number as an integer when its text is one (no fraction, no exponent)
  // and fits in 64 bits.
  std::optional<std::int64_t> integer() const;
};

struct JsonLimits {
  std::size_t max_depth = 32;
};

// Parses a complete JSON document: strict RFC 8259 (no comments, no trailing
// commas), valid UTF-8 only, duplicate keys rejected. On failure, a message
// for the client.
std::variant<JsonNode, std::string> parse_json(std::string_view text, JsonLimits limits = {});

std::string_view kind_name(JsonNode::Kind kind);

// Appends JSON to a string. Commas are placed automatically.
class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view value);
  JsonWriter& number(std::int64_t value);
  JsonWriter& raw_number(std::string_view text);  // caller guarantees valid JSON number text
  JsonWriter& raw_json(std::string_view text);    // a value this writer wrote before
  JsonWriter& boolean(bool value);
  JsonWriter& null();

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void separate();
  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written yet
  bool after_key_ = false;
};

}  // namespace cargomon::api
