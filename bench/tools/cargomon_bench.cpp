// cargomon-bench: the measurements of the benchmark suite that neither wrk
// nor `cargomon simulate` can make (bench/run.sh drives it).
//
//   orders       random orders as DynamoDB export lines, to bulk-load a store
//                through `cargomon import -`
//   freshness    order acknowledged → `pedido` event at 1,000 live streams
//                (freshness.cpp)
//   hostile      every kind of hostile client at once, and what a normal
//                courier, viewer and /healthz see meanwhile (hostile.cpp)
//   wait-ready   how long after its start a (re)starting server answers
//                /readyz
//   deep-cursor  the cursor of a page N orders deep, for wrk to fetch
//   lambda       cold starts and warm invocations of `cargomon lambda`
//                against the stand-in Runtime API (lambda_bench.cpp)
//
// Results go to stdout as one JSON object per line; progress and errors go
// to stderr.

#include <date/date.h>
#include <date/tz.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <random>

#include "api/json.hpp"
#include "bench_tool.hpp"
#include "net/http_client.hpp"
#include "sim/catalog.hpp"
#include "sim/http_connection.hpp"

namespace cargomon::bench {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

// As early as static initialization allows: wait-ready reports the time since
// the tool started, which the orchestrator takes for the server's start.
const SteadyClock::time_point tool_start = SteadyClock::now();

int exit_status = 0;

// The password from the option, else from the environment variable.
std::string password_or_env(const std::string& given, const char* variable) {
  if (!given.empty()) return given;
  const char* value = std::getenv(variable);
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(std::string("no password: give it as an option or in ") + variable);
  }
  return value;
}

sim::ServerUrl server_url(const std::string& text) {
  auto parsed = sim::parse_server_url(text);
  if (auto* error = std::get_if<std::string>(&parsed)) throw std::runtime_error(*error);
  return std::get<sim::ServerUrl>(std::move(parsed));
}

// One keep-alive connection for GET requests, reconnecting when the server
// closed it. Failures come back as values (wait-ready expects many).
class GetClient {
 public:
  GetClient(asio::any_io_executor executor, const sim::ServerUrl& url)
      : client_(std::move(executor), net::ServerAddress::resolve(url.host, url.port),
                bench_client_options()) {}

  asio::awaitable<net::Result> get(const std::string& target, const std::string& bearer,
                                   SteadyClock::time_point deadline) {
    net::Request request;
    request.target = target;
    const std::string authorization = "Bearer " + bearer;
    if (!bearer.empty()) request.headers.emplace_back("Authorization", authorization);
    co_return co_await client_.request(request, deadline);
  }

 private:
  static net::ClientOptions bench_client_options() {
    net::ClientOptions options;
    options.user_agent = "cargomon-bench";
    options.body_limit = std::uint64_t{256} << 20;  // a page of 1,000 orders and more
    options.kept_headers = std::vector<std::string>{};
    return options;
  }

  net::HttpClient client_;
};

// ---------------------------------------------------------------------------
// orders

struct OrdersOptions {
  std::uint64_t count = 0;
  std::optional<std::uint64_t> seed;
  unsigned days = 1;
  std::string timezone = "America/Bogota";
};

// Writes everything or throws (a closed pipe: the importer stopped).
void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("cannot write the orders: ") + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

void append_digits(std::string& out, std::uint64_t value, int width) {
  std::array<char, 20> digits{};
  for (int i = width - 1; i >= 0; --i) {
    digits[static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(digits.data(), static_cast<std::size_t>(width));
}

// A DynamoDB string attribute: {"S":"…"} with the text JSON-escaped.
std::string dynamodb_string(std::string_view text) {
  api::JsonWriter quoted;
  quoted.string(text);
  return R"({"S":)" + quoted.str() + "}";
}

// DynamoDB export lines ({"Item": {…}} per line, what `cargomon import`
// reads) of random orders from the simulator's default catalog. Fragments
// are rendered once; an order is put together by concatenation, and lines
// leave through a 1 MiB buffer, so a million orders take seconds.
int run_orders(const OrdersOptions& o) {
  const auto catalog = sim::default_catalog();
  std::vector<std::string> couriers;  // `"repartidor":{"M":{…}}`
  for (const auto& courier : catalog.couriers) {
    const std::string id = courier.id.is_number ? R"({"N":")" + courier.id.text + "\"}"
                                                : dynamodb_string(courier.id.text);
    couriers.push_back(R"("repartidor":{"M":{"IdRepartidor":)" + id +
                       ",\"Nombre\":" + dynamodb_string(courier.name) + "}}");
  }
  std::vector<std::string> products;  // `{"M":{"IdProducto":…}}`
  for (const auto& product : catalog.products) {
    products.push_back(R"({"M":{"IdProducto":)" + dynamodb_string(product.id) +
                       ",\"producto\":" + dynamodb_string(product.name) + R"(,"precio":{"N":")" +
                       product.price.to_decimal() + "\"}}}");
  }

  // Times are written as local wall-clock time without an offset, as the
  // original couriers' script did; the importer reads them in its business
  // timezone. They are spread uniformly from midnight `days - 1` days ago up
  // to now, so that none is in the future.
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(o.timezone);
  } catch (const std::exception&) {
    throw std::runtime_error("unknown time zone '" + o.timezone + "'");
  }
  using std::chrono::microseconds;
  const auto now =
      zone->to_local(std::chrono::floor<microseconds>(std::chrono::system_clock::now()));
  const auto first_day = date::floor<date::days>(now) - date::days(o.days - 1);
  const auto span = static_cast<std::uint64_t>((now - first_day).count()) + 1;
  std::vector<std::string> day_prefix;  // "2024-09-12 "
  for (unsigned d = 0; d < o.days; ++d) {
    const date::year_month_day ymd{first_day + date::days(d)};
    std::string prefix;
    append_digits(prefix, static_cast<std::uint64_t>(static_cast<int>(ymd.year())), 4);
    prefix += '-';
    append_digits(prefix, static_cast<unsigned>(ymd.month()), 2);
    prefix += '-';
    append_digits(prefix, static_cast<unsigned>(ymd.day()), 2);
    prefix += ' ';
    day_prefix.push_back(std::move(prefix));
  }

  std::mt19937_64 random(o.seed ? *o.seed : std::random_device{}());
  // Multiply-shift: uniform enough for n far below 2^32, and much cheaper
  // than std::uniform_int_distribution.
  const auto pick = [&random](std::uint64_t n) { return ((random() >> 32) * n) >> 32; };
  constexpr std::uint64_t micros_per_day = 86'400'000'000;
  static constexpr char hex[] = "0123456789abcdef";

  std::string out;
  constexpr std::size_t flush_at = std::size_t{1} << 20;
  out.reserve(flush_at + std::size_t{16} * 1024);
  const auto started = SteadyClock::now();
  for (std::uint64_t i = 0; i < o.count; ++i) {
    // pedido_id: a UUID v4 from 122 random bits, as the devices send.
    std::array<std::uint64_t, 2> words{random(), random()};
    words[0] = (words[0] & ~std::uint64_t{0xF000}) | 0x4000;
    words[1] = (words[1] & ~(std::uint64_t{3} << 62)) | (std::uint64_t{2} << 62);
    out += R"({"Item":{"pedido_id":{"S":")";
    for (int n = 0; n < 32; ++n) {
      if (n == 8 || n == 12 || n == 16 || n == 20) out += '-';
      out += hex[(words[static_cast<std::size_t>(n / 16)] >> (60 - 4 * (n % 16))) & 0xF];
    }
    out += "\"},";
    out += couriers[pick(couriers.size())];
    out += R"(,"productos":{"L":[)";
    const auto lines = 1 + pick(10);
    for (std::uint64_t line = 0; line < lines; ++line) {
      if (line > 0) out += ',';
      out += products[pick(products.size())];
    }
    out += R"(]},"timestamp":{"S":")";
    const std::uint64_t offset = random() % span;
    std::uint64_t time_of_day = offset % micros_per_day;
    out += day_prefix[offset / micros_per_day];
    append_digits(out, time_of_day / 3'600'000'000, 2);
    out += ':';
    append_digits(out, time_of_day / 60'000'000 % 60, 2);
    out += ':';
    append_digits(out, time_of_day / 1'000'000 % 60, 2);
    out += '.';
    append_digits(out, time_of_day % 1'000'000, 6);
    out += "\"}}}\n";
    if (out.size() >= flush_at) {
      write_all(STDOUT_FILENO, out);
      out.clear();
    }
  }
  write_all(STDOUT_FILENO, out);
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  std::cerr << "cargomon-bench orders: " << o.count << " orders over " << o.days
            << (o.days == 1 ? " day" : " days") << " (" << o.timezone << ") written in "
            << milliseconds(static_cast<std::uint64_t>(seconds * 1e6))
            << " ms (a pipe's reader sets the pace)\n";
  return 0;
}

// ---------------------------------------------------------------------------
// wait-ready

struct WaitReadyOptions {
  std::string url;
  double timeout = 30;
};

// Polls GET /readyz every millisecond until it answers 200. A refused
// connection (not listening yet) or a 503 (store not answering yet) is
// simply tried again at the next millisecond.
int run_wait_ready(const WaitReadyOptions& o) {
  const auto url = server_url(o.url);
  const auto deadline = tool_start + std::chrono::duration_cast<SteadyClock::duration>(
                                         std::chrono::duration<double>(o.timeout));
  asio::io_context io;
  GetClient client(io.get_executor(), url);
  const auto ready_at =
      run_to_completion(io, [&]() -> asio::awaitable<std::optional<SteadyClock::time_point>> {
        asio::steady_timer tick(io);
        std::string last_failure = "no attempt";
        for (;;) {
          const auto attempt = SteadyClock::now();
          if (attempt >= deadline) {
            std::cerr << "cargomon-bench wait-ready: not ready after " << o.timeout
                      << " s (last: " << last_failure << ")\n";
            co_return std::nullopt;
          }
          const auto reply = co_await client.get(url.base_path + "/readyz", "", deadline);
          if (reply.response && reply.response->status == 200) co_return SteadyClock::now();
          last_failure = reply.response ? "status " + std::to_string(reply.response->status)
                                        : reply.error.message();
          tick.expires_at(attempt + std::chrono::milliseconds(1));
          co_await tick.async_wait(asio::use_awaitable);
        }
      }());
  if (!ready_at) return 1;
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(*ready_at - tool_start).count();
  std::cout << R"({"ready_ms":)" << milliseconds(static_cast<std::uint64_t>(micros)) << "}"
            << std::endl;
  return 0;
}

// ---------------------------------------------------------------------------
// deep-cursor

struct DeepCursorOptions {
  std::string url;
  std::string username;
  std::string password;
  std::uint64_t skip = 0;
};

// Pages through GET /pedidos (newest first) 1,000 orders at a time, the last
// page short, so that the cursor it ends with starts exactly `skip` orders
// deep.
int run_deep_cursor(const DeepCursorOptions& o) {
  const auto url = server_url(o.url);
  const auto password = password_or_env(o.password, "CARGOMON_BENCH_PASSWORD");
  asio::io_context io;
  const auto factory = sim::make_http_connection_factory(url, std::chrono::seconds(30));
  const auto login = factory->make(io.get_executor());
  const auto token = run_to_completion(io, log_in(*login, url.base_path, o.username, password));
  GetClient client(io.get_executor(), url);
  struct Walk {
    std::string cursor;
    std::uint64_t skipped = 0;
  };
  const auto walk = run_to_completion(io, [&]() -> asio::awaitable<Walk> {
    Walk walk;
    std::uint64_t next_report = 100'000;
    while (walk.skipped < o.skip) {
      const auto limit = std::min<std::uint64_t>(1000, o.skip - walk.skipped);
      std::string target = url.base_path + "/pedidos?limit=" + std::to_string(limit);
      // base64url: nothing to escape in a query string
      if (!walk.cursor.empty()) target += "&cursor=" + walk.cursor;
      const auto reply =
          co_await client.get(target, token, SteadyClock::now() + std::chrono::seconds(60));
      if (!reply.response) throw std::runtime_error("GET /pedidos: " + reply.error.message());
      if (reply.response->status != 200) {
        throw std::runtime_error("GET /pedidos: status " + std::to_string(reply.response->status) +
                                 " " + reply.response->body);
      }
      const auto page = boost::json::parse(reply.response->body).as_object();
      walk.skipped += page.at("pedidos").as_array().size();
      const auto& next = page.at("next_cursor");
      if (!next.is_string()) break;  // the end of the orders
      walk.cursor = std::string(next.as_string());
      if (walk.skipped >= next_report) {
        std::cerr << "cargomon-bench deep-cursor: " << walk.skipped << " orders skipped\n";
        next_report += 100'000;
      }
    }
    co_return walk;
  }());
  if (walk.skipped < o.skip) {
    std::cerr << "cargomon-bench deep-cursor: only " << walk.skipped << " orders stored, not "
              << o.skip << "\n";
    return 1;
  }
  api::JsonWriter out;
  out.begin_object()
      .key("cursor")
      .string(walk.cursor)
      .key("skipped")
      .number(static_cast<std::int64_t>(walk.skipped))
      .end_object();
  std::cout << out.str() << std::endl;
  return 0;
}

// Runs a command, turning an exception into a message and status 1.
template <class Run>
void guarded(const char* command, Run run) {
  try {
    exit_status = run();
  } catch (const std::exception& e) {
    std::cerr << "cargomon-bench " << command << ": error: " << e.what() << "\n";
    exit_status = 1;
  }
}

}  // namespace

asio::awaitable<std::string> log_in(sim::Connection& connection, const std::string& base_path,
                                    const std::string& username, const std::string& password) {
  api::JsonWriter body;
  body.begin_object().key("username").string(username).key("password").string(password);
  body.end_object();
  const auto exchange = co_await connection.post(base_path + "/token", "", body.str());
  if (!exchange.reply) {
    throw std::runtime_error("cannot log in as " + username + ": " + exchange.error);
  }
  if (exchange.reply->status != 200) {
    throw std::runtime_error("cannot log in as " + username + ": status " +
                             std::to_string(exchange.reply->status) + " " + exchange.reply->body);
  }
  co_return std::string(boost::json::parse(exchange.reply->body).at("access_token").as_string());
}

std::string milliseconds(std::uint64_t micros) {
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%.3f", static_cast<double>(micros) / 1000.0);
  return text.data();
}

}  // namespace cargomon::bench

int main(int argc, char** argv) {
  using namespace cargomon::bench;
  // A closed stdout (the importer died) is an error to report, not a signal.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"cargomon-bench: measurements for the cargomon benchmark suite"};
  app.require_subcommand(1);

  auto orders = std::make_shared<OrdersOptions>();
  auto* orders_cmd = app.add_subcommand(
      "orders", "Write random orders as DynamoDB export lines to stdout, for `cargomon import -`");
  orders_cmd->add_option("--count", orders->count, "How many orders")
      ->required()
      ->check(CLI::PositiveNumber);
  orders_cmd->add_option("--seed", orders->seed, "Seed (ids, couriers, products, times)");
  orders_cmd
      ->add_option("--days", orders->days,
                   "Spread the orders over today and the days before it (1: today only)")
      ->check(CLI::Range(1, 36'500))
      ->capture_default_str();
  orders_cmd->add_option("--timezone", orders->timezone, "Business timezone of the timestamps")
      ->capture_default_str();
  orders_cmd->callback([orders] { guarded("orders", [&] { return run_orders(*orders); }); });

  auto fresh = std::make_shared<FreshnessOptions>();
  auto* fresh_cmd = app.add_subcommand(
      "freshness",
      "Open SSE streams, register orders at a fixed rate and measure how long after each "
      "order's 200 its `pedido` event reaches every stream");
  fresh_cmd->add_option("--url", fresh->url, "Base URL of the server (http)")->required();
  fresh_cmd->add_option("--username", fresh->username, "Courier (or admin) registering orders")
      ->required();
  fresh_cmd->add_option("--password", fresh->password,
                        "Its password (else CARGOMON_BENCH_PASSWORD)");
  fresh_cmd
      ->add_option("--viewer-username", fresh->viewer_username,
                   "Viewer (or admin) opening the streams")
      ->required();
  fresh_cmd->add_option("--viewer-password", fresh->viewer_password,
                        "Its password (else CARGOMON_BENCH_VIEWER_PASSWORD)");
  fresh_cmd->add_option("--streams", fresh->streams, "SSE streams to open")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  fresh_cmd->add_option("--rate", fresh->rate, "Orders per second, open loop")
      ->check(CLI::Range(0.001, 10'000'000.0))
      ->capture_default_str();
  fresh_cmd->add_option("--duration", fresh->duration, "Seconds of ingestion")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  fresh_cmd->add_option("--connections", fresh->connections, "Keep-alive connections for orders")
      ->check(CLI::Range(1, 10'000))
      ->capture_default_str();
  fresh_cmd
      ->add_option("--hold-seconds", fresh->hold_seconds,
                   "Once every stream is open, print {\"phase\":\"streams_open\"} and wait this "
                   "long before ingesting")
      ->check(CLI::NonNegativeNumber);
  fresh_cmd->add_option("--threads", fresh->threads, "Threads running the client")
      ->check(CLI::Range(1, 2))
      ->capture_default_str();
  fresh_cmd
      ->add_option("--connect-timeout", fresh->connect_timeout,
                   "Seconds for every stream to open and receive its first metrics event")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  fresh_cmd
      ->add_option("--drain-seconds", fresh->drain_seconds,
                   "After the last order, how long to wait for events still on their way")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  fresh_cmd->add_option("--timeout", fresh->request_timeout, "Seconds an order's request may take")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  fresh_cmd->add_option("--seed", fresh->seed, "Seed for the couriers and products");
  fresh_cmd
      ->add_option("--timezone", fresh->timezone,
                   "Business timezone of the server: order timestamps are its local time")
      ->capture_default_str();
  fresh_cmd->callback([fresh] {
    guarded("freshness", [&] {
      fresh->password = password_or_env(fresh->password, "CARGOMON_BENCH_PASSWORD");
      fresh->viewer_password =
          password_or_env(fresh->viewer_password, "CARGOMON_BENCH_VIEWER_PASSWORD");
      return run_freshness(*fresh);
    });
  });

  auto hostile = std::make_shared<HostileOptions>();
  auto* hostile_cmd = app.add_subcommand(
      "hostile",
      "Attack the server with streams that never read, a courier inventing products, "
      "unknown-user logins, idle sockets and a Last-Event-ID: 0 reconnect storm, all at once, "
      "while a normal courier and viewer work; their latencies and the attackers' answers");
  hostile_cmd->add_option("--url", hostile->url, "Base URL of the server (http)")->required();
  hostile_cmd->add_option("--username", hostile->username, "The normal courier")->required();
  hostile_cmd->add_option("--password", hostile->password,
                          "Its password (else CARGOMON_BENCH_PASSWORD)");
  hostile_cmd->add_option("--viewer-username", hostile->viewer_username, "The normal viewer")
      ->required();
  hostile_cmd->add_option("--viewer-password", hostile->viewer_password,
                          "Its password (else CARGOMON_BENCH_VIEWER_PASSWORD)");
  hostile_cmd->add_option("--flood-username", hostile->flood_username,
                          "Courier inventing product names (needed unless --flood-connections 0)");
  hostile_cmd->add_option("--silent-viewer", hostile->silent_viewers,
                          "Viewer opening the streams that never read (repeat: the streams go "
                          "round-robin over them)");
  hostile_cmd->add_option("--storm-viewer", hostile->storm_viewer,
                          "Viewer of the Last-Event-ID: 0 reconnect storm");
  hostile_cmd->add_option(
      "--attacker-password", hostile->attacker_password,
      "Password of every attacker user (else CARGOMON_BENCH_ATTACKER_PASSWORD)");
  hostile_cmd->add_option("--duration", hostile->duration, "Seconds of attack")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  hostile_cmd->add_option("--threads", hostile->threads, "Threads running the clients")
      ->check(CLI::Range(1, 2))
      ->capture_default_str();
  hostile_cmd
      ->add_option("--courier-rate", hostile->courier_rate,
                   "The normal courier's orders per second, open loop")
      ->check(CLI::Range(0.001, 100'000.0))
      ->capture_default_str();
  hostile_cmd
      ->add_option("--courier-connections", hostile->courier_connections,
                   "Its keep-alive connections")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  hostile_cmd
      ->add_option("--health-rate", hostile->health_rate, "GET /healthz per second, open loop")
      ->check(CLI::Range(0.001, 10'000.0))
      ->capture_default_str();
  hostile_cmd
      ->add_option("--silent-streams", hostile->silent_streams, "Streams that never read (0: none)")
      ->check(CLI::Range(0, 100'000))
      ->capture_default_str();
  hostile_cmd
      ->add_option("--silent-addresses", hostile->silent_addresses,
                   "Client addresses they come from, round-robin: 127.0.0.10 and up")
      ->check(CLI::Range(1, 90))
      ->capture_default_str();
  hostile_cmd
      ->add_option("--flood-connections", hostile->flood_connections,
                   "Connections of the flooding courier, closed loop (0: none)")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  hostile_cmd
      ->add_option("--flood-lines", hostile->flood_lines,
                   "Products per flood order, every one new (the server allows 1,000)")
      ->check(CLI::Range(1, 10'000))
      ->capture_default_str();
  hostile_cmd
      ->add_option("--unknown-logins", hostile->unknown_logins,
                   "Clients posting logins of unknown users from 127.0.0.3, at once (0: none)")
      ->check(CLI::Range(0, 100'000))
      ->capture_default_str();
  hostile_cmd
      ->add_option("--login-pause", hostile->login_pause,
                   "Seconds between one such client's logins")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  hostile_cmd
      ->add_option("--idle-sockets", hostile->idle_sockets,
                   "Connections from 127.0.0.2 that send nothing (0: none)")
      ->check(CLI::Range(0, 100'000))
      ->capture_default_str();
  hostile_cmd
      ->add_option("--storm-clients", hostile->storm_clients,
                   "Clients reconnecting to /eventos with Last-Event-ID: 0 (0: none)")
      ->check(CLI::Range(0, 100'000))
      ->capture_default_str();
  hostile_cmd
      ->add_option("--storm-addresses", hostile->storm_addresses,
                   "Client addresses they come from, round-robin: 127.0.0.100 and up")
      ->check(CLI::Range(1, 155))
      ->capture_default_str();
  hostile_cmd
      ->add_option("--drain-seconds", hostile->drain_seconds,
                   "After the attack, how long to wait for the viewer's last events")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  hostile_cmd->add_option("--timeout", hostile->request_timeout, "Seconds a request may take")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  hostile_cmd
      ->add_option("--timezone", hostile->timezone,
                   "Business timezone of the server: order timestamps are its local time")
      ->capture_default_str();
  hostile_cmd->callback([hostile] {
    guarded("hostile", [&] {
      hostile->password = password_or_env(hostile->password, "CARGOMON_BENCH_PASSWORD");
      hostile->viewer_password =
          password_or_env(hostile->viewer_password, "CARGOMON_BENCH_VIEWER_PASSWORD");
      const bool attackers_log_in = hostile->flood_connections > 0 || hostile->storm_clients > 0 ||
                                    hostile->silent_streams > 0;
      if (attackers_log_in) {
        hostile->attacker_password =
            password_or_env(hostile->attacker_password, "CARGOMON_BENCH_ATTACKER_PASSWORD");
      }
      if (hostile->flood_connections > 0 && hostile->flood_username.empty()) {
        throw std::runtime_error("--flood-username is needed unless --flood-connections 0");
      }
      if (hostile->storm_clients > 0 && hostile->storm_viewer.empty()) {
        throw std::runtime_error("--storm-viewer is needed unless --storm-clients 0");
      }
      return run_hostile(*hostile);
    });
  });

  auto ready = std::make_shared<WaitReadyOptions>();
  auto* ready_cmd = app.add_subcommand(
      "wait-ready", "Poll GET /readyz every millisecond; print the ms since this tool started");
  ready_cmd->add_option("--url", ready->url, "Base URL of the server (http)")->required();
  ready_cmd->add_option("--timeout", ready->timeout, "Give up after this many seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  ready_cmd->callback([ready] { guarded("wait-ready", [&] { return run_wait_ready(*ready); }); });

  auto deep = std::make_shared<DeepCursorOptions>();
  auto* deep_cmd = app.add_subcommand(
      "deep-cursor", "Follow GET /pedidos?limit=1000 to the cursor `--skip` orders deep");
  deep_cmd->add_option("--url", deep->url, "Base URL of the server (http)")->required();
  deep_cmd->add_option("--token-user", deep->username, "Viewer (or admin) to log in as")
      ->required();
  deep_cmd->add_option("--password", deep->password, "Its password (else CARGOMON_BENCH_PASSWORD)");
  deep_cmd->add_option("--skip", deep->skip, "Orders to skip")
      ->required()
      ->check(CLI::PositiveNumber);
  deep_cmd->callback([deep] { guarded("deep-cursor", [&] { return run_deep_cursor(*deep); }); });

  auto lambda = std::make_shared<LambdaOptions>();
  auto* lambda_cmd = app.add_subcommand(
      "lambda",
      "Start `cargomon lambda` (or the packaged bootstrap) against a stand-in Runtime API: cold "
      "starts, warm invocations and peak memory");
  lambda_cmd->add_option("--dir", lambda->dir, "Scratch directory (stores, the function's logs)")
      ->required();
  lambda_cmd->add_option("--cold-starts", lambda->cold_starts, "Cold starts on a store that exists")
      ->capture_default_str();
  lambda_cmd
      ->add_option("--fresh-cold-starts", lambda->fresh_cold_starts,
                   "Cold starts each on a new, empty store")
      ->capture_default_str();
  lambda_cmd
      ->add_option("--invocations", lambda->invocations,
                   "Warm invocations of each route (0: no warm phase)")
      ->capture_default_str();
  lambda_cmd->add_option("--warm-up", lambda->warm_up, "Rounds before those, not counted")
      ->capture_default_str();
  lambda_cmd->add_option("--logins", lambda->logins, "Warm POST /token invocations")
      ->capture_default_str();
  lambda_cmd
      ->add_option("--env", lambda->env,
                   "NAME=VALUE for the function's environment (repeatable; it gets only "
                   "these, the store's and the Runtime API's)")
      ->allow_extra_args(false);  // one value each: `--` then starts the command
  lambda_cmd->add_option("--seed", lambda->seed, "Seed for the orders' couriers and products");
  lambda_cmd->add_option("--timezone", lambda->timezone, "The function's business timezone")
      ->capture_default_str();
  lambda_cmd
      ->add_option("command", lambda->command,
                   "What to exec, after `--`: the package's bootstrap, or PATH/cargomon lambda")
      ->required();
  lambda_cmd->callback([lambda] { guarded("lambda", [&] { return run_lambda(*lambda); }); });

  CLI11_PARSE(app, argc, argv);
  return exit_status;
}
