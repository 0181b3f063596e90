// Query strings and cursors: GET /pedidos?… (and any other target) through
// api::Router::handle, authenticated as a viewer, over the memory store; and the
// parsers it relies on called directly.
//
// The first byte picks what the rest is:
// 0: the query string of GET /pedidos (limit, cursor, fecha, desde, hasta,
//    repartidor), percent-encoded as sent;
// 1: a whole request target for GET (any path, e.g. /pedidos/{id}, /metrics);
// 2: a text given to decode_cursor, parse_business_day and parse_timestamp.
// Checks: the router answers exactly once and never throws, with a known
// status; JSON answers are valid JSON (the strict parser, UTF-8 included);
// the store only ever sees a bounded page size; a cursor the server accepts
// encodes back to one that decodes the same.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "api/bounded_executor.hpp"
#include "api/cursor.hpp"
#include "api/json.hpp"
#include "api/router.hpp"
#include "api/services.hpp"
#include "auth/login_throttle.hpp"
#include "auth/token.hpp"
#include "domain/business_calendar.hpp"
#include "fuzz_check.hpp"
#include "storage/forwarding_store.hpp"
#include "storage/memory/memory_store.hpp"

namespace {

using namespace cargomon;
using cargomon::fuzz::check;

const Timestamp kNow{std::chrono::seconds{1'726'131'058}};

Order sample_order() {
  Order order;
  order.order_id = "4205dd65-056f-462e-8e1f-c801a5e78536";
  order.courier = {{"102", true}, "Carlos García"};
  order.lines = {{"pk0001", "Moneda", Money::from_cents(100), 1},
                 {"pk0007", "Tijeras pequeñas", Money::from_cents(1400), 2}};
  order.reported_at = kNow - std::chrono::hours(5);
  order.received_at = kNow;
  return order;
}

// The memory store, checking what the router asks of it.
class CheckedStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  OrderPage list_orders(const OrderQuery& query) override {
    check(query.limit >= 1 && query.limit <= 1000, "the store sees a bounded page size");
    auto page = ForwardingStore::list_orders(query);
    // Echo the cursor back (or make one) so that its encoding is exercised
    // with what came in, although one order fills no second page.
    if (!page.next) page.next = query.after ? query.after : OrderCursor{kNow, 7};
    return page;
  }
};

struct World {
  BusinessCalendar calendar{"America/Bogota"};
  FakeClock clock{kNow};
  MemoryStore memory{calendar};
  CheckedStore store{memory};
  auth::TokenService tokens{"fuzzing-secret-0123456789abcdef0123456789abcdef",
                            std::chrono::seconds(1800), clock};
  auth::LoginThrottle throttle{clock};
  api::InlineExecutor inline_work;
  api::Services services{calendar, clock,       store,       store,   tokens,
                         throttle, inline_work, inline_work, nullptr, {}};
  api::Router router{services};
  std::string authorization = "Bearer " + tokens.issue("viewer", Role::viewer);

  World() {
    memory.register_order(sample_order(), [](const RegisterResult&) {});
    memory.create_user(User{"viewer", "unused", Role::viewer, false});
  }
};

World& world() {
  static World w;
  return w;
}

bool known_status(int status) {
  switch (status) {
    case 200:
    case 400:
    case 401:
    case 403:
    case 404:
    case 405:
    case 422:
      return true;
    default:
      return false;
  }
}

void get(const std::string& target) {
  api::Request request;
  request.method = "GET";
  request.target = target;
  request.authorization = world().authorization;
  request.client_address = "127.0.0.1";
  int answers = 0;
  api::Response response;
  try {
    world().router.handle(request, [&](api::Response r) {
      ++answers;
      response = std::move(r);
    });
  } catch (...) {
    check(false, "the router never throws");
  }
  check(answers == 1, "the router answers exactly once");
  check(known_status(response.status), "the status is one the API documents");
  if (response.content_type.starts_with("application/json")) {
    check(std::holds_alternative<api::JsonNode>(api::parse_json(response.body)),
          "a JSON answer is valid JSON");
  }
}

void parse_directly(std::string_view text) {
  if (const auto cursor = api::decode_cursor(text)) {
    const auto again = api::decode_cursor(api::encode_cursor(*cursor));
    check(again.has_value(), "an accepted cursor re-encodes to an accepted one");
    check(again->occurred_at == cursor->occurred_at && again->sequence == cursor->sequence,
          "a cursor round-trips");
  }
  if (const auto day = parse_business_day(text)) {
    check(day->ok(), "a parsed fecha is a real date");
    check(format_business_day(*day) == text, "a parsed fecha prints as it was written");
  }
  (void)world().calendar.parse_timestamp(text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      get("/pedidos?" + rest);
      break;
    case 1:
      get(rest);
      break;
    default:
      parse_directly(rest);
      break;
  }
  return 0;
}
