// cargomon-bench freshness: how soon after an order is acknowledged does
// every open dashboard see it?
//
// Many SSE streams (GET /eventos, viewer token) are opened and each must have
// received its first `metrics` event; then orders are registered open loop
// (order i is due at start + i / rate, whatever the server's pace) over a
// few keep-alive connections (courier token). For every order the time its
// 200 was read is kept; for every `pedido` event a stream receives, its
// freshness is its arrival time minus that order's 200. The server publishes
// an order before it answers, so an event can be read before its 200: those
// count as 0 and are reported as "negative". Because of that race, the time
// from each order's due time to each of its events ("e2e") is reported too:
// what a dashboard user waits for an order the courier sends, ingestion
// included.
//
// Open loop: orders left waiting when --duration is over (every connection
// busy with a slow server) are not sent, and counted as such, so that a run
// always ends on time.
//
// Orders are recognized by their pedido_id, "<run prefix><index>": the index
// leads straight to the order's slot, with no lookup, and other orders on the
// server (another client's) are ignored.
//
// One io_context on one or two threads carries everything. Streams are
// callback-driven (a thousand of them, the hot path); the order senders and
// the coordinator are coroutines. What stream handlers count goes into the
// running thread's Tally, merged once the threads have stopped, so the hot
// path shares nothing but the order's acknowledgement time.

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <chrono>
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
using net::ChunkedDecoder;
using net::EventStreamParser;
using net::StreamEvent;
using SteadyClock = std::chrono::steady_clock;
using Nanos = std::int64_t;  // steady_clock time since its epoch, in nanoseconds

Nanos steady_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch())
      .count();
}

std::uint64_t micros_between(Nanos from, Nanos to) {
  return to > from ? static_cast<std::uint64_t>((to - from) / 1000) : 0;
}

// What the stream handlers running on one thread observed.
struct Tally {
  explicit Tally(std::size_t orders) : delivered(orders, 0), early(orders, 0) {}
  sim::LatencyHistogram freshness;       // microseconds, 200 read → event read
  sim::LatencyHistogram since_due;       // microseconds, order due → event read
  std::vector<std::uint32_t> delivered;  // per order: its events, over every stream
  std::vector<std::uint32_t> early;      // per order: those read before its 200
  std::uint64_t other_events = 0;        // `pedido` events of orders not ours
};

thread_local Tally* thread_tally = nullptr;

// What the whole run shares.
struct Run {
  Run(const FreshnessOptions& o, std::size_t orders) : options(o), planned(orders) {
    acked_at = std::make_unique<std::atomic<Nanos>[]>(orders);
    for (std::size_t i = 0; i < orders; ++i) acked_at[i].store(0, std::memory_order_relaxed);
  }

  const FreshnessOptions& options;
  std::size_t planned;                             // orders due within --duration
  std::string order_prefix;                        // "bench-<random hex>-"
  std::unique_ptr<std::atomic<Nanos>[]> acked_at;  // per order: when its 200 was read; 0 before
  // Order i is due at start + i * period. The start is set before the first
  // order is sent, by another thread than the streams' perhaps.
  std::atomic<Nanos> start{0};
  double period = 0;  // nanoseconds

  Nanos due(std::size_t index) const {
    return start.load(std::memory_order_relaxed) +
           static_cast<Nanos>(period * static_cast<double>(index));
  }
  std::vector<std::unique_ptr<Tally>> tallies;  // one per thread

  std::atomic<std::size_t> streams_ready{0};   // received their first metrics event
  std::atomic<std::size_t> streams_failed{0};  // ended before that
  std::atomic<std::uint64_t> orders_started{0};
  std::atomic<std::uint64_t> orders_acked{0};

  std::mutex mutex;  // guards what follows
  std::string first_stream_failure;
  std::map<std::string, std::uint64_t> order_failures;  // by status or error
};

// One SSE stream: net::HttpClient connects, asks for /eventos and reads the
// answer's head; then events are read and parsed straight off its socket for
// as long as the run lasts. Handlers run one at a time (one operation is
// outstanding at any moment), on whichever thread; the coordinator reads only
// the atomics until the threads have stopped.
class StreamWatcher : public std::enable_shared_from_this<StreamWatcher> {
 public:
  enum class State { connecting, ready, closed };

  StreamWatcher(asio::io_context& io, Run& run, std::shared_ptr<const net::ServerAddress> server,
                const net::Request& request)
      : client_(io.get_executor(), std::move(server), stream_client_options()),
        run_(run),
        request_(request) {}

  void start(SteadyClock::time_point deadline) {
    asio::co_spawn(client_.socket().get_executor(), open(deadline), asio::detached);
  }

  void close() { client_.close(); }

  State state() const { return state_.load(std::memory_order_acquire); }
  // This run's `pedido` events received so far.
  std::uint64_t events() const { return events_.load(std::memory_order_relaxed); }
  // Once the threads have stopped:
  bool resynced() const { return resynced_; }
  const std::string& end_reason() const { return end_reason_; }

 private:
  static constexpr std::size_t read_size = std::size_t{16} * 1024;

  static net::ClientOptions stream_client_options() {
    net::ClientOptions options;
    options.user_agent = "cargomon-bench";
    options.kept_headers = std::vector<std::string>{"transfer-encoding"};
    return options;
  }

  asio::awaitable<void> open(SteadyClock::time_point deadline) {
    const auto self = shared_from_this();
    auto opened = co_await client_.open_stream(request_, deadline);
    if (!opened.head.response) co_return end(opened.head.describe());
    const auto& head = *opened.head.response;
    if (head.status != 200) {
      co_return end("GET /eventos answered " + std::to_string(head.status) + ": " +
                    opened.body_start.substr(0, 200));
    }
    if (const auto* coding = head.header("transfer-encoding");
        coding != nullptr && coding->find("chunked") != std::string::npos) {
      chunked_.emplace();
      raw_.resize(read_size);
    }
    if (!opened.body_start.empty() && !body_bytes(opened.body_start, steady_nanos())) co_return;
    read_body();
  }

  void read_body() {
    asio::mutable_buffer room = asio::buffer(raw_);
    if (!chunked_) {
      const auto span = parser_.prepare(read_size);
      room = asio::buffer(span.data(), span.size());
    }
    client_.socket().async_read_some(
        room, [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          // One clock read per read: every event in it arrived at this moment.
          const Nanos arrival = steady_nanos();
          if (n > 0) {
            const bool fine = self->chunked_ ? self->body_bytes({self->raw_.data(), n}, arrival)
                                             : self->parser_.commit(n, [&](const StreamEvent& e) {
                                                 self->event(e, arrival);
                                               });
            if (!fine) return self->end("malformed event stream");
          }
          if (ec) return self->end(ec == asio::error::eof ? "closed by the server" : ec.message());
          if (self->chunked_ && self->chunked_->done()) return self->end("closed by the server");
          self->read_body();
        });
  }

  // Body bytes that are not in the parser's buffer yet.
  bool body_bytes(std::string_view bytes, Nanos arrival) {
    const auto on_event = [&](const StreamEvent& e) { event(e, arrival); };
    if (!chunked_) return parser_.append(bytes, on_event);
    return chunked_->feed(bytes, [&](std::string_view data) { parser_.append(data, on_event); });
  }

  void event(const StreamEvent& e, Nanos arrival) {
    if (e.name == "pedido") return order_event(e.data, arrival);
    if (e.name == "metrics") {
      if (state_.load(std::memory_order_relaxed) == State::connecting) {
        state_.store(State::ready, std::memory_order_release);
        run_.streams_ready.fetch_add(1, std::memory_order_relaxed);
      }
    } else if (e.name == "resync") {
      resynced_ = true;
    }
  }

  // {"pedido":{"pedido_id":"<prefix><index>",…}}
  void order_event(std::string_view data, Nanos arrival) {
    Tally& tally = *thread_tally;
    constexpr std::string_view key = R"("pedido_id":")";
    const auto at = data.find(key);
    if (at == std::string_view::npos) return;
    const auto id = data.substr(at + key.size());
    std::size_t index = 0;
    const auto& prefix = run_.order_prefix;
    const auto [end, ec] =
        id.starts_with(prefix)
            ? std::from_chars(id.data() + prefix.size(), id.data() + id.size(), index)
            : std::from_chars_result{id.data(), std::errc::invalid_argument};
    if (ec != std::errc() || end == id.data() + id.size() || *end != '"' || index >= run_.planned) {
      ++tally.other_events;
      return;
    }
    ++tally.delivered[index];
    events_.fetch_add(1, std::memory_order_relaxed);
    tally.since_due.record(micros_between(run_.due(index), arrival));
    const Nanos acked = run_.acked_at[index].load(std::memory_order_acquire);
    if (acked == 0 || acked > arrival) {
      ++tally.early[index];  // recorded as 0 once the run knows the order was acknowledged
    } else {
      tally.freshness.record(micros_between(acked, arrival));
    }
  }

  void end(std::string reason) {
    end_reason_ = std::move(reason);
    if (state_.exchange(State::closed, std::memory_order_acq_rel) == State::connecting) {
      {
        std::lock_guard lock(run_.mutex);
        if (run_.first_stream_failure.empty()) run_.first_stream_failure = end_reason_;
      }
      run_.streams_failed.fetch_add(1, std::memory_order_relaxed);
    }
    close();
  }

  net::HttpClient client_;
  Run& run_;
  const net::Request& request_;  // the same for every stream; outlives them
  EventStreamParser parser_;
  std::optional<ChunkedDecoder> chunked_;
  std::vector<char> raw_;  // chunked framing is read here, then decoded into parser_
  std::atomic<State> state_{State::connecting};
  std::atomic<std::uint64_t> events_{0};
  bool resynced_ = false;
  std::string end_reason_;
};

// One keep-alive connection registering orders: takes the next order due,
// waits for its due time, sends it, keeps when its 200 was read. An order is
// sent once; a failure is counted, not retried (the point is the events of
// the orders that were acknowledged).
struct Sender {
  std::unique_ptr<sim::Connection> connection;
  std::unique_ptr<sim::OrderGenerator> generator;
  sim::LatencyHistogram acknowledgement;  // microseconds, due time → 200 read
};

asio::awaitable<void> send_orders(Run& run, Sender& sender, const std::string& target,
                                  const std::string& token, SteadyClock::time_point end,
                                  std::atomic<std::size_t>& senders_left) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (SteadyClock::now() < end) {
    const auto index = run.orders_started.fetch_add(1, std::memory_order_relaxed);
    if (index >= run.planned) {
      run.orders_started.fetch_sub(1, std::memory_order_relaxed);
      break;
    }
    const std::string body =
        with_order_id(sender.generator->next(), run.order_prefix + std::to_string(index));
    const Nanos due = run.due(index);
    timer.expires_at(SteadyClock::time_point(std::chrono::nanoseconds(due)));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    const auto exchange = co_await sender.connection->post(target, token, body);
    const Nanos answered = steady_nanos();
    if (exchange.reply && exchange.reply->status == 200) {
      run.acked_at[index].store(answered, std::memory_order_release);
      run.orders_acked.fetch_add(1, std::memory_order_relaxed);
      sender.acknowledgement.record(micros_between(due, answered));
    } else {
      std::lock_guard lock(run.mutex);
      ++run.order_failures[exchange.reply ? "status " + std::to_string(exchange.reply->status)
                                          : exchange.error];
    }
  }
  senders_left.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace

// The generator's body with our pedido_id instead of its random UUID.
std::string with_order_id(const sim::GeneratedOrder& order, const std::string& id) {
  constexpr std::string_view head = R"({"pedido_id":")";
  if (!order.body.starts_with(std::string(head) + order.order_id + "\"")) {
    throw std::logic_error("the order generator no longer starts its body with pedido_id");
  }
  return std::string(head) + id + order.body.substr(head.size() + order.order_id.size());
}

std::chrono::steady_clock::duration seconds(double s) {
  return std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(s));
}

std::string number(double value) {
  std::array<char, 64> text{};
  const auto [end, ec] = std::to_chars(text.data(), text.data() + text.size(), value);
  return {text.data(), end};
}

// The orders due in [0, duration): i / rate < duration.
std::size_t orders_due(double rate, double duration) {
  auto count = static_cast<std::size_t>(std::ceil(duration * rate));
  while (count > 0 && static_cast<double>(count - 1) / rate >= duration) --count;
  while (static_cast<double>(count) / rate < duration) ++count;
  return count;
}

int run_freshness(const FreshnessOptions& o) {
  const auto open_files = net::raise_open_file_limit();
  if (open_files > 0 && o.streams + o.connections + 64 > open_files) {
    throw std::runtime_error("--streams " + std::to_string(o.streams) + " needs more open files " +
                             "than the limit allows (" + std::to_string(open_files) + ")");
  }
  auto parsed = sim::parse_server_url(o.url);
  if (auto* error = std::get_if<std::string>(&parsed)) throw std::runtime_error(*error);
  const auto url = std::get<sim::ServerUrl>(std::move(parsed));
  const auto timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(o.request_timeout * 1e3));
  const auto factory = sim::make_http_connection_factory(url, timeout);

  asio::io_context io(static_cast<int>(o.threads));
  std::string courier_token, viewer_token;
  {
    const auto login = factory->make(io.get_executor());
    courier_token = run_to_completion(io, log_in(*login, url.base_path, o.username, o.password));
    viewer_token =
        run_to_completion(io, log_in(*login, url.base_path, o.viewer_username, o.viewer_password));
  }

  Run run(o, orders_due(o.rate, o.duration));
  std::random_device random;
  const auto random64 = [&random] {
    return (static_cast<std::uint64_t>(random()) << 32) ^ random();
  };
  {
    std::array<char, 17> hex{};
    std::snprintf(hex.data(), hex.size(), "%016llx", static_cast<unsigned long long>(random64()));
    run.order_prefix = std::string("bench-") + hex.data() + "-";
  }
  for (std::size_t t = 0; t < o.threads; ++t) {
    run.tallies.push_back(std::make_unique<Tally>(run.planned));
  }

  // The streams.
  const auto server = net::ServerAddress::resolve(url.host, url.port);
  const std::string events_target = url.base_path + "/eventos";
  const std::string authorization = "Bearer " + viewer_token;
  net::Request request;
  request.target = events_target;
  request.headers = {{"Authorization", authorization}, {"Accept", "text/event-stream"}};
  const auto opening_deadline = SteadyClock::now() + seconds(o.connect_timeout);
  std::vector<std::shared_ptr<StreamWatcher>> streams;
  streams.reserve(o.streams);
  for (std::size_t s = 0; s < o.streams; ++s) {
    streams.push_back(std::make_shared<StreamWatcher>(io, run, server, request));
    streams.back()->start(opening_deadline);
  }
  std::cerr << "cargomon-bench freshness: opening " << o.streams << " streams on " << o.url
            << std::endl;

  // The orders' senders.
  const auto catalog = sim::default_catalog();
  const SystemClock clock;
  const std::uint64_t choice_seed = o.seed ? *o.seed : random64();
  std::vector<Sender> senders(o.connections);
  for (std::size_t c = 0; c < o.connections; ++c) {
    senders[c].connection = factory->make(io.get_executor());
    senders[c].generator = std::make_unique<sim::OrderGenerator>(catalog, o.timezone, clock,
                                                                 choice_seed + c, random64());
  }
  std::atomic<std::size_t> senders_left{o.connections};
  run.period = 1e9 / o.rate;
  const std::string order_target = url.base_path + "/registrar_pedido_entregado";

  const auto live_streams = [&] {
    std::size_t open = 0;
    for (const auto& s : streams) open += s->state() == StreamWatcher::State::ready;
    return open;
  };
  // Every open stream has every acknowledged order's event (or more: events
  // of orders whose answer was lost count too).
  const auto drained = [&] {
    const auto acked = run.orders_acked.load();
    for (const auto& s : streams) {
      if (s->state() == StreamWatcher::State::ready && s->events() < acked) return false;
    }
    return true;
  };

  struct Outcome {
    std::string error;
    double ingest_seconds = 0;
  };
  Outcome outcome;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(io);
        const auto opening = SteadyClock::now();
        const bool settled = co_await wait_for(
            timer, [&] { return run.streams_ready + run.streams_failed == o.streams; },
            opening + seconds(o.connect_timeout));
        if (run.streams_failed > 0 || !settled) {
          std::lock_guard lock(run.mutex);
          outcome.error =
              std::to_string(run.streams_ready.load()) + " of " + std::to_string(o.streams) +
              " streams opened" +
              (run.first_stream_failure.empty() ? " before --connect-timeout"
                                                : "; first failure: " + run.first_stream_failure);
          io.stop();
          co_return;
        }
        std::cerr << "cargomon-bench freshness: " << o.streams << " streams open in "
                  << milliseconds(static_cast<std::uint64_t>(
                         std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() -
                                                                               opening)
                             .count()))
                  << " ms" << std::endl;
        if (o.hold_seconds > 0) {
          std::cout << R"({"phase":"streams_open"})" << std::endl;
          timer.expires_after(seconds(o.hold_seconds));
          co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        }

        std::cerr << "cargomon-bench freshness: " << run.planned << " orders at " << number(o.rate)
                  << "/s over " << o.connections << " connections" << std::endl;
        const auto start = SteadyClock::now() + std::chrono::milliseconds(1);
        run.start.store(
            std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count());
        const auto end = start + seconds(o.duration);
        for (auto& sender : senders) {
          asio::co_spawn(io,
                         send_orders(run, sender, order_target, courier_token, end, senders_left),
                         asio::detached);
        }
        auto next_report = start + std::chrono::seconds(1);
        while (senders_left.load() > 0) {
          timer.expires_after(std::chrono::milliseconds(5));
          co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
          if (SteadyClock::now() >= next_report) {
            std::uint64_t events = 0;
            for (const auto& s : streams) events += s->events();
            std::cerr << "  acknowledged " << run.orders_acked.load() << ", events " << events
                      << ", streams open " << live_streams() << std::endl;
            next_report += std::chrono::seconds(1);
          }
        }
        outcome.ingest_seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
        if (!co_await wait_for(timer, drained, SteadyClock::now() + seconds(o.drain_seconds))) {
          std::cerr << "cargomon-bench freshness: events still missing after --drain-seconds "
                    << o.drain_seconds << std::endl;
        }
        io.stop();
      },
      asio::detached);

  io.restart();  // the logins ran it to completion
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < o.threads; ++t) {
    threads.emplace_back([&io, tally = run.tallies[t].get()] {
      thread_tally = tally;
      io.run();
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& s : streams) s->close();
  if (!outcome.error.empty()) throw std::runtime_error(outcome.error);

  // Every event of an acknowledged order counts; those read before its 200
  // count as 0. Events of orders never acknowledged are not expected and not
  // counted.
  sim::LatencyHistogram freshness;
  std::uint64_t acked = 0, received = 0, negative = 0, other_events = 0;
  for (std::size_t i = 0; i < run.planned; ++i) {
    if (run.acked_at[i].load() == 0) continue;
    ++acked;
    std::uint64_t delivered = 0, early = 0;
    for (const auto& tally : run.tallies) {
      delivered += tally->delivered[i];
      early += tally->early[i];
    }
    received += std::min<std::uint64_t>(delivered, o.streams);
    negative += early;
    for (std::uint64_t e = 0; e < early; ++e) freshness.record(0);
  }
  sim::LatencyHistogram since_due;
  for (const auto& tally : run.tallies) {
    freshness.merge(tally->freshness);
    since_due.merge(tally->since_due);
    other_events += tally->other_events;
  }
  sim::LatencyHistogram acknowledgement;
  for (const auto& sender : senders) acknowledgement.merge(sender.acknowledgement);
  std::size_t resynced = 0, closed = 0;
  std::string close_example;
  for (const auto& s : streams) {
    resynced += s->resynced();
    if (s->state() == StreamWatcher::State::closed) {
      ++closed;
      if (close_example.empty()) close_example = s->end_reason();
    }
  }
  const std::uint64_t expected = acked * o.streams;
  const std::uint64_t sent = run.orders_started.load();
  const std::uint64_t failed = sent - acked;

  std::cerr << "cargomon-bench freshness: " << acked << " of " << run.planned
            << " orders acknowledged";
  if (sent < run.planned) std::cerr << " (" << run.planned - sent << " not sent in time)";
  std::cerr << " in " << number(std::round(outcome.ingest_seconds * 100) / 100) << " s; "
            << received << " of " << expected << " events";
  if (negative > 0) std::cerr << " (" << negative << " before their 200)";
  if (other_events > 0) std::cerr << "; " << other_events << " events of other orders ignored";
  std::cerr << "\n";
  for (const auto& [why, count] : run.order_failures) {
    std::cerr << "  orders failed: " << count << " × " << why << "\n";
  }
  if (closed > 0) {
    std::cerr << "  streams closed: " << closed << " (" << resynced << " after resync; e.g. "
              << close_example << ")\n";
  }

  const auto ms = [](std::uint64_t micros) { return milliseconds(micros); };
  std::string line = "{";
  const auto field = [&line](const char* name, const std::string& value) {
    if (line.size() > 1) line += ',';
    line += '"';
    line += name;
    line += "\":";
    line += value;
  };
  field("streams", std::to_string(o.streams));
  field("rate", number(o.rate));
  field("orders_acked", std::to_string(acked));
  field("events_expected", std::to_string(expected));
  field("events_received", std::to_string(received));
  field("missed", std::to_string(expected - received));
  field("negative", std::to_string(negative));
  field("p50_ms", ms(freshness.percentile(0.5)));
  field("p90_ms", ms(freshness.percentile(0.9)));
  field("p99_ms", ms(freshness.percentile(0.99)));
  field("max_ms", ms(freshness.max()));
  field("orders_failed", std::to_string(failed));
  field("orders_not_sent", std::to_string(run.planned - sent));
  field("streams_resynced", std::to_string(resynced));
  field("streams_closed", std::to_string(closed));
  field("e2e_p50_ms", ms(since_due.percentile(0.5)));
  field("e2e_p90_ms", ms(since_due.percentile(0.9)));
  field("e2e_p99_ms", ms(since_due.percentile(0.99)));
  field("e2e_max_ms", ms(since_due.max()));
  field("ack_p50_ms", ms(acknowledgement.percentile(0.5)));
  field("ack_p99_ms", ms(acknowledgement.percentile(0.99)));
  field("ingest_s", number(std::round(outcome.ingest_seconds * 1000) / 1000));
  line += '}';
  std::cout << line << std::endl;
  return 0;
}

}  // namespace cargomon::bench
