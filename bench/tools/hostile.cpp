// cargomon-bench hostile: the server under every kind of hostile client at
// once (issue 13), and what a normal courier and a normal viewer see
// meanwhile.
//
// For --duration seconds, all started together:
//
//   silent streams  --silent-streams GET /eventos that read the answer's
//                   head and then never read again, spread round-robin over
//                   the --silent-viewer users and --silent-addresses client
//                   addresses (127.0.0.10 and up): the per-user and
//                   per-address stream caps refuse some (429); the admitted
//                   ones fill their queues and the total queue budget.
//   product flood   a courier (--flood-username, 127.0.0.4) posting orders
//                   of --flood-lines products whose ids and names are all
//                   new, closed loop on --flood-connections connections.
//   unknown logins  --unknown-logins clients (127.0.0.3) each posting
//                   POST /token for a username nobody has, all at once, then
//                   again every --login-pause seconds with a new name.
//   idle sockets    --idle-sockets connections from 127.0.0.2 that send
//                   nothing; each is opened again as soon as the server
//                   closes it (its first-request deadline).
//   reconnect storm --storm-clients GET /eventos with Last-Event-ID: 0 as
//                   --storm-viewer from --storm-addresses addresses
//                   (127.0.0.100 and up), each reading until its first
//                   `metrics` event (what follows the replay) or the end,
//                   then reconnecting at once.
//
// Meanwhile, from the URL's own address: the normal courier registers
// --courier-rate orders/s open loop (latency from each order's due time to
// its 200: queueing behind the attack counts); the normal viewer, one
// /eventos stream opened before the attack, reads everything (latency from
// each normal order's 200 to its event, as freshness measures it; it
// reconnects with its Last-Event-ID if the server drops it, as a browser
// does); GET /healthz is sampled --health-rate times a second, open loop.
//
// Every attacker request's outcome (status, or the error) is counted per
// attacker. One JSON line of results goes to stdout.
//
// One io_context on one or two threads carries everything; every client is a
// coroutine chain of its own (one operation outstanding at a time). What the
// normal users measure is kept in their own chains' histograms and read once
// the threads have stopped; the attackers' counts are under a mutex.

#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <charconv>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "api/json.hpp"
#include "bench_tool.hpp"
#include "domain/clock.hpp"
#include "net/event_stream_parser.hpp"
#include "net/http_client.hpp"
#include "net/open_file_limit.hpp"
#include "sim/catalog.hpp"
#include "sim/http_connection.hpp"
#include "sim/latency_histogram.hpp"
#include "sim/order_generator.hpp"

namespace cargomon::bench {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
using SteadyClock = std::chrono::steady_clock;
using Nanos = std::int64_t;  // steady_clock time since its epoch, in nanoseconds
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// The attackers' client addresses. 127.0.0.0/8 is the loopback interface's
// on Linux: a socket bound to any of them reaches a server on 127.0.0.1.
constexpr int idle_octet = 2;
constexpr int login_octet = 3;
constexpr int flood_octet = 4;
constexpr int silent_first_octet = 10;
constexpr int storm_first_octet = 100;
constexpr std::size_t max_silent_addresses = storm_first_octet - silent_first_octet;
constexpr std::size_t max_storm_addresses = 255 - storm_first_octet;

asio::ip::address loopback(int last_octet) {
  return asio::ip::make_address_v4(
      asio::ip::address_v4::bytes_type{127, 0, 0, static_cast<unsigned char>(last_octet)});
}

Nanos steady_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch())
      .count();
}

std::uint64_t micros_between(Nanos from, Nanos to) {
  return to > from ? static_cast<std::uint64_t>((to - from) / 1000) : 0;
}

void raise_to(std::atomic<std::uint64_t>& slowest, std::uint64_t value) {
  std::uint64_t seen = slowest.load(std::memory_order_relaxed);
  while (value > seen && !slowest.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

std::uint64_t micros_since(SteadyClock::time_point from) {
  const auto elapsed = SteadyClock::now() - from;
  return static_cast<std::uint64_t>(std::max<std::int64_t>(
      0, std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()));
}

std::string ms(std::uint64_t micros) { return milliseconds(micros); }

// A request's outcome as counted: its status, or the stage and error.
std::string outcome_of(const net::Result& result) {
  return result.response ? std::to_string(result.response->status) : result.describe();
}

// Outcomes by name, from any thread.
class Outcomes {
 public:
  void add(const std::string& outcome, std::uint64_t n = 1) {
    const std::lock_guard lock(mutex_);
    counts_[outcome] += n;
  }
  std::map<std::string, std::uint64_t> counts() const {
    const std::lock_guard lock(mutex_);
    return counts_;
  }
  std::uint64_t count(const std::string& outcome) const {
    const std::lock_guard lock(mutex_);
    const auto found = counts_.find(outcome);
    return found == counts_.end() ? 0 : found->second;
  }
  std::uint64_t total() const {
    const std::lock_guard lock(mutex_);
    std::uint64_t sum = 0;
    for (const auto& [outcome, n] : counts_) sum += n;
    return sum;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> counts_;
};

net::ClientOptions client_options(std::optional<asio::ip::address> local = std::nullopt) {
  net::ClientOptions options;
  options.user_agent = "cargomon-bench";
  options.kept_headers = std::vector<std::string>{"transfer-encoding", "retry-after"};
  options.local_address = local;
  return options;
}

// What the whole run shares.
struct Run {
  Run(const HostileOptions& o, std::size_t orders) : options(o), planned(orders) {
    acked_at = std::make_unique<std::atomic<Nanos>[]>(orders);
    delivered = std::make_unique<std::atomic<std::uint32_t>[]>(orders);
    for (std::size_t i = 0; i < orders; ++i) {
      acked_at[i].store(0, std::memory_order_relaxed);
      delivered[i].store(0, std::memory_order_relaxed);
    }
  }

  const HostileOptions& options;
  std::shared_ptr<const net::ServerAddress> server;
  std::string base_path;
  std::string run_id;             // random hex: this run's order ids and usernames
  SteadyClock::time_point start;  // of the attack and the normal courier
  SteadyClock::time_point end;

  // The normal courier: order i is due at start + i / rate.
  std::size_t planned;
  std::string order_prefix;                                 // "hostile-<run>-"
  std::unique_ptr<std::atomic<Nanos>[]> acked_at;           // when its 200 was read; 0 before
  std::unique_ptr<std::atomic<std::uint32_t>[]> delivered;  // its events at the viewer
  std::atomic<std::uint64_t> orders_started{0};
  std::atomic<std::uint64_t> orders_acked{0};
  std::atomic<std::size_t> senders_left{0};
  Outcomes courier_failures;
  // The slowest normal order and /healthz answer since the last progress
  // line (microseconds): when in the attack the latency goes.
  std::atomic<std::uint64_t> courier_slowest{0};
  std::atomic<std::uint64_t> health_slowest{0};

  Nanos due(std::size_t index) const {
    const Nanos start_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count();
    return start_ns + static_cast<Nanos>(1e9 / options.courier_rate * static_cast<double>(index));
  }

  // The normal viewer.
  std::atomic<bool> viewer_ready{false};
  std::atomic<bool> viewer_failed{false};
  std::atomic<std::uint64_t> viewer_events{0};  // of normal orders
  std::string viewer_failure;                   // written before viewer_failed is set

  Outcomes silent, flood, logins, idle, storm;
  // Attacker chains still running: once the attack is over they stop on
  // their own (the last requests in flight answered or timed out).
  std::atomic<std::size_t> attackers_left{0};
  std::atomic<std::uint64_t> silent_admitted{0};
  std::atomic<std::uint64_t> flood_acked{0};
  std::atomic<std::uint64_t> flood_bytes{0};  // of acknowledged flood orders' bodies
  std::atomic<std::uint64_t> storm_resyncs{0};
  std::atomic<std::uint64_t> storm_replayed{0};  // pedido events the storm read
  std::mutex idle_mutex;
  sim::LatencyHistogram idle_held;  // microseconds, connect → closed by the server
};

// ---------------------------------------------------------------- normal courier

struct Sender {
  std::unique_ptr<sim::Connection> connection;
  std::unique_ptr<sim::OrderGenerator> generator;
  sim::LatencyHistogram acknowledgement;  // microseconds, due time → 200 read
};

// Every order due during the attack is sent, even after it: one the attack
// held up is measured from its due time, queueing in this client included,
// not left out. Those still unsent --timeout seconds after the attack are
// counted as not sent.
asio::awaitable<void> send_orders(Run& run, Sender& sender, const std::string& target,
                                  const std::string& token) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto give_up = run.end + seconds(run.options.request_timeout);
  while (SteadyClock::now() < give_up) {
    const auto index = run.orders_started.fetch_add(1, std::memory_order_relaxed);
    if (index >= run.planned) {
      run.orders_started.fetch_sub(1, std::memory_order_relaxed);
      break;
    }
    const std::string body =
        with_order_id(sender.generator->next(), run.order_prefix + std::to_string(index));
    const Nanos due = run.due(index);
    timer.expires_at(SteadyClock::time_point(std::chrono::nanoseconds(due)));
    co_await timer.async_wait(use_tuple);
    const auto exchange = co_await sender.connection->post(target, token, body);
    const Nanos answered = steady_nanos();
    if (exchange.reply && exchange.reply->status == 200) {
      run.acked_at[index].store(answered, std::memory_order_release);
      run.orders_acked.fetch_add(1, std::memory_order_relaxed);
      sender.acknowledgement.record(micros_between(due, answered));
      raise_to(run.courier_slowest, micros_between(due, answered));
    } else {
      run.courier_failures.add(exchange.reply ? std::to_string(exchange.reply->status)
                                              : exchange.error);
    }
  }
  run.senders_left.fetch_sub(1, std::memory_order_relaxed);
}

// ---------------------------------------------------------------- normal viewer

// What the normal viewer measured; its chain alone writes it.
struct ViewerTally {
  explicit ViewerTally(std::size_t orders) : early(orders, 0) {}
  sim::LatencyHistogram freshness;  // microseconds, 200 read → event read
  // Per order: its event was read before its 200 (counted as 0 if it was
  // acknowledged at all).
  std::vector<std::uint8_t> early;
  std::uint64_t resyncs = 0;
  std::uint64_t reconnects = 0;
  std::string last_close;  // why the server last ended the stream
};

// Reads the body of an event stream opened with `client` until it ends,
// handing each event and the time it was read to on_event; the reason it
// ended. `stop()` is checked after every read.
template <class OnEvent, class Stop>
asio::awaitable<std::string> read_events(net::HttpClient& client, const net::StreamHead& opened,
                                         OnEvent on_event, Stop stop) {
  constexpr std::size_t read_size = std::size_t{16} * 1024;
  net::EventStreamParser parser;
  std::optional<net::ChunkedDecoder> chunked;
  std::vector<char> raw;
  if (const auto* coding = opened.head.response->header("transfer-encoding");
      coding != nullptr && coding->find("chunked") != std::string::npos) {
    chunked.emplace();
    raw.resize(read_size);
  }
  Nanos arrival = steady_nanos();
  const auto handle = [&](const net::StreamEvent& e) { on_event(e, arrival); };
  const auto feed = [&](std::string_view bytes) {
    if (!chunked) return parser.append(bytes, handle);
    return chunked->feed(bytes, [&](std::string_view data) { parser.append(data, handle); });
  };
  if (!feed(opened.body_start)) co_return "malformed event stream";
  if (stop()) co_return "";
  for (;;) {
    asio::mutable_buffer room = asio::buffer(raw);
    if (!chunked) {
      const auto span = parser.prepare(read_size);
      room = asio::buffer(span.data(), span.size());
    }
    auto [ec, n] = co_await client.socket().async_read_some(room, use_tuple);
    arrival = steady_nanos();
    if (n > 0) {
      const bool fine = chunked ? feed({raw.data(), n}) : parser.commit(n, handle);
      if (!fine) co_return "malformed event stream";
    }
    if (ec) co_return ec == asio::error::eof ? "closed by the server" : ec.message();
    if (chunked && chunked->done()) co_return "closed by the server";
    if (stop()) co_return "";
  }
}

asio::awaitable<void> view(Run& run, ViewerTally& tally, const std::string& token) {
  net::HttpClient client(co_await asio::this_coro::executor, run.server, client_options());
  const std::string authorization = "Bearer " + token;
  const std::string target = run.base_path + "/eventos";
  std::string last_event_id;  // of the last event read, for reconnecting
  const auto fail = [&run](std::string why) {
    run.viewer_failure = std::move(why);
    run.viewer_failed.store(true, std::memory_order_release);
  };
  for (;;) {
    net::Request request;
    request.target = target;
    request.headers = {{"Authorization", authorization}, {"Accept", "text/event-stream"}};
    if (!last_event_id.empty()) request.headers.emplace_back("Last-Event-ID", last_event_id);
    const auto opened = co_await client.open_stream(
        request, SteadyClock::now() + seconds(run.options.request_timeout));
    if (!opened.head.response || opened.head.response->status != 200) {
      // Before the attack: the run cannot be measured. During it: a browser
      // would retry; so does the viewer, a little later.
      if (!run.viewer_ready.load()) co_return fail("GET /eventos: " + outcome_of(opened.head));
      tally.last_close = "reconnect answered " + outcome_of(opened.head);
      client.close();
      asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(500));
      co_await pause.async_wait(use_tuple);
      ++tally.reconnects;
      continue;
    }
    const auto on_event = [&](const net::StreamEvent& e, Nanos arrival) {
      if (!e.id.empty()) last_event_id.assign(e.id);
      if (e.name == "metrics") {
        run.viewer_ready.store(true, std::memory_order_release);
      } else if (e.name == "resync") {
        ++tally.resyncs;
      } else if (e.name == "pedido") {
        constexpr std::string_view key = R"("pedido_id":")";
        const auto at = e.data.find(key);
        if (at == std::string_view::npos) return;
        const auto id = e.data.substr(at + key.size());
        if (!id.starts_with(run.order_prefix)) return;  // the flood's, or another client's
        std::size_t index = 0;
        const auto [end, ec] =
            std::from_chars(id.data() + run.order_prefix.size(), id.data() + id.size(), index);
        if (ec != std::errc() || end == id.data() + id.size() || *end != '"' ||
            index >= run.planned) {
          return;
        }
        run.delivered[index].fetch_add(1, std::memory_order_relaxed);
        run.viewer_events.fetch_add(1, std::memory_order_relaxed);
        const Nanos acked = run.acked_at[index].load(std::memory_order_acquire);
        if (acked == 0 || acked > arrival) {
          tally.early[index] = 1;
        } else {
          tally.freshness.record(micros_between(acked, arrival));
        }
      }
    };
    tally.last_close = co_await read_events(client, opened, on_event, [] { return false; });
    client.close();
    if (!run.viewer_ready.load()) co_return fail("the stream ended before its first metrics event");
    ++tally.reconnects;  // as a browser's EventSource does, with Last-Event-ID
  }
}

// ---------------------------------------------------------------- /healthz

struct HealthTally {
  sim::LatencyHistogram latency;  // microseconds, due time → answer read
  std::uint64_t samples = 0;
  Outcomes other;  // every answer but 200
};

asio::awaitable<void> sample_health(Run& run, HealthTally& tally) {
  net::HttpClient client(co_await asio::this_coro::executor, run.server, client_options());
  asio::steady_timer timer(co_await asio::this_coro::executor);
  net::Request request;
  const std::string target = run.base_path + "/healthz";
  request.target = target;
  const double period_ns = 1e9 / run.options.health_rate;
  for (std::uint64_t i = 0;; ++i) {
    const auto due = run.start + std::chrono::nanoseconds(
                                     static_cast<Nanos>(period_ns * static_cast<double>(i)));
    if (due >= run.end) break;
    timer.expires_at(due);
    co_await timer.async_wait(use_tuple);
    const auto result =
        co_await client.request(request, SteadyClock::now() + seconds(run.options.request_timeout));
    const auto latency = micros_since(due);
    tally.latency.record(latency);
    raise_to(run.health_slowest, latency);
    ++tally.samples;
    if (!result.response || result.response->status != 200) tally.other.add(outcome_of(result));
  }
}

// ---------------------------------------------------------------- attackers

// A stream that reads its answer's head, then nothing until the end.
asio::awaitable<void> silent_stream(Run& run, const std::string& token, asio::ip::address local) {
  const auto executor = co_await asio::this_coro::executor;
  net::HttpClient client(executor, run.server, client_options(local));
  const std::string authorization = "Bearer " + token;
  const std::string target = run.base_path + "/eventos";
  net::Request request;
  request.target = target;
  request.headers = {{"Authorization", authorization}, {"Accept", "text/event-stream"}};
  const auto opened = co_await client.open_stream(
      request, SteadyClock::now() + seconds(run.options.request_timeout));
  run.silent.add(outcome_of(opened.head));
  if (!opened.head.response || opened.head.response->status != 200) co_return;
  run.silent_admitted.fetch_add(1, std::memory_order_relaxed);
  asio::steady_timer hold(executor, run.end);
  co_await hold.async_wait(use_tuple);
}

// Orders whose every product is one nobody sold before.
asio::awaitable<void> flood_orders(Run& run, const std::string& token, std::size_t connection) {
  const auto executor = co_await asio::this_coro::executor;
  net::HttpClient client(executor, run.server, client_options(loopback(flood_octet)));
  sim::LocalTimeFormatter time(run.options.timezone);
  const SystemClock clock;
  const std::string authorization = "Bearer " + token;
  const std::string target = run.base_path + "/registrar_pedido_entregado";
  // Ids and names within the server's limits (64 and 200 characters).
  const std::string tag = run.run_id.substr(0, 8) + "-" + std::to_string(connection) + "-";
  for (std::uint64_t n = 0; SteadyClock::now() < run.end; ++n) {
    api::JsonWriter body;
    body.begin_object()
        .key("pedido_id")
        .string("hostile-flood-" + tag + std::to_string(n))
        .key("repartidor")
        .begin_object()
        .key("IdRepartidor")
        .number(9999)
        .key("Nombre")
        .string("Flooding courier")
        .end_object()
        .key("productos")
        .begin_array();
    for (std::size_t line = 0; line < run.options.flood_lines; ++line) {
      const std::string product = tag + std::to_string(n) + "-" + std::to_string(line);
      body.begin_object()
          .key("IdProducto")
          .string("flood-" + product)
          .key("producto")
          .string("Invented product " + product + ", a name no courier sold before")
          .key("precio")
          .raw_number("1.25")
          .end_object();
    }
    body.end_array().key("timestamp").string(time.format(clock.now())).end_object();
    net::Request request;
    request.method = "POST";
    request.target = target;
    request.body = body.str();
    request.headers = {{"Authorization", authorization}, {"Content-Type", "application/json"}};
    const auto result =
        co_await client.request(request, SteadyClock::now() + seconds(run.options.request_timeout));
    run.flood.add(outcome_of(result));
    if (result.response && result.response->status == 200) {
      run.flood_acked.fetch_add(1, std::memory_order_relaxed);
      run.flood_bytes.fetch_add(body.str().size(), std::memory_order_relaxed);
    } else if (!result.response) {
      // No server to flood just now: not a busy loop of failed connects.
      asio::steady_timer pause(executor, std::chrono::milliseconds(10));
      co_await pause.async_wait(use_tuple);
    }
  }
}

// POST /token for usernames nobody has, one client of many from one address.
asio::awaitable<void> unknown_logins(Run& run, std::size_t client_index) {
  const auto executor = co_await asio::this_coro::executor;
  net::HttpClient client(executor, run.server, client_options(loopback(login_octet)));
  asio::steady_timer pause(executor);
  const std::string target = run.base_path + "/token";
  for (std::uint64_t n = 0; SteadyClock::now() < run.end; ++n) {
    api::JsonWriter body;
    body.begin_object()
        .key("username")
        .string("nobody-" + run.run_id + "-" + std::to_string(client_index) + "-" +
                std::to_string(n))
        .key("password")
        .string("a guess")
        .end_object();
    net::Request request;
    request.method = "POST";
    request.target = target;
    request.body = body.str();
    request.headers = {{"Content-Type", "application/json"}};
    const auto result =
        co_await client.request(request, SteadyClock::now() + seconds(run.options.request_timeout));
    run.logins.add(outcome_of(result));
    pause.expires_after(seconds(run.options.login_pause));
    co_await pause.async_wait(use_tuple);
  }
}

// A connection that sends nothing, opened again whenever the server closes it.
asio::awaitable<void> idle_socket(Run& run, tcp::endpoint server) {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  while (SteadyClock::now() < run.end) {
    tcp::socket socket(executor);
    boost::system::error_code ec;
    socket.open(server.protocol(), ec);
    if (!ec) socket.bind(tcp::endpoint(loopback(idle_octet), 0), ec);
    if (!ec) std::tie(ec) = co_await socket.async_connect(server, use_tuple);
    if (ec) {
      run.idle.add("connect: " + ec.message());
      timer.expires_after(std::chrono::milliseconds(100));
      co_await timer.async_wait(use_tuple);
      continue;
    }
    const auto connected = SteadyClock::now();
    // Reading sends nothing: the server still sees a silent client, and
    // this learns when (and how) it lets go.
    std::array<char, 512> answer{};
    timer.expires_at(run.end);
    const auto outcome = co_await (socket.async_read_some(asio::buffer(answer), use_tuple) ||
                                   timer.async_wait(use_tuple));
    if (outcome.index() == 1) {
      run.idle.add("held to the end");
      break;
    }
    const auto [read_ec, n] = std::get<0>(outcome);
    const std::string_view text(answer.data(), n);
    if (text.starts_with("HTTP/1.1 ") && text.size() >= 12) {
      run.idle.add(std::string(text.substr(9, 3)));  // refused with a status (429, 503)
      timer.expires_after(std::chrono::milliseconds(100));
      co_await timer.async_wait(use_tuple);
    } else if (read_ec == asio::error::eof || read_ec == asio::error::connection_reset) {
      run.idle.add("closed by the server");
      const std::lock_guard lock(run.idle_mutex);
      run.idle_held.record(micros_since(connected));
    } else {
      run.idle.add(read_ec ? "receive: " + read_ec.message() : "unexpected bytes");
    }
  }
}

// Reconnects with Last-Event-ID: 0 as soon as its previous stream showed its
// first metrics event (the replay, or the resync, is over) or ended.
asio::awaitable<void> storm_client(Run& run, const std::string& token, asio::ip::address local) {
  const auto executor = co_await asio::this_coro::executor;
  net::HttpClient client(executor, run.server, client_options(local));
  asio::steady_timer timer(executor);
  const std::string authorization = "Bearer " + token;
  const std::string target = run.base_path + "/eventos";
  net::Request request;
  request.target = target;
  request.headers = {
      {"Authorization", authorization}, {"Accept", "text/event-stream"}, {"Last-Event-ID", "0"}};
  while (SteadyClock::now() < run.end) {
    const auto opened = co_await client.open_stream(
        request, std::min(run.end, SteadyClock::now() + seconds(run.options.request_timeout)));
    if (!opened.head.response && SteadyClock::now() >= run.end) {
      // Cut off by the end of the run, not by the server.
      run.storm.add("no answer yet at the end");
      break;
    }
    run.storm.add(outcome_of(opened.head));
    if (!opened.head.response || opened.head.response->status != 200) {
      client.close();
      // Refused (the caps, a full queue): again soon, not in a busy loop.
      timer.expires_after(std::chrono::milliseconds(100));
      co_await timer.async_wait(use_tuple);
      continue;
    }
    bool done = false;
    std::uint64_t replayed = 0;
    const auto on_event = [&](const net::StreamEvent& e, Nanos) {
      if (e.name == "pedido") ++replayed;
      if (e.name == "resync") run.storm_resyncs.fetch_add(1, std::memory_order_relaxed);
      if (e.name == "metrics") done = true;
    };
    // Bounded by the run's end: a stream the server never finishes must not
    // hold the client past it.
    timer.expires_at(run.end);
    co_await (read_events(client, opened, on_event, [&] { return done; }) ||
              timer.async_wait(use_tuple));
    run.storm_replayed.fetch_add(replayed, std::memory_order_relaxed);
    client.close();
  }
}

// Runs an attacker's chain and counts it out when it ends.
asio::awaitable<void> counted(Run& run, asio::awaitable<void> attacker) {
  co_await std::move(attacker);
  run.attackers_left.fetch_sub(1, std::memory_order_relaxed);
}

// ---------------------------------------------------------------- output

void outcomes_json(api::JsonWriter& out, const char* name, const Outcomes& outcomes) {
  out.key(name).begin_object();
  for (const auto& [outcome, n] : outcomes.counts()) {
    out.key(outcome).number(static_cast<std::int64_t>(n));
  }
  out.end_object();
}

void latency_json(api::JsonWriter& out, const std::string& prefix,
                  const sim::LatencyHistogram& histogram) {
  out.key(prefix + "p50_ms").raw_number(ms(histogram.percentile(0.5)));
  out.key(prefix + "p90_ms").raw_number(ms(histogram.percentile(0.9)));
  out.key(prefix + "p99_ms").raw_number(ms(histogram.percentile(0.99)));
  out.key(prefix + "max_ms").raw_number(ms(histogram.max()));
}

std::int64_t as_int(std::uint64_t n) { return static_cast<std::int64_t>(n); }

}  // namespace

int run_hostile(const HostileOptions& o) {
  if (o.silent_viewers.empty() && o.silent_streams > 0) {
    throw std::runtime_error("--silent-viewer: at least one viewer for the silent streams");
  }
  if (o.silent_addresses < 1 || o.silent_addresses > max_silent_addresses) {
    throw std::runtime_error("--silent-addresses must be 1 to " +
                             std::to_string(max_silent_addresses));
  }
  if (o.storm_addresses < 1 || o.storm_addresses > max_storm_addresses) {
    throw std::runtime_error("--storm-addresses must be 1 to " +
                             std::to_string(max_storm_addresses));
  }
  const std::size_t sockets = o.silent_streams + o.storm_clients + o.unknown_logins +
                              o.idle_sockets + o.flood_connections + o.courier_connections + 64;
  const auto open_files = net::raise_open_file_limit();
  if (open_files > 0 && sockets > open_files) {
    throw std::runtime_error("these attackers need " + std::to_string(sockets) +
                             " open files; the limit is " + std::to_string(open_files));
  }
  const auto url = [&] {
    auto parsed = sim::parse_server_url(o.url);
    if (auto* error = std::get_if<std::string>(&parsed)) throw std::runtime_error(*error);
    return std::get<sim::ServerUrl>(std::move(parsed));
  }();
  const auto timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(o.request_timeout * 1e3));
  const auto factory = sim::make_http_connection_factory(url, timeout);

  Run run(o, orders_due(o.courier_rate, o.duration));
  run.server = net::ServerAddress::resolve(url.host, url.port);
  run.base_path = url.base_path;
  std::random_device random;
  const auto random64 = [&random] {
    return (static_cast<std::uint64_t>(random()) << 32) ^ random();
  };
  {
    std::array<char, 17> hex{};
    std::snprintf(hex.data(), hex.size(), "%016llx", static_cast<unsigned long long>(random64()));
    run.run_id = hex.data();
    run.order_prefix = "hostile-" + run.run_id + "-";
  }
  std::optional<tcp::endpoint> server_v4;
  for (const auto& entry : run.server->endpoints) {
    if (entry.endpoint().address().is_v4()) {
      server_v4 = entry.endpoint();
      break;
    }
  }
  if (!server_v4) throw std::runtime_error(o.url + " has no IPv4 address: the attackers need one");

  // What the chains measure outlives the io_context: a chain still waiting
  // when it stops (the viewer's read, say) is destroyed with it.
  ViewerTally viewer(run.planned);
  HealthTally health;
  struct Outcome {
    std::string error;
    double courier_seconds = 0;
  };
  Outcome outcome;

  // Every token first, from the normal users' address: the logins are not
  // the attack.
  asio::io_context io(static_cast<int>(o.threads));
  std::string courier_token, viewer_token, flood_token, storm_token;
  std::vector<std::string> silent_tokens;
  {
    const auto login = factory->make(io.get_executor());
    const auto token_of = [&](const std::string& user, const std::string& password) {
      return run_to_completion(io, log_in(*login, url.base_path, user, password));
    };
    courier_token = token_of(o.username, o.password);
    viewer_token = token_of(o.viewer_username, o.viewer_password);
    if (o.flood_connections > 0) flood_token = token_of(o.flood_username, o.attacker_password);
    if (o.storm_clients > 0) storm_token = token_of(o.storm_viewer, o.attacker_password);
    if (o.silent_streams > 0) {
      for (const auto& user : o.silent_viewers) {
        silent_tokens.push_back(token_of(user, o.attacker_password));
      }
    }
  }
  io.restart();  // the logins ran it to completion

  const auto catalog = sim::default_catalog();
  const SystemClock clock;
  std::vector<Sender> senders(o.courier_connections);
  for (std::size_t c = 0; c < o.courier_connections; ++c) {
    senders[c].connection = factory->make(io.get_executor());
    senders[c].generator =
        std::make_unique<sim::OrderGenerator>(catalog, o.timezone, clock, random64(), random64());
  }

  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(io);
        // The normal viewer's stream, before the attack.
        asio::co_spawn(io, view(run, viewer, viewer_token), asio::detached);
        const bool ready = co_await wait_for(
            timer, [&] { return run.viewer_ready.load() || run.viewer_failed.load(); },
            SteadyClock::now() + seconds(o.request_timeout));
        if (!ready || run.viewer_failed.load()) {
          outcome.error = run.viewer_failed.load() ? "the normal viewer: " + run.viewer_failure
                                                   : "the normal viewer had no metrics event";
          io.stop();
          co_return;
        }
        std::cerr << "cargomon-bench hostile: attacking " << o.url << " for " << number(o.duration)
                  << " s: " << o.silent_streams << " silent streams, " << o.flood_connections
                  << " flooding courier connections of " << o.flood_lines
                  << " new products per order, " << o.unknown_logins
                  << " unknown-user login clients, " << o.idle_sockets << " idle sockets, "
                  << o.storm_clients << " Last-Event-ID: 0 reconnecting clients; normal courier "
                  << number(o.courier_rate) << " orders/s, /healthz " << number(o.health_rate)
                  << "/s" << std::endl;

        run.start = SteadyClock::now() + std::chrono::milliseconds(1);
        run.end = run.start + seconds(o.duration);
        // All at once.
        run.attackers_left = o.silent_streams + o.flood_connections + o.unknown_logins +
                             o.idle_sockets + o.storm_clients;
        const auto spawn = [&](asio::awaitable<void> attacker) {
          asio::co_spawn(io, counted(run, std::move(attacker)), asio::detached);
        };
        for (std::size_t i = 0; i < o.silent_streams; ++i) {
          const auto local =
              loopback(silent_first_octet + static_cast<int>(i % o.silent_addresses));
          spawn(silent_stream(run, silent_tokens[i % silent_tokens.size()], local));
        }
        for (std::size_t c = 0; c < o.flood_connections; ++c) {
          spawn(flood_orders(run, flood_token, c));
        }
        for (std::size_t c = 0; c < o.unknown_logins; ++c) {
          spawn(unknown_logins(run, c));
        }
        for (std::size_t c = 0; c < o.idle_sockets; ++c) {
          spawn(idle_socket(run, *server_v4));
        }
        for (std::size_t c = 0; c < o.storm_clients; ++c) {
          const auto local = loopback(storm_first_octet + static_cast<int>(c % o.storm_addresses));
          spawn(storm_client(run, storm_token, local));
        }
        // The normal users.
        run.senders_left = o.courier_connections;
        const std::string order_target = url.base_path + "/registrar_pedido_entregado";
        for (auto& sender : senders) {
          asio::co_spawn(io, send_orders(run, sender, order_target, courier_token), asio::detached);
        }
        asio::co_spawn(io, sample_health(run, health), asio::detached);

        auto next_report = run.start + std::chrono::seconds(1);
        while (SteadyClock::now() < run.end || run.senders_left.load() > 0) {
          timer.expires_after(std::chrono::milliseconds(5));
          co_await timer.async_wait(use_tuple);
          if (SteadyClock::now() >= next_report) {
            std::cerr << "  courier acknowledged " << run.orders_acked.load() << " (slowest "
                      << ms(run.courier_slowest.exchange(0)) << " ms), /healthz slowest "
                      << ms(run.health_slowest.exchange(0)) << " ms, viewer events "
                      << run.viewer_events.load() << "; silent streams admitted "
                      << run.silent_admitted.load() << " of " << run.silent.total()
                      << " answered, flood orders " << run.flood_acked.load() << ", logins "
                      << run.logins.total() << ", idle sockets closed by the server "
                      << run.idle.count("closed by the server") << ", storm connects "
                      << run.storm.total() << std::endl;
            next_report += std::chrono::seconds(1);
          }
        }
        outcome.courier_seconds =
            std::chrono::duration<double>(SteadyClock::now() - run.start).count();
        // The events of the last normal orders.
        if (!co_await wait_for(
                timer, [&] { return run.viewer_events.load() >= run.orders_acked.load(); },
                SteadyClock::now() + seconds(o.drain_seconds))) {
          std::cerr << "cargomon-bench hostile: the viewer still misses events after "
                    << number(o.drain_seconds) << " s" << std::endl;
        }
        // The attackers' last outcomes (those cut off by the end count too).
        if (!co_await wait_for(
                timer, [&] { return run.attackers_left.load() == 0; },
                SteadyClock::now() + seconds(o.request_timeout))) {
          std::cerr << "cargomon-bench hostile: " << run.attackers_left.load()
                    << " attackers still waiting for the server at the end" << std::endl;
        }
        io.stop();
      },
      asio::detached);

  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < o.threads; ++t) threads.emplace_back([&io] { io.run(); });
  for (auto& thread : threads) thread.join();
  if (!outcome.error.empty()) throw std::runtime_error(outcome.error);

  // Events of acknowledged orders: those read before their 200 count as 0.
  sim::LatencyHistogram freshness = viewer.freshness;
  std::uint64_t acked = 0, received = 0, early = 0;
  for (std::size_t i = 0; i < run.planned; ++i) {
    if (run.acked_at[i].load() == 0) continue;
    ++acked;
    received += std::min<std::uint32_t>(run.delivered[i].load(), 1);
    if (viewer.early[i] != 0) {
      ++early;
      freshness.record(0);
    }
  }
  sim::LatencyHistogram acknowledgement;
  for (const auto& sender : senders) acknowledgement.merge(sender.acknowledgement);
  const std::uint64_t sent = run.orders_started.load();

  api::JsonWriter out;
  out.begin_object()
      .key("duration_s")
      .raw_number(number(o.duration))
      .key("courier_rate")
      .raw_number(number(o.courier_rate))
      .key("courier_orders_acked")
      .number(as_int(acked))
      .key("courier_orders_failed")
      .number(as_int(sent - acked))
      .key("courier_orders_not_sent")
      .number(as_int(run.planned - sent));
  outcomes_json(out, "courier_failures", run.courier_failures);
  latency_json(out, "courier_", acknowledgement);
  out.key("viewer_events_expected")
      .number(as_int(acked))
      .key("viewer_events_received")
      .number(as_int(received))
      .key("viewer_missed")
      .number(as_int(acked - received))
      .key("viewer_negative")
      .number(as_int(early));
  latency_json(out, "viewer_", freshness);
  out.key("viewer_resyncs")
      .number(as_int(viewer.resyncs))
      .key("viewer_reconnects")
      .number(as_int(viewer.reconnects))
      .key("health_samples")
      .number(as_int(health.samples))
      .key("health_non_200")
      .number(as_int(health.other.total()));
  outcomes_json(out, "health_failures", health.other);
  latency_json(out, "health_", health.latency);
  out.key("silent_streams")
      .number(as_int(o.silent_streams))
      .key("silent_admitted")
      .number(as_int(run.silent_admitted.load()))
      .key("silent_not_admitted")
      .number(as_int(run.silent.total() - run.silent_admitted.load()));
  outcomes_json(out, "silent_outcomes", run.silent);
  out.key("flood_orders_acked")
      .number(as_int(run.flood_acked.load()))
      .key("flood_products_acked")
      .number(as_int(run.flood_acked.load() * o.flood_lines))
      .key("flood_bytes_acked")
      .number(as_int(run.flood_bytes.load()));
  outcomes_json(out, "flood_outcomes", run.flood);
  out.key("login_attempts").number(as_int(run.logins.total()));
  outcomes_json(out, "login_outcomes", run.logins);
  out.key("idle_connects").number(as_int(run.idle.total()));
  outcomes_json(out, "idle_outcomes", run.idle);
  latency_json(out, "idle_held_", run.idle_held);
  out.key("storm_connects").number(as_int(run.storm.total()));
  outcomes_json(out, "storm_outcomes", run.storm);
  out.key("storm_resyncs")
      .number(as_int(run.storm_resyncs.load()))
      .key("storm_replayed_events")
      .number(as_int(run.storm_replayed.load()))
      .key("courier_s")
      .raw_number(number(std::round(outcome.courier_seconds * 1000) / 1000))
      .end_object();

  std::cerr << "cargomon-bench hostile: normal courier " << acked << " of " << run.planned
            << " orders acknowledged, p99 " << ms(acknowledgement.percentile(0.99))
            << " ms; viewer " << received << " of " << acked << " events, p99 "
            << ms(freshness.percentile(0.99)) << " ms; /healthz p99 "
            << ms(health.latency.percentile(0.99)) << " ms; silent streams admitted "
            << run.silent_admitted.load() << " of " << o.silent_streams << "\n";
  if (!viewer.last_close.empty()) {
    std::cerr << "  the viewer's stream ended " << viewer.reconnects
              << " times; last: " << viewer.last_close << "\n";
  }
  std::cout << out.str() << std::endl;
  return 0;
}

}  // namespace cargomon::bench
