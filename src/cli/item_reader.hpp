#pragma once
// Reads the records of a migration file one at a time, in the API's wire
// shape (plain JSON), whatever form they came in:
//
// - a DynamoDB scan: {"Items": [{"pedido_id": {"S": "…"}, …}, …], "Count": …}
//   (several pages may follow each other), read with Boost.JSON's incremental
//   parser over fixed-size chunks: items are handed over as they complete,
//   the file is never held whole;
// - DynamoDB's export to S3: one {"Item": {…}} per line;
// - JSON lines of plain objects, like `cargomon export --format jsonl` writes
//   (a line of bare DynamoDB attributes, as `jq -c '.Items[]'` gives, works
//   too).
//
// JSON lines are read line by line; a broken line is reported as that item's
// error and reading goes on. The form is told by the first lines: JSON lines
// when one of them is a JSON value by itself (so a broken first line does not
// make the file one document).
//
// Memory is bounded whatever the file: an item (a line, or an element of a
// document) may hold kMaxItemBytes; a longer line is that item's error, a
// larger element in a document ends the read (InputError). DynamoDB attribute values become plain
// JSON: S → string, N → number with its text kept exact, BOOL, NULL, M → object, L → array, SS/NS →
// arrays. Binary values are refused.

#include <cstddef>
#include <functional>
#include <istream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include "api/json.hpp"

namespace cargomon::cli {

// The largest item read, in bytes of its text: DynamoDB's own item limit is
// 400 KB, and a valid order is far smaller.
inline constexpr std::size_t kMaxItemBytes = std::size_t{1} << 20;

struct InputItem {
  std::size_t number = 0;              // 1-based position among the file's items
  std::size_t line = 0;                // its line, for JSON lines; 0 inside a multi-line document
  std::optional<api::JsonNode> value;  // plain JSON; empty when the item could not be read
  std::string error;                   // why not
  std::string id;  // the item's id_key attribute when it is a string, even if the item is bad
};

enum class InputFormat { json_document, json_lines };

// The file as a whole is unusable: not JSON, or cut off in the middle.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Hands every item of `in` to `sink`, in file order, and returns the form
// found. `id_key` names the attribute copied into InputItem::id ("pedido_id").
// Throws InputError when the input cannot be read on; items already handed
// over stay handed over.
InputFormat read_items(std::istream& in, std::string_view id_key,
                       const std::function<void(InputItem)>& sink,
                       std::size_t chunk_size = std::size_t{64} * 1024);

// A DynamoDB item (attribute name → typed value) as a plain JSON object, or
// a message naming the attribute that is not a valid typed value.
std::variant<api::JsonNode, std::string> from_dynamodb_item(const api::JsonNode& item);

// True for the text of a JSON number (RFC 8259 grammar).
bool is_json_number(std::string_view text);

}  // namespace cargomon::cli
