#include "api/json.hpp"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <functional>
#include <vector>

#include "api/json_tree_builder.hpp"

namespace cargomon::api {
namespace {

namespace json = boost::json;

// parse_json's tree: a duplicate key makes the document invalid.
class TreeBuilder : public JsonTreeBuilder<TreeBuilder> {
 public:
  static constexpr std::size_t max_object_size = 10'000;
  static constexpr std::size_t max_array_size = 100'000;
  static constexpr std::size_t max_key_size = 1'000;
  static constexpr std::size_t max_string_size = 1 << 20;

  bool duplicate_key(const std::string& key) {
    duplicate_ = key;  // reported as the reason of the parse error
    return false;
  }
  bool hand_over(JsonNode&) { return false; }

  const std::string& duplicate() const { return duplicate_; }

 private:
  std::string duplicate_;
};

// The length of the well-formed UTF-8 sequence `text` starts with (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), or 0.
std::size_t utf8_sequence_length(std::string_view text) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (text.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(k) < 0x80 || byte(k) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

const JsonNode* JsonNode::find(std::string_view key) const {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == key) return &children[i];
  }
  return nullptr;
}

std::optional<std::int64_t> JsonNode::integer() const {
  if (kind != Kind::number) return std::nullopt;
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

const std::string* find_duplicate_key(const std::vector<std::string>& keys,
                                      std::size_t* comparisons) {
  std::size_t uncounted = 0;
  std::size_t& count = comparisons != nullptr ? *comparisons : uncounted;
  // Objects of a few keys (every order has several) are compared pairwise,
  // without allocating.
  constexpr std::size_t kPairwise = 16;
  if (keys.size() <= kPairwise) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      for (std::size_t j = i + 1; j < keys.size(); ++j) {
        ++count;
        if (keys[i] == keys[j]) return &keys[i];
      }
    }
    return nullptr;
  }
  // Larger ones are sorted: O(n log n) comparisons whatever the keys, before
  // authentication too. (A hash set would be linear on average but
  // quadratic on keys crafted to collide.) Equal keys sort by position, so
  // each run of equal keys starts with its first occurrence.
  std::vector<const std::string*> sorted;
  sorted.reserve(keys.size());
  for (const auto& key : keys) sorted.push_back(&key);
  std::sort(sorted.begin(), sorted.end(), [&count](const std::string* a, const std::string* b) {
    ++count;
    const int order = a->compare(*b);
    return order < 0 || (order == 0 && std::less<>()(a, b));
  });
  const std::string* first = nullptr;  // the earliest key that has a repeat
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    ++count;
    if (*sorted[i - 1] == *sorted[i] && (first == nullptr || std::less<>()(sorted[i - 1], first))) {
      first = sorted[i - 1];
    }
  }
  return first;
}

std::variant<JsonNode, std::string> parse_json(std::string_view text, JsonLimits limits) {
  json::parse_options options;
  options.max_depth = limits.max_depth;
  json::basic_parser<TreeBuilder> parser(options);
  json::error_code ec;
  const auto consumed = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && consumed < text.size()) ec = json::error::extra_data;
  if (ec) {
    if (!parser.handler().duplicate().empty()) {
      return "Body is not valid JSON: duplicate key \"" + parser.handler().duplicate() + "\"";
    }
    if (ec == json::error::too_deep) {
      return "Body is not valid JSON: nested deeper than " + std::to_string(limits.max_depth) +
             " levels";
    }
    return "Body is not valid JSON: " + ec.message() + " at byte " + std::to_string(consumed);
  }
  return parser.handler().take_root();
}

std::string_view kind_name(JsonNode::Kind kind) {
  switch (kind) {
    case JsonNode::Kind::null:
      return "null";
    case JsonNode::Kind::boolean:
      return "a boolean";
    case JsonNode::Kind::number:
      return "a number";
    case JsonNode::Kind::string:
      return "a string";
    case JsonNode::Kind::array:
      return "an array";
    case JsonNode::Kind::object:
      return "an object";
  }
  return "unknown";
}

void JsonWriter::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
}

JsonWriter& JsonWriter::begin_object() {
  separate();
  out_ += '{';
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_ += '}';
  first_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  separate();
  out_ += '[';
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_ += ']';
  first_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  string(name);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) {
  separate();
  out_ += '"';
  for (std::size_t i = 0; i < value.size();) {
    // Most text needs no escaping: copy each such run at once.
    std::size_t plain = i;
    while (plain < value.size()) {
      const auto b = static_cast<unsigned char>(value[plain]);
      if (b < 0x20 || b >= 0x80 || b == '"' || b == '\\') break;
      ++plain;
    }
    out_.append(value.data() + i, plain - i);
    i = plain;
    if (i == value.size()) break;
    const char c = value[i];
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      // JSON text is UTF-8: copy a valid sequence, replace each byte that
      // does not start one (text from a URL or a header may be anything).
      const std::size_t length = utf8_sequence_length(value.substr(i));
      if (length == 0) {
        out_ += "\\ufffd";
        ++i;
      } else {
        out_.append(value.substr(i, length));
        i += length;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out_ += "\\\"";
        break;
      case '\\':
        out_ += "\\\\";
        break;
      case '\n':
        out_ += "\\n";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\t':
        out_ += "\\t";
        break;
      default:
        if (byte < 0x20) {
          static constexpr char hex[] = "0123456789abcdef";
          out_ += "\\u00";
          out_ += hex[(byte >> 4) & 0xF];
          out_ += hex[byte & 0xF];
        } else {
          out_ += c;
        }
    }
  }
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::number(std::int64_t value) {
  separate();
  out_ += std::to_string(value);
  return *this;
}

JsonWriter& JsonWriter::raw_number(std::string_view text) {
  separate();
  out_ += text;
  return *this;
}

JsonWriter& JsonWriter::raw_json(std::string_view text) {
  separate();
  out_ += text;
  return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
  separate();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  out_ += "null";
  return *this;
}

}  // namespace cargomon::api
