#include "api/json.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <set>

namespace cargomon::api {
namespace {

namespace json = boost::json;

// Builds a JsonNode tree from SAX events.
// The first key that appears twice, or null. Objects of a few keys (every
// order has several) are compared pairwise, without allocating.
const std::string* find_duplicate(const std::vector<std::string>& keys) {
  constexpr std::size_t kPairwise = 16;
  if (keys.size() > kPairwise) {
    std::set<std::string_view> unique(keys.begin(), keys.end());
    if (unique.size() == keys.size()) return nullptr;
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    for (std::size_t j = i + 1; j < keys.size(); ++j) {
      if (keys[i] == keys[j]) return &keys[i];
    }
  }
  return nullptr;
}

class TreeBuilder {
 public:
  static constexpr std::size_t max_object_size = 10'000;
  static constexpr std::size_t max_array_size = 100'000;
  static constexpr std::size_t max_key_size = 1'000;
  static constexpr std::size_t max_string_size = 1 << 20;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }

  bool on_array_begin(json::error_code&) { return open(JsonNode::Kind::array); }
  bool on_array_end(std::size_t, json::error_code& ec) { return close(ec); }
  bool on_object_begin(json::error_code&) { return open(JsonNode::Kind::object); }
  bool on_object_end(std::size_t, json::error_code& ec) {
    if (const auto* duplicate = find_duplicate(stack_.back().keys)) {
      duplicate_ = *duplicate;
      ec = json::error::syntax;  // reported with duplicate_ as the reason
      return false;
    }
    return close(ec);
  }

  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    part_.append(s.data(), s.size());
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    JsonNode node;
    node.kind = JsonNode::Kind::string;
    node.text = std::move(part_);
    node.text.append(s.data(), s.size());
    part_.clear();
    return add(std::move(node));
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    part_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    key_ = std::move(part_);
    key_.append(s.data(), s.size());
    part_.clear();
    return true;
  }
  bool on_number_part(json::string_view s, json::error_code&) {
    part_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t, json::string_view s, json::error_code&) { return number(s); }
  bool on_uint64(std::uint64_t, json::string_view s, json::error_code&) { return number(s); }
  bool on_double(double, json::string_view s, json::error_code&) { return number(s); }
  bool on_bool(bool b, json::error_code&) {
    JsonNode node;
    node.kind = JsonNode::Kind::boolean;
    node.boolean = b;
    return add(std::move(node));
  }
  bool on_null(json::error_code&) { return add(JsonNode{}); }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

  JsonNode take() { return std::move(root_); }
  const std::string& duplicate_key() const { return duplicate_; }

 private:
  bool number(json::string_view s) {
    JsonNode node;
    node.kind = JsonNode::Kind::number;
    node.text = std::move(part_);
    node.text.append(s.data(), s.size());
    part_.clear();
    return add(std::move(node));
  }
  bool open(JsonNode::Kind kind) {
    JsonNode node;
    node.kind = kind;
    stack_.push_back(std::move(node));
    keys_.push_back(std::move(key_));
    key_.clear();
    return true;
  }
  bool close(json::error_code&) {
    JsonNode node = std::move(stack_.back());
    stack_.pop_back();
    key_ = std::move(keys_.back());
    keys_.pop_back();
    return add(std::move(node));
  }
  bool add(JsonNode node) {
    if (stack_.empty()) {
      root_ = std::move(node);
      return true;
    }
    auto& parent = stack_.back();
    if (parent.kind == JsonNode::Kind::object) parent.keys.push_back(std::move(key_));
    key_.clear();
    parent.children.push_back(std::move(node));
    return true;
  }

  std::vector<JsonNode> stack_;
  std::vector<std::string> keys_;  // the key each open container will be stored under
  std::string key_;
  std::string part_;
  std::string duplicate_;
  JsonNode root_;
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

std::variant<JsonNode, std::string> parse_json(std::string_view text, JsonLimits limits) {
  json::parse_options options;
  options.max_depth = limits.max_depth;
  json::basic_parser<TreeBuilder> parser(options);
  json::error_code ec;
  const auto consumed = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && consumed < text.size()) ec = json::error::extra_data;
  if (ec) {
    if (!parser.handler().duplicate_key().empty()) {
      return "Body is not valid JSON: duplicate key \"" + parser.handler().duplicate_key() + "\"";
    }
    if (ec == json::error::too_deep) {
      return "Body is not valid JSON: nested deeper than " + std::to_string(limits.max_depth) +
             " levels";
    }
    return "Body is not valid JSON: " + ec.message() + " at byte " + std::to_string(consumed);
  }
  return parser.handler().take();
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
