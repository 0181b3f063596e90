#include "cli/item_reader.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <set>
#include <utility>
#include <vector>

#include "api/json_tree_builder.hpp"

namespace cargomon::cli {
namespace {

namespace json = boost::json;
using api::JsonNode;
using Kind = JsonNode::Kind;

// DynamoDB nests every value one level deeper than plain JSON.
constexpr std::size_t kMaxDepth = 64;
// The first line decides the form, and the first few are kept to read again
// as JSON lines should they not be a document (at most this many lines, in
// at most this many bytes; a longer line cannot be a JSON line).
constexpr std::size_t kLinesJudged = 8;
constexpr std::size_t kMaxFirstLine = kMaxItemBytes;
constexpr std::size_t kPieceBytes = std::size_t{16} * 1024;
constexpr std::size_t kMaxLine = kMaxItemBytes;

std::string shorten(std::string_view text) {
  return text.size() <= 40 ? std::string(text) : std::string(text.substr(0, 40)) + "…";
}

std::variant<JsonNode, std::string> convert(const JsonNode& value, const std::string& path) {
  if (value.kind != Kind::object || value.children.size() != 1) {
    return path + ": expected a DynamoDB attribute value like {\"S\": \"…\"} or {\"N\": \"…\"}";
  }
  const std::string& type = value.keys.front();
  const JsonNode& inner = value.children.front();
  JsonNode out;
  const auto wrong = [&](const char* what) -> std::string {
    return path + ": {\"" + type + "\": …} must hold " + what + ", not " +
           std::string(api::kind_name(inner.kind));
  };
  if (type == "S") {
    if (inner.kind != Kind::string) return wrong("a string");
    out.kind = Kind::string;
    out.text = inner.text;
  } else if (type == "N") {
    if (inner.kind != Kind::string) return wrong("a number in a string");
    if (!is_json_number(inner.text)) {
      return path + ": {\"N\": \"" + shorten(inner.text) + "\"} is not a number";
    }
    out.kind = Kind::number;
    out.text = inner.text;
  } else if (type == "BOOL") {
    if (inner.kind != Kind::boolean) return wrong("true or false");
    out.kind = Kind::boolean;
    out.boolean = inner.boolean;
  } else if (type == "NULL") {
    out.kind = Kind::null;
  } else if (type == "M") {
    if (inner.kind != Kind::object) return wrong("an object");
    out.kind = Kind::object;
    for (std::size_t i = 0; i < inner.children.size(); ++i) {
      auto child = convert(inner.children[i], path + "." + inner.keys[i]);
      if (auto* error = std::get_if<std::string>(&child)) return std::move(*error);
      out.keys.push_back(inner.keys[i]);
      out.children.push_back(std::get<JsonNode>(std::move(child)));
    }
  } else if (type == "L") {
    if (inner.kind != Kind::array) return wrong("an array");
    out.kind = Kind::array;
    for (std::size_t i = 0; i < inner.children.size(); ++i) {
      auto child = convert(inner.children[i], path + "[" + std::to_string(i) + "]");
      if (auto* error = std::get_if<std::string>(&child)) return std::move(*error);
      out.children.push_back(std::get<JsonNode>(std::move(child)));
    }
  } else if (type == "SS" || type == "NS") {
    if (inner.kind != Kind::array) return wrong("an array");
    out.kind = Kind::array;
    for (std::size_t i = 0; i < inner.children.size(); ++i) {
      const auto& element = inner.children[i];
      const std::string where = path + "[" + std::to_string(i) + "]";
      if (element.kind != Kind::string) return where + ": a set element must be a string";
      JsonNode member;
      member.text = element.text;
      member.kind = type == "SS" ? Kind::string : Kind::number;
      if (type == "NS" && !is_json_number(member.text)) {
        return where + ": \"" + shorten(member.text) + "\" is not a number";
      }
      out.children.push_back(std::move(member));
    }
  } else if (type == "B" || type == "BS") {
    return path + ": binary values (" + type + ") are not part of an order";
  } else {
    return path + ": unknown DynamoDB type \"" + shorten(type) + "\"";
  }
  return out;
}

const std::set<std::string_view> kTypes{"S", "N", "BOOL", "NULL", "M", "L", "SS", "NS", "B", "BS"};

// Every attribute is a single-key object naming a DynamoDB type: a bare item,
// as `jq -c '.Items[]'` writes them. A plain order has plain string fields.
bool looks_like_dynamodb_item(const JsonNode& node) {
  if (node.kind != Kind::object || node.children.empty()) return false;
  for (const auto& child : node.children) {
    if (child.kind != Kind::object || child.keys.size() != 1 || !kTypes.contains(child.keys[0])) {
      return false;
    }
  }
  return true;
}

std::string id_of(const JsonNode& attributes, std::string_view key) {
  if (attributes.kind != Kind::object) return {};
  const auto* id = attributes.find(key);
  if (!id) return {};
  if (id->kind == Kind::string) return id->text;
  if (id->kind == Kind::object && id->keys.size() == 1 && id->keys[0] == "S" &&
      id->children[0].kind == Kind::string) {
    return id->children[0].text;
  }
  return {};
}

// Numbers items and turns raw records into InputItems.
class ItemSink {
 public:
  ItemSink(std::string_view id_key, const std::function<void(InputItem)>& sink)
      : id_key_(id_key), sink_(sink) {}

  // `known_dynamodb`: an element of "Items", a DynamoDB item for sure.
  void deliver(JsonNode raw, bool known_dynamodb, std::size_t line, std::string error = {}) {
    InputItem item;
    item.number = ++count_;
    item.line = line;
    const JsonNode* attributes = &raw;
    bool dynamodb = known_dynamodb;
    if (!known_dynamodb && raw.kind == Kind::object) {
      if (const auto* inner = raw.find("Item"); inner && inner->kind == Kind::object) {
        attributes = inner;
        dynamodb = true;
      } else {
        dynamodb = looks_like_dynamodb_item(raw);
      }
    }
    item.id = id_of(*attributes, id_key_);
    if (!error.empty()) {
      item.error = std::move(error);
    } else if (raw.kind != Kind::object) {
      item.error = "not a JSON object but " + std::string(api::kind_name(raw.kind));
    } else if (dynamodb) {
      auto converted = from_dynamodb_item(*attributes);
      if (auto* message = std::get_if<std::string>(&converted)) {
        item.error = std::move(*message);
      } else {
        item.value = std::get<JsonNode>(std::move(converted));
      }
    } else {
      item.value = std::move(raw);
    }
    sink_(std::move(item));
  }

  std::size_t count() const { return count_; }

  void fail(std::size_t line, std::string error) {
    InputItem item;
    item.number = ++count_;
    item.line = line;
    item.error = std::move(error);
    sink_(std::move(item));
  }

  // A whole top-level value: a scan page holds many items, anything else is one.
  void deliver_document(JsonNode root, std::size_t line) {
    for (std::size_t i = 0; root.kind == Kind::object && i < root.keys.size(); ++i) {
      if (root.keys[i] == "Items" && root.children[i].kind == Kind::array) {
        for (auto& element : root.children[i].children) deliver(std::move(element), true, line);
        return;
      }
    }
    deliver(std::move(root), false, line);
  }

 private:
  std::string id_key_;
  const std::function<void(InputItem)>& sink_;
  std::size_t count_ = 0;
};

// JsonNode trees, except that the elements of a top-level "Items" array (or
// of a top-level array) are handed over one by one as they complete and never
// kept.
class StreamBuilder : public api::JsonTreeBuilder<StreamBuilder> {
 public:
  // A scan's "Items" may hold any number of elements: they are not kept. A
  // DynamoDB item is at most 400 KB, which bounds the rest.
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = 100'000;
  static constexpr std::size_t max_key_size = std::size_t{64} * 1024;
  static constexpr std::size_t max_string_size = 16 << 20;

  explicit StreamBuilder(ItemSink& items) : items_(items) {}

  // Charged to the item that holds the object; reading goes on.
  bool duplicate_key(const std::string& key) {
    if (error_.empty()) {
      error_ = "duplicate key \"" + shorten(key) + "\"";
      error_depth_ = depth();
    }
    return true;
  }

  // Where the input is (the reader sets it before each piece it feeds):
  // what an item's size is measured against.
  void at_offset(std::size_t offset) { offset_ = offset; }
  // Where the last item handed over ended (to the precision of a piece).
  std::size_t last_item_end() const { return last_item_end_; }

  bool hand_over(JsonNode& node) {
    bool from_items = false;
    if (!streaming_parent(from_items)) return false;
    last_item_end_ = offset_;
    std::string error;
    if (!error_.empty() && error_depth_ > depth()) {
      error = std::exchange(error_, {});  // it was inside this element
    }
    items_.deliver(std::move(node), from_items, 0, std::move(error));
    return true;
  }

  // After the parser is done with a top-level value.
  void finish_document() {
    JsonNode root = take_root();
    std::string error = std::exchange(error_, {});
    if (root.kind == Kind::array) return;  // its elements went out one by one
    if (root.kind == Kind::object) {
      if (const auto* items = root.find("Items"); items && items->kind == Kind::array) return;
    }
    items_.deliver(std::move(root), false, 0, std::move(error));
  }

 private:
  // Whether a completed value goes out on its own instead of into its parent.
  bool streaming_parent(bool& from_items) const {
    if (depth() == 1 && open_kind(0) == Kind::array) {
      from_items = false;
      return true;
    }
    if (depth() == 2 && open_kind(0) == Kind::object && open_kind(1) == Kind::array &&
        open_key(1) == "Items") {
      from_items = true;
      return true;
    }
    return false;
  }

  ItemSink& items_;
  std::string error_;  // a duplicate key, attributed to the item that holds it
  std::size_t error_depth_ = 0;
  std::size_t offset_ = 0;
  std::size_t last_item_end_ = 0;
};

// Reading a document failed at `offset`.
class DocumentError : public InputError {
 public:
  DocumentError(const std::string& message, std::size_t offset)
      : InputError(message), offset(offset) {}
  std::size_t offset;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void read_document(std::istream& in, std::string head, ItemSink& items, std::size_t chunk_size) {
  json::parse_options options;
  options.max_depth = kMaxDepth;
  json::basic_parser<StreamBuilder> parser(options, items);
  bool fresh = true;  // no byte of the current top-level value fed yet
  std::size_t offset = 0;
  std::size_t document_start = 0;  // where the current top-level value began
  std::vector<char> chunk(std::max<std::size_t>(chunk_size, 1));

  const auto feed = [&](const char* data, std::size_t size) {
    while (size > 0) {
      if (fresh) {
        while (size > 0 && is_space(*data)) {
          ++data;
          --size;
          ++offset;
        }
        if (size == 0) return;
        fresh = false;
        document_start = offset;
      }
      // In pieces, so that an item's size is known to within a piece.
      const std::size_t piece = std::min(size, kPieceBytes);
      json::error_code ec;
      parser.handler().at_offset(offset);
      const std::size_t used = parser.write_some(true, data, piece, ec);
      if (ec) {
        throw DocumentError(
            "not valid JSON at byte " + std::to_string(offset + used) + ": " + ec.message(),
            offset + used);
      }
      data += used;
      size -= used;
      offset += used;
      if (parser.done()) {
        parser.handler().finish_document();
        parser.reset();
        fresh = true;
      } else if (offset - std::max(document_start, parser.handler().last_item_end()) >
                 kMaxItemBytes + kPieceBytes) {
        // Nothing in a scan or an export is this large (a DynamoDB item is at
        // most 400 KB): reading on would hold it whole.
        throw InputError("an item larger than " + std::to_string(kMaxItemBytes >> 20) +
                         " MiB at byte " + std::to_string(offset) +
                         ": not a DynamoDB scan, export or JSON lines");
      }
    }
  };

  feed(head.data(), head.size());
  head = std::string();
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    feed(chunk.data(), got);
  }
  if (in.bad()) throw InputError("read error");
  if (!fresh) {
    json::error_code ec;
    parser.write_some(false, nullptr, 0, ec);
    if (ec || !parser.done()) {
      throw InputError("the input ends in the middle of a JSON value (byte " +
                       std::to_string(offset) + ")");
    }
    parser.handler().finish_document();
  }
}

// Splits the input into lines of at most kMaxLine bytes, starting with what
// was already read.
class LineReader {
 public:
  LineReader(std::istream& in, std::string head, std::size_t chunk_size)
      : in_(in), buffer_(std::move(head)), chunk_(std::max<std::size_t>(chunk_size, 1)) {}

  // False at the end. A line over the limit comes back empty with too_long.
  bool next(std::string& line, bool& too_long) {
    too_long = false;
    for (;;) {
      const auto newline = buffer_.find('\n', scanned_);
      if (newline != std::string::npos) {
        if (!discarding_) line.assign(buffer_, 0, newline);
        buffer_.erase(0, newline + 1);
        scanned_ = 0;
        too_long = discarding_;
        discarding_ = false;
        break;
      }
      scanned_ = buffer_.size();
      if (buffer_.size() > kMaxLine) {
        discarding_ = true;
        buffer_.clear();
        scanned_ = 0;
      }
      if (!fill()) {
        if (buffer_.empty() && !discarding_) return false;
        too_long = discarding_;
        line = discarding_ ? std::string() : std::move(buffer_);
        buffer_.clear();
        discarding_ = false;
        break;
      }
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
  }

 private:
  bool fill() {
    if (!in_) return false;
    in_.read(chunk_.data(), static_cast<std::streamsize>(chunk_.size()));
    const auto got = static_cast<std::size_t>(in_.gcount());
    if (in_.bad()) throw InputError("read error");
    buffer_.append(chunk_.data(), got);
    return got > 0;
  }

  std::istream& in_;
  std::string buffer_;
  std::size_t scanned_ = 0;  // buffer_ up to here has no newline
  bool discarding_ = false;
  std::vector<char> chunk_;
};

bool blank(std::string_view line) {
  for (char c : line) {
    if (!is_space(c)) return false;
  }
  return true;
}

}  // namespace

bool is_json_number(std::string_view s) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

std::variant<JsonNode, std::string> from_dynamodb_item(const JsonNode& item) {
  if (item.kind != Kind::object) {
    return "a DynamoDB item must be an object, not " + std::string(api::kind_name(item.kind));
  }
  JsonNode out;
  out.kind = Kind::object;
  for (std::size_t i = 0; i < item.children.size(); ++i) {
    auto value = convert(item.children[i], item.keys[i]);
    if (auto* error = std::get_if<std::string>(&value)) return std::move(*error);
    out.keys.push_back(item.keys[i]);
    out.children.push_back(std::get<JsonNode>(std::move(value)));
  }
  return out;
}

InputFormat read_items(std::istream& in, std::string_view id_key,
                       const std::function<void(InputItem)>& sink, std::size_t chunk_size) {
  ItemSink items(id_key, sink);

  // Read the first non-blank lines (a few, or a bounded amount): they tell
  // the form.
  std::string head;
  std::vector<char> chunk(std::max<std::size_t>(chunk_size, 1));
  std::vector<std::pair<std::size_t, std::size_t>> first_lines;  // [start, end) in head
  std::size_t scan = 0;
  for (;;) {
    std::size_t newline;
    while (first_lines.size() < kLinesJudged &&
           (newline = head.find('\n', scan)) != std::string::npos) {
      if (!blank(std::string_view(head).substr(scan, newline - scan))) {
        first_lines.emplace_back(scan, newline);
      }
      scan = newline + 1;
    }
    if (first_lines.size() == kLinesJudged || head.size() > kMaxFirstLine || !in) break;
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (in.bad()) throw InputError("read error");
    head.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
  }
  // What follows the last newline, at the end of a short input, is a line too.
  if (first_lines.size() < kLinesJudged && !in && scan < head.size() &&
      !blank(std::string_view(head).substr(scan))) {
    first_lines.emplace_back(scan, head.size());
  }
  if (head.starts_with("\xEF\xBB\xBF")) {  // a byte order mark some tools write
    head.erase(0, 3);
    for (auto& [start, end] : first_lines) {
      start = start >= 3 ? start - 3 : 0;
      end -= 3;
    }
  }

  // JSON lines when the first line is a JSON value by itself. Otherwise a
  // document (a scan as the AWS CLI or jq prints it), unless that reading
  // fails within the first lines before any item and a later one of them is
  // a value by itself: then JSON lines whose first line is broken, read line
  // by line like any other (it must not make the file one document that a
  // later line then ends).
  bool lines = false;
  if (!first_lines.empty()) {
    const auto [start, end] = first_lines.front();
    lines = end - start <= kMaxFirstLine &&
            std::holds_alternative<JsonNode>(
                api::parse_json(std::string_view(head).substr(start, end - start), {kMaxDepth}));
  }
  if (!lines) {
    // The fallback is for files of JSON lines: one of the next lines is a
    // value by itself (a broken document, or no JSON at all, stays an error).
    bool later_value = false;
    for (std::size_t i = 1; i < first_lines.size() && !later_value; ++i) {
      const auto [start, end] = first_lines[i];
      later_value = std::holds_alternative<JsonNode>(
          api::parse_json(std::string_view(head).substr(start, end - start), {kMaxDepth}));
    }
    // Up to the end of the judged lines, whatever the read chunks were (the
    // outcome must not depend on them).
    const std::size_t judged_end = first_lines.empty() ? 0 : first_lines.back().second;
    const std::string kept = later_value && judged_end <= kMaxFirstLine ? head : std::string();
    try {
      read_document(in, std::move(head), items, chunk_size);
      return InputFormat::json_document;
    } catch (const DocumentError& e) {
      if (kept.empty() || items.count() > 0 || e.offset >= judged_end) throw;
      head = kept;
    }
  }

  LineReader reader(in, std::move(head), chunk_size);
  std::string line;
  bool too_long = false;
  for (std::size_t number = 1; reader.next(line, too_long); ++number) {
    if (too_long) {
      items.fail(number, "line longer than " + std::to_string(kMaxLine >> 20) + " MiB (" +
                             std::to_string(kMaxLine) + " bytes)");
      continue;
    }
    if (blank(line)) continue;
    auto parsed = api::parse_json(line, {kMaxDepth});
    if (auto* message = std::get_if<std::string>(&parsed)) {
      std::string text = *message;
      if (text.starts_with("Body is not valid JSON")) text.replace(0, 4, "line");
      items.fail(number, std::move(text));
      continue;
    }
    items.deliver_document(std::get<JsonNode>(std::move(parsed)), number);
  }
  return InputFormat::json_lines;
}

}  // namespace cargomon::cli
