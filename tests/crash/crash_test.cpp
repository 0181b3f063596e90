// Crash test: no acknowledged order is lost, none is invented, across
// repeated SIGKILLs of the real server under concurrent load.
//
// Each round starts `cargomon serve` on the same data directory, lets several
// client threads register orders as fast as it answers, kills it with SIGKILL
// at a random moment, checks the database file with PRAGMA integrity_check
// (read-only, before anything reopens it), restarts the server and checks,
// for every business day the round touched:
// - every order that got a 200 is listed exactly once and is unchanged
//   (GET /pedidos/{id} and the listing both equal what was sent);
// - nothing is listed that was never sent, and an order sent but never
//   acknowledged is there at most once and unchanged;
// - GET /metrics for the day equals a recomputation from the listed orders
//   (count, units, sales, per product, per hour, per courier).
// Clients keep an unacknowledged order and send it again, same pedido_id and
// content, until it is acknowledged, across restarts, as a courier's device
// does. Then SIGTERM rounds: under the same load, SIGTERM must end the
// process with status 0 within a bound, and everything acknowledged must be
// there after a restart. At the end the clients drain their retries and the
// whole listing must equal exactly the set of acknowledged orders.
//
// Usage: crash_test [--rounds N] [--sigterm-rounds N] [--clients N]
//                   [--min-ms N] [--max-ms N] [--seed N] [--keep] [--store URL]
// --store runs the server on that store (e.g. dynamodb://PREFIX, with
// AWS_ENDPOINT_URL_DYNAMODB taken from CARGOMON_TEST_DYNAMODB_ENDPOINT when
// that is set) instead of the SQLite file in the data directory, whose
// PRAGMA integrity_check is then skipped.
// Exit status 0 when every check held; otherwise the first failure is
// printed and the data directory kept for inspection.

#include <sqlite3.h>

#include <boost/json.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using cargomon::testing::HttpClient;
using cargomon::testing::HttpResponse;
using cargomon::testing::ServerProcess;
using cargomon::testing::TempDir;
using Clock = std::chrono::steady_clock;

constexpr const char* kPassword = "crash-test-password";

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void require(bool ok, const std::string& what) {
  if (!ok) throw Failure(what);
}

struct Options {
  int rounds = 20;
  int sigterm_rounds = 2;
  int clients = 4;
  int min_ms = 100;
  int max_ms = 700;
  unsigned seed = std::random_device{}();
  bool keep = false;
  std::string store;  // empty: SQLite in the data directory
  // Well under the server's 10 s shutdown grace: under load the drain must
  // end with the requests in flight, not wait the grace out.
  std::chrono::seconds sigterm_bound{5};
};

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> long {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return std::stol(argv[++i]);
    };
    if (arg == "--rounds") {
      o.rounds = static_cast<int>(value());
    } else if (arg == "--sigterm-rounds") {
      o.sigterm_rounds = static_cast<int>(value());
    } else if (arg == "--clients") {
      o.clients = static_cast<int>(value());
    } else if (arg == "--min-ms") {
      o.min_ms = static_cast<int>(value());
    } else if (arg == "--max-ms") {
      o.max_ms = static_cast<int>(value());
    } else if (arg == "--seed") {
      o.seed = static_cast<unsigned>(value());
    } else if (arg == "--keep") {
      o.keep = true;
    } else if (arg == "--store") {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      o.store = argv[++i];
    } else {
      throw std::invalid_argument("unknown argument " + arg +
                                  " (see the comment at the top of crash_test.cpp)");
    }
  }
  if (o.rounds < 0 || o.sigterm_rounds < 0 || o.clients < 1 || o.min_ms < 0 ||
      o.max_ms < o.min_ms) {
    throw std::invalid_argument("bad option values");
  }
  return o;
}

// ---------------------------------------------------------------------------
// Orders as sent

struct Line {
  std::string product_id;
  std::string product_name;
  std::int64_t price_cents = 0;
  std::int64_t quantity = 1;
};

struct SentOrder {
  std::string id;
  std::int64_t courier = 0;  // sent as a JSON number
  std::string courier_name;
  std::vector<Line> lines;
  std::string timestamp;  // exactly as the server formats it: local, micros, -05:00
  std::string day;
  int hour = 0;
  std::string body;
  bool acknowledged = false;

  std::int64_t units() const {
    std::int64_t n = 0;
    for (const auto& l : lines) n += l.quantity;
    return n;
  }
  std::int64_t total_cents() const {
    std::int64_t n = 0;
    for (const auto& l : lines) n += l.price_cents * l.quantity;
    return n;
  }
};

std::string decimal(std::int64_t cents) {
  std::string out = std::to_string(cents / 100);
  const auto fraction = cents % 100;
  if (fraction != 0) {
    out += '.';
    out += static_cast<char>('0' + fraction / 10);
    if (fraction % 10 != 0) out += static_cast<char>('0' + fraction % 10);
  }
  return out;
}

std::int64_t cents_of(const json::value& number) {
  if (number.is_int64()) return number.as_int64() * 100;
  if (number.is_uint64()) return static_cast<std::int64_t>(number.as_uint64()) * 100;
  return std::llround(number.as_double() * 100.0);
}

// A business day per round, far enough in the past never to be "future".
std::string day_for_round(int round) {
  using namespace std::chrono;
  const sys_days base = year{2015} / January / 1;
  const year_month_day ymd{base + days{round % 3000}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

const std::vector<std::pair<std::string, std::string>> kCatalog = {
    {"pk0001", "Moneda"},           {"pk0002", "Tarjeta SIM"},     {"pk0003", "Cargador"},
    {"pk0004", "Audífonos"},        {"pk0005", "Cable USB"},       {"pk0006", "Funda"},
    {"pk0007", "Tijeras pequeñas"}, {"pk0008", "Batería externa"}, {"pk0009", "Memoria SD"},
};

SentOrder make_order(std::mt19937& rng, const std::string& id, int client, const std::string& day) {
  SentOrder o;
  o.id = id;
  o.courier = 100 + client;
  o.courier_name = "Repartidor " + std::to_string(client);
  const int lines = std::uniform_int_distribution<int>(1, 4)(rng);
  for (int i = 0; i < lines; ++i) {
    const auto& [pid, name] =
        kCatalog[std::uniform_int_distribution<std::size_t>(0, kCatalog.size() - 1)(rng)];
    o.lines.push_back({pid, name, std::uniform_int_distribution<std::int64_t>(1, 50'000)(rng),
                       std::uniform_int_distribution<std::int64_t>(1, 3)(rng)});
  }
  o.day = day;
  o.hour = std::uniform_int_distribution<int>(0, 23)(rng);
  const int minute = std::uniform_int_distribution<int>(0, 59)(rng);
  const int second = std::uniform_int_distribution<int>(0, 59)(rng);
  const int micros = std::uniform_int_distribution<int>(1, 999'999)(rng);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d.%06d-05:00", day.c_str(), o.hour, minute,
                second, micros);
  o.timestamp = buf;

  json::object body;
  body["pedido_id"] = o.id;
  body["repartidor"] = {{"IdRepartidor", o.courier}, {"Nombre", o.courier_name}};
  std::string products = "[";
  for (std::size_t i = 0; i < o.lines.size(); ++i) {
    const auto& l = o.lines[i];
    if (i > 0) products += ",";
    // Prices as exact decimals, written by hand: never through a double.
    products += "{\"IdProducto\":" + json::serialize(json::value(l.product_id)) +
                ",\"producto\":" + json::serialize(json::value(l.product_name)) +
                ",\"precio\":" + decimal(l.price_cents);
    if (l.quantity != 1) products += ",\"cantidad\":" + std::to_string(l.quantity);
    products += "}";
  }
  products += "]";
  body["timestamp"] = o.timestamp;
  std::string text = json::serialize(body);
  text.insert(text.size() - 1, ",\"productos\":" + products);
  o.body = std::move(text);
  return o;
}

// Compares an order as the server shows it with what was sent.
void compare(const json::value& shown, const SentOrder& sent, const std::string& where) {
  const std::string what = where + ": order " + sent.id + " ";
  const auto& o = shown.as_object();
  require(o.at("pedido_id").as_string() == sent.id, what + "has another pedido_id");
  const auto& courier = o.at("repartidor").as_object();
  require(courier.at("IdRepartidor").is_int64() &&
              courier.at("IdRepartidor").as_int64() == sent.courier,
          what + "changed its IdRepartidor");
  require(courier.at("Nombre").as_string() == sent.courier_name, what + "changed its Nombre");
  const auto& lines = o.at("productos").as_array();
  require(lines.size() == sent.lines.size(), what + "has another number of products");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& l = lines[i].as_object();
    const auto& s = sent.lines[i];
    require(l.at("IdProducto").as_string() == s.product_id, what + "changed an IdProducto");
    require(l.at("producto").as_string() == s.product_name, what + "changed a producto");
    require(cents_of(l.at("precio")) == s.price_cents, what + "changed a precio");
    const std::int64_t quantity = l.contains("cantidad") ? l.at("cantidad").as_int64() : 1;
    require(quantity == s.quantity, what + "changed a cantidad");
  }
  require(o.at("timestamp").as_string() == sent.timestamp,
          what + "changed its timestamp: " + std::string(o.at("timestamp").as_string()) +
              " instead of " + sent.timestamp);
  require(o.at("fecha").as_string() == sent.day, what + "is on another day");
  require(cents_of(o.at("total")) == sent.total_cents(), what + "has another total");
  require(o.at("unidades").as_int64() == sent.units(), what + "has other units");
}

// ---------------------------------------------------------------------------
// Shared state of the run: what was sent, what was acknowledged

class Ledger {
 public:
  // Records an order before it is first sent.
  void sent(const SentOrder& order) {
    std::lock_guard lock(mutex_);
    orders_.emplace(order.id, order);
    days_touched_.insert(order.day);
  }
  void resent(const SentOrder& order) {
    std::lock_guard lock(mutex_);
    days_touched_.insert(order.day);
  }
  void acknowledged(const std::string& id) {
    std::lock_guard lock(mutex_);
    orders_.at(id).acknowledged = true;
    ++acks_;
    acked_this_round_.push_back(id);
  }
  void problem(std::string what) {
    std::lock_guard lock(mutex_);
    if (problem_.empty()) problem_ = std::move(what);
  }

  // Only while the clients are parked.
  std::map<std::string, SentOrder>& orders() { return orders_; }
  std::set<std::string> take_days_touched() { return std::exchange(days_touched_, {}); }
  std::vector<std::string> take_acked_this_round() { return std::exchange(acked_this_round_, {}); }
  std::string problem() {
    std::lock_guard lock(mutex_);
    return problem_;
  }
  std::int64_t acks() {
    std::lock_guard lock(mutex_);
    return acks_;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, SentOrder> orders_;
  std::set<std::string> days_touched_;
  std::vector<std::string> acked_this_round_;
  std::int64_t acks_ = 0;
  std::string problem_;
};

// Where the server is: a generation number bumped at each start, and whether
// clients may send new orders or only drain their retries.
class Control {
 public:
  enum class Mode { load, drain, stop };

  void start(unsigned short port, std::string token, Mode mode) {
    std::lock_guard lock(mutex_);
    port_ = port;
    token_ = std::move(token);
    mode_ = mode;
    ++generation_;
    parked_ = 0;
    changed_.notify_all();
  }
  void finish() {
    std::lock_guard lock(mutex_);
    mode_ = Mode::stop;
    ++generation_;
    changed_.notify_all();
  }

  // A client that cannot reach the server (generation `seen`) waits here for
  // the next start. Returns false when the run is over.
  struct Target {
    unsigned short port;
    std::string token;
    Mode mode;
    std::uint64_t generation;
  };
  Target wait_for_start(std::uint64_t seen) {
    std::unique_lock lock(mutex_);
    ++parked_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return generation_ != seen; });
    return {port_, token_, mode_, generation_};
  }
  Target current() {
    std::lock_guard lock(mutex_);
    return {port_, token_, mode_, generation_};
  }
  // Waits, with a deadline, until `n` clients are parked.
  bool wait_parked(int n, std::chrono::seconds deadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, deadline, [&] { return parked_ >= n; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  unsigned short port_ = 0;
  std::string token_;
  Mode mode_ = Mode::load;
  std::uint64_t generation_ = 0;
  int parked_ = 0;
};

// One courier's device: sends orders one at a time, keeping the one not yet
// acknowledged and sending it again until it is.
void client_loop(int index, unsigned seed, Ledger& ledger, Control& control) {
  std::mt19937 rng(seed);
  std::optional<SentOrder> pending;
  std::uint64_t n = 0;
  auto target = control.wait_for_start(0);
  while (target.mode != Control::Mode::stop) {
    HttpClient client(target.port);
    bool reachable = true;
    while (reachable) {
      if (!pending) {
        if (target.mode == Control::Mode::drain) break;
        const auto now = control.current();
        if (now.generation != target.generation) break;  // a new day started under us
        pending = make_order(rng, "crash-" + std::to_string(seed) + "-" + std::to_string(++n),
                             index, day_for_round(static_cast<int>(target.generation)));
        ledger.sent(*pending);
      } else {
        ledger.resent(*pending);
      }
      try {
        const HttpResponse r =
            client.post_json("/registrar_pedido_entregado", pending->body, target.token);
        if (r.status == 200) {
          const auto shown = r.json().at("pedido");
          compare(shown, *pending, "the 200 answer");
          ledger.acknowledged(pending->id);
          pending.reset();
        } else if (r.status == 503) {
          // Not stored: the device tries again (the server said so).
          require(!r.header("retry-after").empty(), "a 503 without Retry-After");
        } else {
          ledger.problem("order " + pending->id + " answered " + std::to_string(r.status) + ": " +
                         r.body);
          reachable = false;
        }
      } catch (const boost::system::system_error&) {
        reachable = false;  // the server is gone: wait for it to come back
      } catch (const std::exception& e) {
        ledger.problem(std::string("order ") + pending->id + ": " + e.what());
        reachable = false;
      }
    }
    // The server is gone, or (draining) nothing is left to send: park.
    target = control.wait_for_start(target.generation);
  }
}

// ---------------------------------------------------------------------------
// Checks

std::string login(unsigned short port) {
  HttpClient client(port);
  const auto r = client.post_json(
      "/token", json::serialize(json::object{{"username", "admin"}, {"password", kPassword}}));
  require(r.status == 200, "login answered " + std::to_string(r.status) + ": " + r.body);
  return std::string(r.json().at("access_token").as_string());
}

void integrity_check(const fs::path& db_path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::string result;
  if (rc == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr) == SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        result += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        result += "\n";
      }
      sqlite3_finalize(stmt);
    } else {
      result = sqlite3_errmsg(db);
    }
  } else {
    result = db ? sqlite3_errmsg(db) : "cannot open";
  }
  sqlite3_close(db);
  require(result == "ok\n", "PRAGMA integrity_check: " + result);
}

// Every order of `day` (or of every day when empty) as listed, page by page.
std::vector<json::value> list_orders(HttpClient& client, const std::string& token,
                                     const std::string& day) {
  std::vector<json::value> out;
  std::string target = "/pedidos?limit=1000" + (day.empty() ? "" : "&fecha=" + day);
  for (int pages = 0;; ++pages) {
    require(pages < 100'000, "the listing never ends");
    const auto r = client.get(target, token);
    require(r.status == 200, "GET " + target + " answered " + std::to_string(r.status));
    const auto page = r.json();
    for (const auto& o : page.at("pedidos").as_array()) out.push_back(o);
    const auto& next = page.at("next_cursor");
    if (next.is_null()) break;
    target = "/pedidos?limit=1000&cursor=" + std::string(next.as_string()) +
             (day.empty() ? "" : "&fecha=" + day);
  }
  return out;
}

struct Totals {
  std::int64_t orders = 0, units = 0, sales = 0;
  friend bool operator==(const Totals&, const Totals&) = default;
};

void check_metrics(HttpClient& client, const std::string& token, const std::string& day,
                   const std::vector<const SentOrder*>& stored) {
  Totals expected;
  std::map<std::string, Totals> products, couriers;
  std::map<int, Totals> hours;
  for (const auto* o : stored) {
    expected.orders += 1;
    expected.units += o->units();
    expected.sales += o->total_cents();
    hours[o->hour].orders += 1;
    hours[o->hour].sales += o->total_cents();
    auto& c = couriers[std::to_string(o->courier)];
    c.orders += 1;
    c.units += o->units();
    c.sales += o->total_cents();
    for (const auto& l : o->lines) {
      products[l.product_name].units += l.quantity;
      products[l.product_name].sales += l.price_cents * l.quantity;
    }
  }
  const auto r = client.get("/metrics?fecha=" + day, token);
  require(r.status == 200, "GET /metrics answered " + std::to_string(r.status));
  const auto m = r.json().as_object();
  const std::string what = "metrics of " + day + ": ";
  require(m.at("total_pedidos").as_int64() == expected.orders,
          what + "total_pedidos " + std::to_string(m.at("total_pedidos").as_int64()) +
              " but the stored orders count " + std::to_string(expected.orders));
  require(m.at("unidades").as_int64() == expected.units, what + "unidades differ");
  require(cents_of(m.at("acumulado_ventas_dia")) == expected.sales,
          what + "acumulado_ventas_dia differs");
  std::map<std::string, Totals> shown_products;
  for (const auto& p : m.at("productos").as_array()) {
    auto& t = shown_products[std::string(p.at("producto").as_string())];
    t.units = p.at("unidades").as_int64();
    t.sales = cents_of(p.at("ventas"));
  }
  require(shown_products == products, what + "per-product figures differ");
  for (const auto& h : m.at("ventas_por_hora").as_array()) {
    const int hour = static_cast<int>(h.at("hora").as_int64());
    const Totals shown{h.at("pedidos").as_int64(), 0, cents_of(h.at("ventas"))};
    const auto it = hours.find(hour);
    require(shown == (it == hours.end() ? Totals{} : it->second),
            what + "hour " + std::to_string(hour) + " differs");
  }
  std::map<std::string, Totals> shown_couriers;
  for (const auto& c : m.at("repartidores").as_array()) {
    auto& t = shown_couriers[json::serialize(c.at("IdRepartidor"))];
    t = {c.at("pedidos").as_int64(), c.at("unidades").as_int64(), cents_of(c.at("ventas"))};
  }
  require(shown_couriers == couriers, what + "per-courier figures differ");
}

// Checks `days` (every day when `all`); returns how many orders were listed.
std::size_t verify(Ledger& ledger, unsigned short port, const std::string& token,
                   const std::set<std::string>& days, const std::vector<std::string>& acked_now,
                   bool all) {
  HttpClient client(port);
  auto& orders = ledger.orders();
  std::map<std::string, std::vector<const SentOrder*>> by_day;
  std::set<std::string> listed_ids;
  std::size_t listed = 0;
  const auto check_listing = [&](const std::vector<json::value>& rows, const std::string& day) {
    for (const auto& row : rows) {
      const std::string id(row.at("pedido_id").as_string());
      const auto it = orders.find(id);
      require(it != orders.end(), "order " + id + " is stored but was never sent");
      require(listed_ids.insert(id).second, "order " + id + " is listed more than once");
      require(day.empty() || it->second.day == day, "order " + id + " is listed on another day");
      compare(row, it->second, "the listing");
      by_day[it->second.day].push_back(&it->second);
      ++listed;
    }
  };
  if (all) {
    check_listing(list_orders(client, token, ""), "");
  } else {
    for (const auto& day : days) check_listing(list_orders(client, token, day), day);
  }
  for (const auto& [id, order] : orders) {
    if (order.acknowledged && (all || days.contains(order.day))) {
      require(listed_ids.contains(id), "acknowledged order " + id + " is missing");
    }
  }
  for (const auto& id : acked_now) {
    const auto r = client.get("/pedidos/" + id, token);
    require(r.status == 200, "GET /pedidos/" + id + " answered " + std::to_string(r.status));
    compare(r.json(), orders.at(id), "GET /pedidos/{id}");
  }
  std::set<std::string> metric_days = days;
  if (all) {
    for (const auto& [id, order] : orders) metric_days.insert(order.day);
  }
  for (const auto& day : metric_days) check_metrics(client, token, day, by_day[day]);
  return listed;
}

// ---------------------------------------------------------------------------

int run(const Options& options) {
  std::cout << "crash test: " << options.rounds << " SIGKILL rounds, " << options.sigterm_rounds
            << " SIGTERM rounds, " << options.clients << " clients, kill after " << options.min_ms
            << ".." << options.max_ms << " ms, seed " << options.seed << std::endl;
  auto scratch = std::make_unique<TempDir>();
  const fs::path data_dir = scratch->path() / "data";
  ServerProcess::Options server_options;
  server_options.data_dir = data_dir;
  server_options.env = {{"CARGOMON_ADMIN_PASSWORD", kPassword}};
  server_options.extra_args = {"--threads", "2"};
  if (!options.store.empty()) {
    server_options.extra_args.insert(server_options.extra_args.end(), {"--store", options.store});
    // A shared store wants the token secret given (any will do: one instance).
    server_options.env["CARGOMON_JWT_SECRET"] =
        "crash-test-secret-crash-test-secret-crash-test-secret";
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts
    if (const char* endpoint = std::getenv("CARGOMON_TEST_DYNAMODB_ENDPOINT")) {
      server_options.env["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint;
    }
  }
  const auto check_file = [&] {
    if (options.store.empty()) integrity_check(data_dir / "cargomon.db");
  };

  Ledger ledger;
  Control control;
  std::vector<std::thread> clients;
  for (int i = 0; i < options.clients; ++i) {
    clients.emplace_back(client_loop, i, options.seed * 1000 + static_cast<unsigned>(i),
                         std::ref(ledger), std::ref(control));
  }
  std::mt19937 rng(options.seed);
  const auto started = Clock::now();
  int exit_code = 0;
  std::unique_ptr<ServerProcess> server;

  const auto park_clients = [&] {
    require(control.wait_parked(options.clients, std::chrono::seconds(60)),
            "clients did not notice the server was gone within 60 s");
  };
  const auto restart_and_verify = [&](const std::string& label, bool all) {
    server = std::make_unique<ServerProcess>(server_options);
    auto token = login(server->port());
    const auto days = ledger.take_days_touched();
    const auto acked = ledger.take_acked_this_round();
    const auto listed = verify(ledger, server->port(), token, days, acked, all);
    std::cout << label << ": " << acked.size() << " acknowledged (" << ledger.acks() << " in all), "
              << listed << " orders checked on " << (all ? "every" : "")
              << (all ? " day" : std::to_string(days.size()) + " day(s)") << ", integrity ok"
              << std::endl;
    return token;
  };

  try {
    server = std::make_unique<ServerProcess>(server_options);
    std::string token = login(server->port());
    const int total_rounds = options.rounds + options.sigterm_rounds;
    for (int round = 1; round <= total_rounds; ++round) {
      const bool sigterm = round > options.rounds;
      control.start(server->port(), token, Control::Mode::load);
      const auto load_for = std::chrono::milliseconds(
          std::uniform_int_distribution<int>(options.min_ms, options.max_ms)(rng));
      // The load runs for a random time: that is the moment of the crash, not
      // a wait for an outcome.
      std::this_thread::sleep_for(load_for);
      require(ledger.problem().empty(), ledger.problem());
      std::string label = "round " + std::to_string(round) + " (" +
                          (sigterm ? "SIGTERM" : "SIGKILL") + " after " +
                          std::to_string(load_for.count()) + " ms)";
      if (sigterm) {
        const auto t0 = Clock::now();
        const int status = server->stop(options.sigterm_bound);
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
        require(status == 0, label + ": the server exited with status " + std::to_string(status) +
                                 " (-1: not within " +
                                 std::to_string(options.sigterm_bound.count()) + " s)");
        label += ", exited 0 in " + std::to_string(took.count()) + " ms";
      } else {
        server->kill();
      }
      server.reset();
      park_clients();
      require(ledger.problem().empty(), ledger.problem());
      check_file();
      token = restart_and_verify(label, false);
    }
    // Drain: every client sends its last unacknowledged order until it is.
    control.start(server->port(), token, Control::Mode::drain);
    park_clients();
    require(ledger.problem().empty(), ledger.problem());
    server->kill();
    server.reset();
    check_file();
    restart_and_verify("final check", true);
    for (const auto& [id, order] : ledger.orders()) {
      require(order.acknowledged, "order " + id + " was never acknowledged after draining");
    }
    std::cout << "crash test passed: " << ledger.acks() << " orders acknowledged in "
              << std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count()
              << " s" << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "CRASH TEST FAILED (seed " << options.seed << "): " << e.what() << std::endl;
    if (server) std::cerr << "server output:\n" << server->output() << std::endl;
    exit_code = 1;
  }
  control.finish();
  for (auto& t : clients) t.join();
  server.reset();
  if (exit_code != 0 || options.keep) {
    const fs::path kept =
        fs::temp_directory_path() / ("cargomon-crash-" + std::to_string(options.seed));
    std::error_code ec;
    fs::remove_all(kept, ec);
    fs::rename(data_dir, kept, ec);
    if (!ec) std::cerr << "data directory kept in " << kept << std::endl;
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_options(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "crash_test: " << e.what() << std::endl;
    return 2;
  }
}
