#include "sim/simulation.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <mutex>
#include <thread>
#include <vector>

#include "api/json.hpp"

namespace cargomon::sim {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// How often waits look at the stop flag.
constexpr auto kStopCheck = std::chrono::milliseconds(200);

// The "detail" of a FastAPI-style error body, or the body itself.
std::string detail_of(const Reply& reply) {
  auto parsed = api::parse_json(reply.body);
  if (const auto* root = std::get_if<api::JsonNode>(&parsed)) {
    if (const auto* detail = root->find("detail")) {
      if (detail->kind == api::JsonNode::Kind::string) return detail->text;
      if (detail->kind == api::JsonNode::Kind::array && !detail->children.empty()) {
        const auto& first = detail->children.front();
        const auto* msg = first.find("msg");
        const auto* loc = first.find("loc");
        std::string where;
        if (loc && loc->kind == api::JsonNode::Kind::array) {
          for (const auto& part : loc->children) {
            if (!where.empty()) where += '.';
            where += part.text;
          }
        }
        if (msg) return where + ": " + msg->text;
      }
    }
  }
  return reply.body.substr(0, 200);
}

using Offset = std::chrono::duration<double, std::nano>;

// Whether an order due `offset` after the start falls within the duration.
bool due_within(Offset offset, std::chrono::nanoseconds duration) { return offset < duration; }

struct Counters {
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> acknowledged{0};
  std::atomic<std::uint64_t> rejected{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> retried_orders{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> logins{0};
};

}  // namespace

std::uint64_t Summary::rejected_total() const {
  std::uint64_t total = 0;
  for (const auto& [status, n] : rejected) total += n;
  return total;
}

struct Simulation::Shared {
  Shared(SimulationOptions o, const Catalog& c, ConnectionFactory& f, const Clock& k)
      : options(std::move(o)), catalog(c), factory(f), clock(k) {}

  SimulationOptions options;
  const Catalog& catalog;
  ConnectionFactory& factory;
  const Clock& clock;
  std::function<void(const Progress&)> on_progress;
  std::function<void(const OrderReport&)> on_order;

  std::string token_target;
  std::string order_target;
  std::string login_body;

  std::atomic<std::uint64_t> next_index{0};
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> workers_running{0};
  SteadyClock::time_point start;
  std::vector<std::unique_ptr<ThreadRun>> runs;

  std::mutex fatal_mutex;  // guards fatal
  std::string fatal;

  bool should_stop() const {
    return stopping.load(std::memory_order_relaxed) ||
           (options.stop_requested && options.stop_requested->load(std::memory_order_relaxed));
  }
  void fail(std::string why) {
    {
      std::lock_guard lock(fatal_mutex);
      if (fatal.empty()) fatal = std::move(why);
    }
    stopping = true;
  }
};

// One thread's share: its io_context, connections, token, generator and
// statistics. Everything but the atomic counters is touched only from its
// own thread until run() merges it.
class Simulation::ThreadRun {
 public:
  ThreadRun(Shared& shared, std::size_t index, std::size_t connections)
      : shared_(shared),
        generator_(shared.catalog, shared.options.zone_name, shared.clock,
                   shared.options.choice_seed + index, shared.options.id_seed ^ (index * 0x9E37u)),
        login_done_(io_, SteadyClock::time_point::max()) {
    for (std::size_t i = 0; i < connections; ++i) {
      connections_.push_back(shared.factory.make(io_.get_executor()));
    }
  }

  Counters counters;

  // The first login, before any order is due.
  void start_login() {
    asio::co_spawn(io_, refresh_token(0, *connections_.front()), asio::detached);
  }
  void start_workers() {
    for (auto& connection : connections_) {
      asio::co_spawn(io_, work(*connection), asio::detached);
    }
  }
  void start_progress() { asio::co_spawn(io_, report_progress(), asio::detached); }
  void run() {
    io_.restart();
    io_.run();
  }

  void merge_into(Summary& summary) const {
    summary.sent += counters.sent;
    summary.acknowledged += counters.acknowledged;
    summary.failed += counters.failed;
    summary.retried_orders += counters.retried_orders;
    summary.retries += counters.retries;
    summary.logins += counters.logins;
    for (const auto& [status, n] : rejected_) summary.rejected[status] += n;
    for (const auto& [status, text] : rejected_example_) {
      summary.rejected_example.emplace(status, text);
    }
    if (summary.failed_example.empty()) summary.failed_example = failed_example_;
    summary.latency.merge(latency_);
    summary.max_send_lag = std::max(summary.max_send_lag, max_send_lag_);
  }

 private:
  // Waits until `due`, or until a stop is requested (false).
  asio::awaitable<bool> wait_until(asio::steady_timer& timer, SteadyClock::time_point due) {
    for (;;) {
      if (shared_.should_stop()) co_return false;
      const auto now = SteadyClock::now();
      if (now >= due) co_return true;
      timer.expires_at(std::min(due, now + kStopCheck));
      co_await timer.async_wait(use_tuple);
    }
  }

  asio::awaitable<void> pause(asio::steady_timer& timer, std::chrono::milliseconds delay) {
    if (delay.count() <= 0) co_return;
    timer.expires_after(delay);
    co_await timer.async_wait(use_tuple);
  }

  // Makes sure the token is newer than `stale_version`: logs in, or waits
  // for the login another connection of this thread started. False when the
  // login was refused (the run is then stopping).
  asio::awaitable<bool> refresh_token(std::uint64_t stale_version, Connection& connection) {
    for (;;) {
      if (token_version_ != stale_version) co_return true;
      if (login_refused_) co_return false;
      if (!logging_in_) break;
      co_await login_done_.async_wait(use_tuple);  // cancelled when that login ends
    }
    logging_in_ = true;
    const bool ok = co_await log_in(connection);
    logging_in_ = false;
    login_done_.expires_at(SteadyClock::time_point::max());  // wakes the waiters
    co_return ok;
  }

  asio::awaitable<bool> log_in(Connection& connection) {
    const auto& policy = shared_.options.retry;
    asio::steady_timer timer(io_);
    for (std::size_t attempt = 1;; ++attempt) {
      ++counters.logins;
      const auto exchange = co_await connection.post(shared_.token_target, "", shared_.login_body);
      if (exchange.reply && exchange.reply->status == 200) {
        auto parsed = api::parse_json(exchange.reply->body);
        const auto* root = std::get_if<api::JsonNode>(&parsed);
        const auto* token = root ? root->find("access_token") : nullptr;
        if (token && token->kind == api::JsonNode::Kind::string && !token->text.empty()) {
          token_ = token->text;
          ++token_version_;
          co_return true;
        }
        login_refused_ = true;
        shared_.fail("the login answered 200 without an access_token");
        co_return false;
      }
      const bool transient = !exchange.reply || exchange.reply->status == 429 ||
                             exchange.reply->status == 408 || exchange.reply->status >= 500;
      if (transient && attempt < policy.max_attempts && !shared_.stopping) {
        auto delay = backoff(attempt, policy);
        if (exchange.reply && exchange.reply->retry_after) {
          delay = std::min<std::chrono::milliseconds>(*exchange.reply->retry_after,
                                                      policy.max_retry_after);
        }
        co_await pause(timer, delay);
        continue;
      }
      login_refused_ = true;
      if (!exchange.reply) {
        shared_.fail("could not log in: " + exchange.error);
      } else {
        shared_.fail("login as '" + shared_.options.username + "' refused: " +
                     std::to_string(exchange.reply->status) + " " + detail_of(*exchange.reply));
      }
      co_return false;
    }
  }

  asio::awaitable<void> work(Connection& connection) {
    const auto& options = shared_.options;
    asio::steady_timer timer(io_);
    for (;;) {
      if (shared_.should_stop()) break;
      const std::uint64_t index = shared_.next_index.fetch_add(1, std::memory_order_relaxed);
      if (options.count && index >= *options.count) break;
      const auto offset = options.period * static_cast<double>(index);
      if (options.duration && !due_within(offset, *options.duration)) break;
      const auto due = shared_.start + std::chrono::duration_cast<SteadyClock::duration>(offset);
      if (!co_await wait_until(timer, due)) break;
      if (options.duration && SteadyClock::now() - shared_.start >= *options.duration) break;
      co_await deliver(connection, timer, due);
    }
    shared_.workers_running.fetch_sub(1);
  }

  // Sees one order through: sends it until it is acknowledged, rejected, or
  // out of attempts, and counts it once.
  asio::awaitable<void> deliver(Connection& connection, asio::steady_timer& timer,
                                SteadyClock::time_point due) {
    const auto& policy = shared_.options.retry;
    const GeneratedOrder order = generator_.next();
    ++counters.sent;
    max_send_lag_ =
        std::max(max_send_lag_,
                 std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - due));
    std::size_t logins = 0;
    Exchange exchange;
    Decision decision;
    std::size_t attempt = 0;
    for (;;) {
      ++attempt;
      const auto version = token_version_;
      const std::string token = token_;  // another connection may replace token_ meanwhile
      exchange = co_await connection.post(shared_.order_target, token, order.body);
      decision = decide(exchange, attempt, logins, policy);
      if (decision.kind == Decision::Kind::acknowledged ||
          decision.kind == Decision::Kind::rejected || decision.kind == Decision::Kind::give_up) {
        break;
      }
      if (decision.kind == Decision::Kind::login_again) {
        ++logins;
        if (!co_await refresh_token(version, connection)) {
          decision.kind = Decision::Kind::give_up;
          break;
        }
      } else {
        co_await pause(timer, decision.delay);
      }
      if (attempt == 1) ++counters.retried_orders;
      ++counters.retries;
    }

    const auto latency =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - due);
    int status = exchange.reply ? exchange.reply->status : 0;
    std::string detail;
    auto outcome = OrderReport::Outcome::failed;
    switch (decision.kind) {
      case Decision::Kind::acknowledged:
        outcome = OrderReport::Outcome::acknowledged;
        latency_.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, latency.count())));
        ++counters.acknowledged;
        break;
      case Decision::Kind::rejected:
        outcome = OrderReport::Outcome::rejected;
        ++rejected_[status];
        if (!rejected_example_.contains(status) || shared_.on_order) {
          detail = detail_of(*exchange.reply);
          rejected_example_.emplace(status, detail);
        }
        ++counters.rejected;
        break;
      default:
        ++counters.failed;
        detail = exchange.reply ? std::to_string(status) + " " + detail_of(*exchange.reply)
                                : exchange.error;
        failed_example_ = detail;
        break;
    }
    if (shared_.on_order) {
      shared_.on_order(OrderReport{order, shared_.catalog.couriers[order.courier], outcome, status,
                                   std::move(detail), latency, attempt});
    }
  }

  asio::awaitable<void> report_progress() {
    asio::steady_timer timer(io_);
    auto next = shared_.start + shared_.options.progress_every;
    while (shared_.workers_running.load() > 0) {
      const auto now = SteadyClock::now();
      if (now >= next) {
        Progress progress;
        progress.elapsed = now - shared_.start;
        for (const auto& run : shared_.runs) {
          progress.sent += run->counters.sent;
          progress.acknowledged += run->counters.acknowledged;
          progress.rejected += run->counters.rejected;
          progress.failed += run->counters.failed;
          progress.retries += run->counters.retries;
        }
        shared_.on_progress(progress);
        next += shared_.options.progress_every;
      }
      // Short ticks so that the loop ends soon after the last worker.
      timer.expires_at(std::min(next, SteadyClock::now() + std::chrono::milliseconds(50)));
      co_await timer.async_wait(use_tuple);
    }
  }

  Shared& shared_;
  asio::io_context io_{1};
  std::vector<std::unique_ptr<Connection>> connections_;
  OrderGenerator generator_;

  std::string token_;
  std::uint64_t token_version_ = 0;
  bool logging_in_ = false;
  bool login_refused_ = false;
  asio::steady_timer login_done_;  // never expires; cancelled to wake login waiters

  LatencyHistogram latency_;
  std::chrono::microseconds max_send_lag_{0};
  std::map<int, std::uint64_t> rejected_;
  std::map<int, std::string> rejected_example_;
  std::string failed_example_;
};

Simulation::Simulation(SimulationOptions options, const Catalog& catalog,
                       ConnectionFactory& connections, const Clock& clock)
    : shared_(std::make_unique<Shared>(std::move(options), catalog, connections, clock)) {
  auto& o = shared_->options;
  if (o.threads == 0) o.threads = 1;
  if (o.connections < o.threads) o.connections = o.threads;
  if (!(o.period.count() > 0)) o.period = std::chrono::nanoseconds(1);
  shared_->token_target = o.base_path + "/token";
  shared_->order_target = o.base_path + "/registrar_pedido_entregado";
  api::JsonWriter body;
  body.begin_object().key("username").string(o.username).key("password").string(o.password);
  shared_->login_body = body.end_object().take();
}

Simulation::~Simulation() = default;

void Simulation::on_progress(std::function<void(const Progress&)> callback) {
  shared_->on_progress = std::move(callback);
}

void Simulation::on_order(std::function<void(const OrderReport&)> callback) {
  shared_->on_order = std::move(callback);
}

Summary Simulation::run() {
  auto& s = *shared_;
  const auto& o = s.options;
  s.runs.clear();
  for (std::size_t t = 0; t < o.threads; ++t) {
    const std::size_t share = o.connections / o.threads + (t < o.connections % o.threads ? 1 : 0);
    s.runs.push_back(std::make_unique<ThreadRun>(s, t, share));
  }
  const auto run_all = [&s] {
    std::vector<std::thread> threads;
    for (std::size_t t = 1; t < s.runs.size(); ++t) {
      threads.emplace_back([run = s.runs[t].get()] { run->run(); });
    }
    s.runs.front()->run();
    for (auto& thread : threads) thread.join();
  };

  // Every thread logs in first, so that the schedule starts with tokens.
  for (auto& run : s.runs) run->start_login();
  run_all();

  Summary summary;
  if (s.fatal.empty()) {
    s.start = SteadyClock::now();
    s.workers_running = o.connections;
    for (auto& run : s.runs) run->start_workers();
    if (s.on_progress) s.runs.front()->start_progress();
    run_all();
    summary.elapsed = SteadyClock::now() - s.start;
  }
  for (const auto& run : s.runs) run->merge_into(summary);
  summary.fatal = s.fatal;
  const bool interrupted = o.stop_requested && o.stop_requested->load();
  if (o.duration && summary.fatal.empty() && !interrupted) {
    // The orders due in [0, duration), decided as the workers decide it.
    auto due = static_cast<std::uint64_t>(std::ceil(*o.duration / o.period));
    while (due > 0 && !due_within(o.period * static_cast<double>(due - 1), *o.duration)) --due;
    while (due_within(o.period * static_cast<double>(due), *o.duration)) ++due;
    if (o.count) due = std::min(due, *o.count);
    summary.not_sent = due > summary.sent ? due - summary.sent : 0;
  }
  return summary;
}

}  // namespace cargomon::sim
