// The migration reader of `cargomon import` (cli/item_reader.hpp): DynamoDB
// scans, DynamoDB S3 exports and JSON lines, read in chunks.
//
// The first byte picks the chunk size (1..64 bytes, so every token boundary
// falls between chunks somewhere); the rest is the file. Checks: the reader
// throws nothing but InputError; items are numbered 1, 2, 3… in order; an
// item has a value or an error, never both; and the same file read in 64 KiB
// chunks gives exactly the same items (values, errors, ids and lines) and
// the same outcome: how the file is cut must not change what it says.
// Every value is also run through decode_order, as the import does.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "api/json.hpp"
#include "api/order_json.hpp"
#include "cli/item_reader.hpp"
#include "fuzz_check.hpp"

namespace {

using cargomon::BusinessCalendar;
using cargomon::Timestamp;
using cargomon::fuzz::check;
namespace api = cargomon::api;
namespace cli = cargomon::cli;

const Timestamp kReceivedAt{std::chrono::seconds{1'726'131'058}};

const BusinessCalendar& calendar() {
  static const BusinessCalendar bogota("America/Bogota");
  return bogota;
}

// One item as comparable text.
std::string describe(const cli::InputItem& item) {
  std::string out = std::to_string(item.number) + "|" + std::to_string(item.line) + "|" + item.id +
                    "|" + item.error + "|";
  if (item.value) {
    api::JsonWriter writer;
    // Any plain JSON value: write it back the way the tree holds it.
    struct Writer {
      api::JsonWriter& out;
      void operator()(const api::JsonNode& node) const {
        switch (node.kind) {
          case api::JsonNode::Kind::null:
            out.null();
            break;
          case api::JsonNode::Kind::boolean:
            out.boolean(node.boolean);
            break;
          case api::JsonNode::Kind::number:
            out.raw_number(node.text);
            break;
          case api::JsonNode::Kind::string:
            out.string(node.text);
            break;
          case api::JsonNode::Kind::array:
            out.begin_array();
            for (const auto& child : node.children) (*this)(child);
            out.end_array();
            break;
          case api::JsonNode::Kind::object:
            out.begin_object();
            for (std::size_t i = 0; i < node.children.size(); ++i) {
              out.key(node.keys[i]);
              (*this)(node.children[i]);
            }
            out.end_object();
            break;
        }
      }
    };
    Writer{writer}(*item.value);
    out += writer.str();
  }
  return out;
}

struct Outcome {
  std::vector<std::string> items;
  bool failed = false;
  std::string error;
};

Outcome read(std::string_view file, std::size_t chunk_size) {
  Outcome outcome;
  std::istringstream in{std::string(file)};
  try {
    cli::read_items(
        in, "pedido_id",
        [&](cli::InputItem item) {
          check(item.number == outcome.items.size() + 1, "items are numbered 1, 2, 3… in order");
          check(!(item.value && !item.error.empty()), "an item has a value or an error, not both");
          check(item.value || !item.error.empty(), "an item without a value says why");
          if (item.value) (void)api::decode_order(*item.value, calendar(), kReceivedAt);
          outcome.items.push_back(describe(item));
        },
        chunk_size);
  } catch (const cli::InputError& e) {
    outcome.failed = true;
    outcome.error = e.what();
  } catch (...) {
    check(false, "the reader throws nothing but InputError");
  }
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk_size = 1 + data[0] % 64;
  const std::string_view file(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Outcome small = read(file, chunk_size);
  const Outcome whole = read(file, 64 * 1024);
  check(small.failed == whole.failed, "the chunk size does not change whether the file reads");
  check(small.items == whole.items, "the chunk size does not change the items");
  return 0;
}
