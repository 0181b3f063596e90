// cargomon_micro: Google Benchmark micro-benchmarks of the hot paths, on the
// inputs real clients send (the simulator's bodies, which are script.py's,
// with 1, 5 and 10 products from the seed's catalog in src/sim/catalog.cpp).
//
//   BM_DecodeOrder/lines:N       POST /registrar_pedido_entregado, bytes in,
//                                Order out: read_json_body (content type,
//                                strict parse) then decode_order (every field
//                                rule and the total), as handlers/orders.cpp.
//   BM_WriteOrder/lines:N        write_order: the 200 answer's "pedido" and
//                                the SSE order event.
//   BM_DayTotalsAddFirst/lines:N DayTotalsChange::add into an empty change:
//                                the first order of a group-commit batch.
//   BM_DayTotalsAdd/lines:N/products:P
//                                the same into a change whose day already
//                                holds P distinct products (map growth).
//   BM_MetricsSnapshot/orders:O/products:P/couriers:C
//                                the /metrics answer from a day's aggregates
//                                (O orders over a catalog of P products and C
//                                couriers): aggregate rows to DayMetrics as
//                                the store reads them, rank(), write_metrics.
//                                Store I/O (SQLite reads) is not included.
//   BM_WriteMetrics/...          write_metrics alone, on ranked metrics.
//   BM_TokenVerify, BM_TokenVerifyRemembered, BM_TokenIssue
//                                auth::TokenService (HS256 JWT), every
//                                authenticated request verifies one: the
//                                first time in full (BM_TokenVerify, each
//                                iteration a token not seen before), then
//                                from the service's memory until it expires.
//   BM_PasswordVerify            Argon2id verify_password, POST /token: slow
//                                by design (milliseconds), reported in ms.
//   BM_CalendarFormat, BM_MoneyToDecimal
//                                building blocks of every JSON answer: a
//                                timestamp in the business zone, an amount.
//
// Run it on a Release build (Google Benchmark 1.7.1's --benchmark_min_time
// is a plain number of seconds: 0.5, not 0.5s):
//
//   cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release
//   cmake --build build-release --target cargomon_micro
//   build-release/bench/micro/cargomon_micro --benchmark_min_time=0.5
//   build-release/bench/micro/cargomon_micro --benchmark_filter='Metrics|Token'
//
// ctest runs it once as bench_micro_smoke (--benchmark_min_time=0.001) only
// to check that every benchmark still runs; it asserts nothing about time.

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "api/exchange.hpp"
#include "api/handlers/handlers.hpp"
#include "api/json.hpp"
#include "api/order_json.hpp"
#include "auth/password.hpp"
#include "auth/token.hpp"
#include "domain/business_calendar.hpp"
#include "domain/clock.hpp"
#include "domain/day_metrics.hpp"
#include "domain/order.hpp"
#include "sim/catalog.hpp"
#include "sim/order_generator.hpp"

namespace {

using namespace cargomon;
using namespace std::chrono_literals;

const BusinessCalendar& calendar() {
  static const BusinessCalendar instance("America/Bogota");
  return instance;
}

// 2024-09-12 10:00 in Bogotá (15:00Z), the seed's day.
constexpr Timestamp kNow{std::chrono::sys_days{std::chrono::year{2024} / 9 / 12} + 15h};

// One body as the simulator sends it, and the Order it decodes to.
struct Sample {
  std::string body;
  Order order;
};

// The simulator's first order with exactly `lines` products (fixed seeds, so
// every run measures the same bytes).
Sample make_sample(std::size_t lines) {
  static const sim::Catalog catalog = sim::default_catalog();
  const FakeClock clock(kNow);
  sim::OrderGenerator generator(catalog, calendar().zone_name(), clock, 42, 7);
  for (;;) {
    auto generated = generator.next();
    if (generated.lines != lines) continue;
    auto parsed = api::parse_json(generated.body);
    auto decoded = api::decode_order(std::get<api::JsonNode>(parsed), calendar(), kNow + 200ms);
    if (!std::holds_alternative<Order>(decoded)) {
      throw std::runtime_error("the simulator's order does not decode");
    }
    Order order = std::get<Order>(std::move(decoded));
    order.sequence = 1'000'000;
    return {std::move(generated.body), std::move(order)};
  }
}

const Sample& sample(std::int64_t lines) {
  static const std::map<std::int64_t, Sample> samples = [] {
    std::map<std::int64_t, Sample> out;
    for (const std::int64_t n : {1, 5, 10})
      out.emplace(n, make_sample(static_cast<std::size_t>(n)));
    return out;
  }();
  return samples.at(lines);
}

void BM_DecodeOrder(benchmark::State& state) {
  const Sample& s = sample(state.range(0));
  api::Request request;
  request.method = "POST";
  request.target = "/registrar_pedido_entregado";
  request.content_type = "application/json";
  request.body = s.body;
  for (auto _ : state) {
    api::Response error;
    auto body = api::read_json_body(request, error);
    if (!body) {
      state.SkipWithError("the body did not parse");
      break;
    }
    auto decoded = api::decode_order(*body, calendar(), kNow + 200ms);
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(s.body.size()));
}
BENCHMARK(BM_DecodeOrder)->ArgName("lines")->Arg(1)->Arg(5)->Arg(10);

void BM_WriteOrder(benchmark::State& state) {
  const Sample& s = sample(state.range(0));
  std::size_t bytes = 0;
  for (auto _ : state) {
    api::JsonWriter out;
    api::write_order(out, s.order, calendar());
    std::string json = out.take();
    bytes = json.size();
    benchmark::DoNotOptimize(json.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["json_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_WriteOrder)->ArgName("lines")->Arg(1)->Arg(5)->Arg(10);

void BM_DayTotalsAddFirst(benchmark::State& state) {
  const Order& order = sample(state.range(0)).order;
  for (auto _ : state) {
    DayTotalsChange change;
    change.add(order, calendar());
    benchmark::DoNotOptimize(change);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DayTotalsAddFirst)->ArgName("lines")->Arg(1)->Arg(5)->Arg(10);

// A change whose day holds `products` distinct products, the order's among
// them, so that adding the order again only updates existing entries.
DayTotalsChange day_with_products(const Order& order, std::int64_t products) {
  DayTotalsChange change;
  change.add(order, calendar());
  Order filler = order;
  filler.lines.resize(1);
  for (std::int64_t i = 0;
       static_cast<std::int64_t>(change.days().begin()->second.products.size()) < products; ++i) {
    filler.lines[0].product_id = "px" + std::to_string(i);
    filler.lines[0].product_name = "Producto de relleno " + std::to_string(i);
    change.add(filler, calendar());
  }
  return change;
}

void BM_DayTotalsAdd(benchmark::State& state) {
  const Order& order = sample(state.range(0)).order;
  DayTotalsChange change = day_with_products(order, state.range(1));
  for (auto _ : state) {
    change.add(order, calendar());
    benchmark::DoNotOptimize(change);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DayTotalsAdd)->ArgNames({"lines", "products"})->ArgsProduct({{1, 5, 10}, {50, 5000}});

// A business day's aggregates after `orders` orders drawn like the simulator
// draws them (1 to 10 lines, uniform products and couriers) from a catalog of
// `products` products and `couriers` couriers, spread over the day's hours.
// Built once per shape: 100k orders take a moment.
const DayTotalsChange::Day& day_aggregates(std::int64_t orders, std::int64_t products,
                                           std::int64_t couriers) {
  static std::map<std::vector<std::int64_t>, DayTotalsChange> built;
  auto& change = built[{orders, products, couriers}];
  if (change.empty()) {
    std::vector<OrderLine> catalog;
    for (std::int64_t i = 0; i < products; ++i) {
      catalog.push_back({"pk" + std::to_string(i), "Producto " + std::to_string(i),
                         Money::from_cents(50 + (i * 37) % 20'000)});
    }
    std::mt19937_64 random(2024);
    std::uniform_int_distribution<std::int64_t> pick_lines(1, 10);
    std::uniform_int_distribution<std::size_t> pick_product(0, catalog.size() - 1);
    std::uniform_int_distribution<std::int64_t> pick_courier(101, 100 + couriers);
    std::uniform_int_distribution<std::int64_t> pick_second(0, 86'399);
    const Timestamp day_start = calendar().start_of(calendar().day_of(kNow));
    Order order;
    for (std::int64_t n = 0; n < orders; ++n) {
      order.order_id = "order-" + std::to_string(n);
      const auto courier = pick_courier(random);
      order.courier.id.text = std::to_string(courier);
      order.courier.id.is_number = true;
      order.courier.name = "Repartidor " + std::to_string(courier);
      order.lines.clear();
      for (auto lines = pick_lines(random); lines > 0; --lines) {
        order.lines.push_back(catalog[pick_product(random)]);
      }
      order.reported_at = day_start + std::chrono::seconds(pick_second(random));
      order.received_at = *order.reported_at;
      order.sequence = n + 1;
      change.add(order, calendar());
    }
  }
  return change.days().begin()->second;
}

// The figures as the store hands them over: one entry per aggregate row.
DayMetrics metrics_from(const DayTotalsChange::Day& totals) {
  DayMetrics m;
  m.day = calendar().day_of(kNow);
  m.orders = totals.orders;
  m.units = totals.units;
  m.sales = totals.sales;
  m.last_order = totals.last_order;
  for (const auto& [name, product] : totals.products) m.products.push_back(product);
  for (const auto& [hour, figures] : totals.hours)
    m.hours.at(static_cast<std::size_t>(hour)) = figures;
  for (const auto& [id, courier] : totals.couriers) m.couriers.push_back(courier);
  return m;
}

void BM_MetricsSnapshot(benchmark::State& state) {
  const auto& totals = day_aggregates(state.range(0), state.range(1), state.range(2));
  std::size_t bytes = 0;
  for (auto _ : state) {
    DayMetrics metrics = metrics_from(totals);
    metrics.rank();
    api::JsonWriter out;
    api::write_metrics(out, metrics, calendar());
    std::string json = out.take();
    bytes = json.size();
    benchmark::DoNotOptimize(json.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["day_products"] = static_cast<double>(totals.products.size());
  state.counters["json_bytes"] = static_cast<double>(bytes);
}

void BM_WriteMetrics(benchmark::State& state) {
  DayMetrics metrics = metrics_from(day_aggregates(state.range(0), state.range(1), state.range(2)));
  metrics.rank();
  for (auto _ : state) {
    api::JsonWriter out;
    api::write_metrics(out, metrics, calendar());
    benchmark::DoNotOptimize(out.str().data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

// The seed's catalog (12 products, 8 couriers) and a large company's.
void metrics_shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"orders", "products", "couriers"});
  for (const std::int64_t orders : {1'000, 100'000}) {
    b->Args({orders, 12, 8});
    b->Args({orders, 5'000, 500});
  }
}
BENCHMARK(BM_MetricsSnapshot)->Apply(metrics_shapes);
BENCHMARK(BM_WriteMetrics)->Apply(metrics_shapes);

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef0123456789abcdef";

void BM_TokenVerify(benchmark::State& state) {
  const SystemClock clock;
  const auth::TokenService tokens(std::string(kSecret), 30min, clock);
  // Twice as many tokens as the service remembers, verified in turn: it has
  // always forgotten the next one (it forgets everything when full).
  std::vector<std::string> fresh;
  for (std::size_t i = 0; i < 2 * auth::TokenService::kVerifiedCacheSize; ++i) {
    fresh.push_back(tokens.issue("courier-" + std::to_string(i), Role::courier));
  }
  std::size_t next = 0;
  for (auto _ : state) {
    auto check = tokens.verify(fresh[next]);
    next = (next + 1) % fresh.size();
    if (!check.claims) {
      state.SkipWithError("a valid token was refused");
      break;
    }
    benchmark::DoNotOptimize(check);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenVerify);

void BM_TokenVerifyRemembered(benchmark::State& state) {
  const SystemClock clock;
  const auth::TokenService tokens(std::string(kSecret), 30min, clock);
  const std::string token = tokens.issue("courier-102", Role::courier);
  for (auto _ : state) {
    auto check = tokens.verify(token);
    if (!check.claims) {
      state.SkipWithError("a valid token was refused");
      break;
    }
    benchmark::DoNotOptimize(check);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenVerifyRemembered);

void BM_TokenIssue(benchmark::State& state) {
  const SystemClock clock;
  const auth::TokenService tokens(std::string(kSecret), 30min, clock);
  for (auto _ : state) {
    std::string token = tokens.issue("courier-102", Role::courier);
    benchmark::DoNotOptimize(token.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenIssue);

void BM_PasswordVerify(benchmark::State& state) {
  const std::string hash = auth::hash_password("correct horse battery staple");
  for (auto _ : state) {
    bool ok = auth::verify_password(hash, "correct horse battery staple");
    if (!ok) {
      state.SkipWithError("the right password was refused");
      break;
    }
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PasswordVerify)->Unit(benchmark::kMillisecond);

// write_order formats two of these per order, write_metrics two per answer.
void BM_CalendarFormat(benchmark::State& state) {
  const Timestamp t = kNow + 363'972us;
  for (auto _ : state) {
    std::string text = calendar().format(t);
    benchmark::DoNotOptimize(text.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CalendarFormat);

// One per price and total in write_order, three per product in write_metrics.
void BM_MoneyToDecimal(benchmark::State& state) {
  Money amount = Money::from_cents(26'880);
  for (auto _ : state) {
    benchmark::DoNotOptimize(amount);
    std::string text = amount.to_decimal();
    benchmark::DoNotOptimize(text.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MoneyToDecimal);

}  // namespace

BENCHMARK_MAIN();
