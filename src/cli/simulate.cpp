// `cargomon simulate`: the seed's courier script (a random delivered order
// every 5 seconds) and, with --rate, a load generator. The work is done by
// src/sim; this file reads options, prints progress and the summary.

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/password_prompt.hpp"
#include "sim/catalog.hpp"
#include "sim/http_connection.hpp"
#include "sim/simulation.hpp"

namespace cargomon::cli {
namespace {

// Set by SIGINT/SIGTERM; the simulation polls it. A lock-free atomic store is
// async-signal-safe.
std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_interrupt(int signal) {
  interrupted.store(true);
  std::signal(signal, SIG_DFL);  // a second one ends the process at once
}

struct SimulateOptions {
  std::string url = "http://127.0.0.1:8080";
  std::string username = "admin";
  std::string password;
  double interval = 5.0;
  double rate = 0;
  std::size_t connections = 0;  // 0: 1 for --interval, 16 for --rate
  std::size_t threads = 1;
  std::uint64_t count = 0;
  double duration = 0;
  std::string catalog_file;
  std::optional<std::uint64_t> seed;
  std::string timezone = "America/Bogota";
  double timeout = 10;
  std::size_t max_attempts = 10;
  bool quiet = false;
};

std::string milliseconds(std::uint64_t micros) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f ms", static_cast<double>(micros) / 1000.0);
  return buf;
}

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

sim::Catalog load_catalog(const std::string& file) {
  if (file.empty()) return sim::default_catalog();
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read catalog " + file);
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = sim::parse_catalog(text.str());
  if (auto* error = std::get_if<std::string>(&parsed)) throw std::runtime_error(*error);
  return std::get<sim::Catalog>(std::move(parsed));
}

void print_summary(const sim::Summary& s) {
  const double seconds = std::chrono::duration<double>(s.elapsed).count();
  std::ostringstream out;
  out << "summary: " << s.sent << " orders in " << fixed(seconds, 2) << " s, "
      << fixed(seconds > 0 ? static_cast<double>(s.acknowledged) / seconds : 0.0, 1)
      << " acknowledged/s\n";
  out << "  sent          " << s.sent << "\n";
  if (s.not_sent > 0) {
    out << "  not sent      " << s.not_sent
        << " (due before the end of --duration, but every connection was still busy)\n";
  }
  out << "  acknowledged  " << s.acknowledged << "\n";
  out << "  rejected      " << s.rejected_total();
  if (!s.rejected.empty()) {
    out << " (";
    bool first = true;
    for (const auto& [status, n] : s.rejected) {
      out << (first ? "" : ", ") << status << ": " << n;
      first = false;
    }
    out << ")";
  }
  out << "\n";
  for (const auto& [status, example] : s.rejected_example) {
    out << "    " << status << " e.g. " << example << "\n";
  }
  out << "  failed        " << s.failed;
  if (s.failed > 0) out << " (gave up; last: " << s.failed_example << ")";
  out << "\n";
  out << "  retried       " << s.retried_orders << " orders (" << s.retries << " retries), "
      << s.logins << (s.logins == 1 ? " login" : " logins") << "\n";
  const auto& l = s.latency;
  out << "  latency from due time to acknowledgement: p50 " << milliseconds(l.percentile(0.5))
      << "  p90 " << milliseconds(l.percentile(0.9)) << "  p99 " << milliseconds(l.percentile(0.99))
      << "  p99.9 " << milliseconds(l.percentile(0.999)) << "  max " << milliseconds(l.max())
      << "  (mean " << milliseconds(static_cast<std::uint64_t>(l.mean())) << ")\n";
  out << "  sends behind schedule by up to "
      << milliseconds(static_cast<std::uint64_t>(s.max_send_lag.count()))
      << (s.max_send_lag > std::chrono::milliseconds(100)
              ? " (the server was slow, or more --connections are needed for this rate)"
              : "")
      << "\n";
  std::cout << out.str() << std::flush;
}

int run(SimulateOptions o, bool rate_mode) {
  if (o.password.empty()) {
    const char* env = std::getenv("CARGOMON_SIM_PASSWORD");
    o.password = env && *env ? env : read_password("Password: ");
  }
  if (o.password.empty()) throw std::runtime_error("no password (CARGOMON_SIM_PASSWORD or stdin)");
  auto parsed_url = sim::parse_server_url(o.url);
  if (auto* error = std::get_if<std::string>(&parsed_url)) throw std::runtime_error(*error);
  const auto& url = std::get<sim::ServerUrl>(parsed_url);
  const auto catalog = load_catalog(o.catalog_file);

  sim::SimulationOptions options;
  options.base_path = url.base_path;
  options.username = o.username;
  options.password = o.password;
  const double period_seconds = rate_mode ? 1.0 / o.rate : o.interval;
  options.period = std::chrono::duration<double>(period_seconds);
  options.connections = o.connections > 0 ? o.connections : (rate_mode ? 16 : 1);
  options.threads = o.threads;
  if (o.count > 0) options.count = o.count;
  if (o.duration > 0) {
    options.duration = std::chrono::nanoseconds(static_cast<std::int64_t>(o.duration * 1e9));
  }
  options.retry.max_attempts = o.max_attempts;
  options.zone_name = o.timezone;
  std::random_device random;
  const auto random64 = [&random] {
    return (static_cast<std::uint64_t>(random()) << 32) ^ random();
  };
  options.choice_seed = o.seed ? *o.seed : random64();
  options.id_seed = random64();
  options.stop_requested = &interrupted;
  const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(o.timeout * 1000));

  const SystemClock clock;
  const auto factory = sim::make_http_connection_factory(url, timeout);
  sim::Simulation simulation(options, catalog, *factory, clock);

  const bool per_order = !o.quiet && period_seconds >= 1.0;
  if (!o.quiet) {
    std::cout << "simulating couriers against " << o.url << " as " << o.username << ": "
              << (rate_mode ? fixed(o.rate, 1) + " orders/s"
                            : "an order every " + fixed(o.interval, 2) + " s")
              << " over " << options.connections << " connection"
              << (options.connections == 1 ? "" : "s");
    if (options.count) std::cout << ", " << *options.count << " orders";
    if (options.duration) std::cout << ", for " << fixed(o.duration, 1) << " s";
    if (!options.count && !options.duration) std::cout << ", until interrupted (Ctrl-C)";
    std::cout << std::endl;
  }
  if (per_order) {
    simulation.on_order([](const sim::OrderReport& r) {
      std::ostringstream line;
      using Outcome = sim::OrderReport::Outcome;
      if (r.outcome == Outcome::acknowledged) {
        line << "registered " << r.order.order_id << ": " << r.courier.name << ", " << r.order.lines
             << (r.order.lines == 1 ? " product" : " products") << ", total "
             << r.order.total.to_decimal() << " ("
             << milliseconds(static_cast<std::uint64_t>(r.latency.count())) << ")";
      } else if (r.outcome == Outcome::rejected) {
        line << "rejected " << r.order.order_id << ": " << r.status << " " << r.detail;
      } else {
        line << "failed " << r.order.order_id << " after " << r.attempts
             << " attempts: " << r.detail;
      }
      std::cout << line.str() << std::endl;
    });
  } else if (!o.quiet) {
    auto last = std::make_shared<sim::Progress>();
    simulation.on_progress([last](const sim::Progress& p) {
      const double window = std::chrono::duration<double>(p.elapsed - last->elapsed).count();
      const double rate =
          window > 0 ? static_cast<double>(p.acknowledged - last->acknowledged) / window : 0.0;
      std::ostringstream line;
      line << "[" << fixed(std::chrono::duration<double>(p.elapsed).count(), 1) << " s] sent "
           << p.sent << "  acknowledged " << p.acknowledged << "  rejected " << p.rejected
           << "  failed " << p.failed << "  retries " << p.retries << "  (" << fixed(rate, 0)
           << "/s)";
      std::cout << line.str() << std::endl;
      *last = p;
    });
  }

  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  const auto summary = simulation.run();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!summary.fatal.empty()) std::cerr << "error: " << summary.fatal << std::endl;
  print_summary(summary);
  return summary.fatal.empty() ? 0 : 1;
}

}  // namespace

void add_simulate_command(CLI::App& app, ExitStatus& status) {
  auto o = std::make_shared<SimulateOptions>();
  auto* cmd = app.add_subcommand(
      "simulate",
      "Register random delivered orders like the original courier script (one every 5 s), "
      "or load a server at a fixed --rate");
  cmd->add_option("--url", o->url, "Base URL of the cargomon server (http only)")
      ->envname("CARGOMON_SIM_URL")
      ->capture_default_str();
  cmd->add_option("--username", o->username, "User to log in as (role courier or admin)")
      ->envname("CARGOMON_SIM_USERNAME")
      ->capture_default_str();
  cmd->add_option("--password", o->password,
                  "Password (prefer CARGOMON_SIM_PASSWORD, or stdin when neither is given)");
  auto* interval = cmd->add_option("--interval", o->interval, "Seconds between orders")
                       ->check(CLI::PositiveNumber)
                       ->capture_default_str();
  auto* rate = cmd->add_option("--rate", o->rate, "Orders per second, open loop (load mode)")
                   ->check(CLI::Range(0.001, 10'000'000.0));
  interval->excludes(rate);
  cmd->add_option("--connections", o->connections,
                  "Keep-alive connections (default 1, or 16 with --rate); each carries one "
                  "request at a time")
      ->check(CLI::Range(1, 10'000));
  cmd->add_option("--threads", o->threads, "Client threads sharing the connections")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--count", o->count, "Stop after this many orders")->check(CLI::PositiveNumber);
  cmd->add_option("--duration", o->duration, "Stop after this many seconds")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--catalog", o->catalog_file,
                  "JSON file with \"repartidores\" and \"productos\" replacing the default "
                  "catalog")
      ->check(CLI::ExistingFile);
  cmd->add_option("--seed", o->seed, "Seed for the choice of couriers and products");
  cmd->add_option("--timezone", o->timezone,
                  "Business timezone of the server: timestamps are its local time")
      ->envname("CARGOMON_TIMEZONE")
      ->capture_default_str();
  cmd->add_option("--timeout", o->timeout, "Seconds a request may take before it is retried")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-attempts", o->max_attempts, "Attempts per order before giving up")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_flag("--quiet,-q", o->quiet, "Print only the summary");
  cmd->callback(
      [o, rate, &status] { run_command(status, [&] { return run(*o, rate->count() > 0); }); });
}

}  // namespace cargomon::cli
