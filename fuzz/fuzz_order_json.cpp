// Order registration bodies: parse_json + decode_order on arbitrary bytes,
// the path every POST /registrar_pedido_entregado body takes.
//
// Beyond "no crash, no undefined behaviour, no leak", it checks that
// - a 422 answer (write_field_errors) is itself valid JSON;
// - an accepted order written back (write_order, what the 200 and
//   GET /pedidos/{id} carry) is valid JSON that decodes to the same order:
//   same id, courier, lines, prices to the cent and instant.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "api/json.hpp"
#include "api/order_json.hpp"
#include "fuzz_check.hpp"

namespace {

using cargomon::BusinessCalendar;
using cargomon::Order;
using cargomon::Timestamp;
using cargomon::fuzz::check;
namespace api = cargomon::api;

const BusinessCalendar& calendar() {
  static const BusinessCalendar bogota("America/Bogota");
  return bogota;
}

// 2024-09-12T08:50:58Z: the seed's day, so seed timestamps are not "future".
const Timestamp kReceivedAt{std::chrono::seconds{1'726'131'058}};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = api::parse_json(text);
  const auto* body = std::get_if<api::JsonNode>(&parsed);
  if (body == nullptr) return 0;

  auto decoded = api::decode_order(*body, calendar(), kReceivedAt);
  if (const auto* errors = std::get_if<std::vector<api::FieldError>>(&decoded)) {
    check(!errors->empty(), "a refused order names at least one problem");
    api::JsonWriter out;
    api::write_field_errors(out, *errors);
    check(std::holds_alternative<api::JsonNode>(api::parse_json(out.str())),
          "the 422 body is valid JSON");
    return 0;
  }
  const Order& order = std::get<Order>(decoded);

  api::JsonWriter out;
  api::write_order(out, order, calendar());
  auto reparsed = api::parse_json(out.str());
  const auto* written = std::get_if<api::JsonNode>(&reparsed);
  check(written != nullptr, "an accepted order is written as valid JSON");
  auto again = api::decode_order(*written, calendar(), kReceivedAt);
  const auto* back = std::get_if<Order>(&again);
  check(back != nullptr, "an accepted order, written out, is accepted again");
  check(back->order_id == order.order_id, "round trip keeps pedido_id");
  check(back->courier == order.courier, "round trip keeps repartidor");
  check(back->lines == order.lines, "round trip keeps productos, prices and quantities");
  check(back->occurred_at() == order.occurred_at(), "round trip keeps the instant");
  check(back->total() == order.total(), "round trip keeps the total");
  return 0;
}
