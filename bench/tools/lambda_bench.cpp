// cargomon-bench lambda: cold starts and warm invocations of `cargomon
// lambda` (or the packaged `bootstrap`) against the stand-in Runtime API
// (src/lambda/stand_in_runtime.hpp, the tests' own), on loopback, with an
// SQLite store in a scratch directory.
//
// Cold start: from just before posix_spawn (which returns once the child has
// exec'd) to the stand-in reading the function's first GET …/next, and to
// its reading the first response (an order, with a token from an earlier
// start). Twice: on a store that exists (schema and admin made by an earlier
// start: a deployment's shared store) and on a fresh one (the schema created
// and the first admin's Argon2id hash computed: SQLite in a new
// environment's /tmp).
//
// Warm: one process; rounds of one order, GET /metrics, GET /pedidos,
// GET /healthz and GET /metrics without a token (401), each invocation
// measured from the stand-in writing the event out on `next` to its reading
// the /response, and to the function's following `next` (Lambda's invoke
// phase ends there: the billed duration), with the function's own EMF line
// (its duration, and the time inside the store) and the CPU time of all its
// threads (/proc/PID/task/*/schedstat). Then logins (POST /token: Argon2id).
// Peak resident memory: VmHWM from /proc/PID/status.
//
// One JSON object per line on stdout (README.md, "lambda").

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "api/json.hpp"
#include "bench_tool.hpp"
#include "domain/clock.hpp"
#include "lambda/stand_in_runtime.hpp"
#include "sim/catalog.hpp"
#include "sim/order_generator.hpp"

extern char** environ;

namespace cargomon::bench {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;
using Env = std::map<std::string, std::string>;
using lambda::StandInRuntime;

constexpr auto kWait = std::chrono::seconds(60);  // for any one step: a hung function

double ms_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// "12.345"
std::string fixed3(double value) {
  std::array<char, 48> text{};
  std::snprintf(text.data(), text.size(), "%.3f", value);
  return text.data();
}

// Nearest rank: the smallest value with at least p of the values at or
// below it (p99 of 20 values is the largest).
double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

double mean(const std::vector<double>& values) {
  if (values.empty()) return 0;
  double sum = 0;
  for (const double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

std::string tail_of(const fs::path& log, std::size_t lines) {
  std::ifstream file(log);
  std::vector<std::string> all;
  for (std::string line; std::getline(file, line);) all.push_back(line);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    out += all[i] + "\n";
  }
  return out;
}

// A kB figure of /proc/PID/status ("VmHWM", "VmRSS"), in MB (10^6 bytes).
double status_mb(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with(field + ":")) {
      return std::stod(line.substr(field.size() + 1)) * 1024 / 1e6;
    }
  }
  throw std::runtime_error("no " + field + " in /proc/" + std::to_string(pid) + "/status");
}

// CPU time of every thread of `pid` so far, in nanoseconds (the first field
// of each task's schedstat: time on a CPU, exact, unlike the clock ticks of
// /proc/PID/stat). A thread that has ended is not counted: the function's
// threads (its loop, the store's writer and syncer) live as long as it.
std::uint64_t cpu_ns(pid_t pid) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream schedstat(task.path() / "schedstat");
    std::uint64_t on_cpu = 0;
    if (schedstat >> on_cpu) total += on_cpu;
  }
  return total;
}

// The function's process: exec'd with exactly `env` (Lambda's environment is
// its own, not the caller's), stdout and stderr appended to `log`.
class Function {
 public:
  Function(const std::vector<std::string>& command, const Env& env, const fs::path& log)
      : log_(log) {
    std::vector<std::string> env_text;
    env_text.reserve(env.size());
    for (const auto& [name, value] : env) {
      std::string entry = name;
      entry += '=';
      entry += value;
      env_text.push_back(std::move(entry));
    }
    std::vector<char*> argv;
    std::vector<char*> envp;
    for (const auto& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    for (auto& entry : env_text) envp.push_back(entry.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    // glibc's posix_spawn returns once the child has exec'd (CLONE_VFORK):
    // the time just before it is the exec.
    execed_at_ = SteadyClock::now();
    const int error = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
      throw std::runtime_error("cannot start " + command[0] + ": " + std::strerror(error));
    }
  }
  ~Function() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  Function(const Function&) = delete;
  Function& operator=(const Function&) = delete;
  Function(Function&&) = delete;
  Function& operator=(Function&&) = delete;

  pid_t pid() const { return pid_; }
  // False once it has exited (and been reaped).
  bool running() {
    int status = 0;
    if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) pid_ = -1;
    return pid_ > 0;
  }
  SteadyClock::time_point execed_at() const { return execed_at_; }
  std::string last_lines() const { return tail_of(log_, 20); }

  // Waits for the process to exit (its Runtime API gone, it exits by
  // itself, its store closed cleanly); SIGKILL after `within`.
  void wait_exit(SteadyClock::duration within) {
    const auto deadline = SteadyClock::now() + within;
    while (SteadyClock::now() < deadline) {
      if (!running()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // poll interval
    }
    std::cerr << "cargomon-bench lambda: the function did not exit; killing it\n";
  }

 private:
  fs::path log_;
  pid_t pid_ = -1;
  SteadyClock::time_point execed_at_;
};

// API Gateway REST (Lambda proxy, payload 1.0) events in the seed's shape
// (tests/fixtures/seed-events/).
std::string rest_event(const std::string& method, const std::string& path, const std::string& token,
                       const std::optional<std::string>& body) {
  json::object headers{{"Content-Type", "application/json"}};
  if (!token.empty()) headers["Authorization"] = "Bearer " + token;
  json::object event{{"resource", path},
                     {"path", path},
                     {"httpMethod", method},
                     {"headers", std::move(headers)},
                     {"multiValueHeaders", json::object{}},
                     {"queryStringParameters", nullptr},
                     {"multiValueQueryStringParameters", nullptr},
                     {"pathParameters", nullptr},
                     {"stageVariables", nullptr},
                     {"requestContext",
                      {{"resourcePath", path},
                       {"httpMethod", method},
                       {"path", "/Prod" + path},
                       {"identity", {{"sourceIp", "127.0.0.1"}}}}},
                     {"body", body ? json::value(*body) : json::value(nullptr)},
                     {"isBase64Encoded", false}};
  return json::serialize(event);
}

struct Answer {
  std::string request_id;
  int status = 0;
  std::string body;
  SteadyClock::time_point received_at;
  std::uint64_t cpu_ns = 0;  // the function's, from before the event to its next `next`
};

// One invocation on a function waiting on `next`: the answer once it is in
// and the function has asked for the next event (so its CPU time is all of
// this invocation's).
Answer invoke(StandInRuntime& runtime, const Function& function, const std::string& event) {
  const std::size_t nexts = runtime.next_calls();
  const auto cpu_before = cpu_ns(function.pid());
  const auto id = runtime.invoke(event);
  const auto post = runtime.take_answer(id, SteadyClock::now() + kWait);
  if (!post) {
    throw std::runtime_error("no answer to an invocation; the function said:\n" +
                             function.last_lines());
  }
  if (post->kind != "response") {
    throw std::runtime_error("the invocation failed (" + post->kind + "): " + post->body);
  }
  if (!runtime.wait_next_calls(nexts + 1, SteadyClock::now() + kWait)) {
    throw std::runtime_error("the function did not ask for the next event; it said:\n" +
                             function.last_lines());
  }
  Answer answer;
  answer.request_id = id;
  answer.received_at = post->received_at;
  answer.cpu_ns = cpu_ns(function.pid()) - cpu_before;
  const auto proxy = json::parse(post->body).as_object();
  answer.status = static_cast<int>(proxy.at("statusCode").to_number<std::int64_t>());
  if (const auto* body = proxy.if_contains("body"); body != nullptr && body->is_string()) {
    answer.body = std::string(body->as_string());
  }
  return answer;
}

void wait_first_next(StandInRuntime& runtime, Function& function) {
  const auto deadline = SteadyClock::now() + kWait;
  // In slices, to notice a function that exits instead (a wrong command, an
  // init error).
  while (!runtime.wait_next_calls(1, SteadyClock::now() + std::chrono::milliseconds(50))) {
    if (!function.running() || SteadyClock::now() >= deadline) {
      throw std::runtime_error("the function never asked for an event; it said:\n" +
                               function.last_lines());
    }
  }
}

class Bench {
 public:
  explicit Bench(const LambdaOptions& options)
      : o_(options),
        catalog_(sim::default_catalog()),
        orders_(catalog_, options.timezone, clock_, seed_or_random(options.seed),
                std::random_device{}()) {
    std::random_device random;
    const auto hex = [&random](std::size_t n) {
      static constexpr char digits[] = "0123456789abcdef";
      std::string out;
      for (std::size_t i = 0; i < n; ++i) out += digits[random() % 16];
      return out;
    };
    password_ = hex(24);
    base_env_ = {
        {"CARGOMON_STORE", "sqlite:"},
        {"CARGOMON_JWT_SECRET", hex(64)},
        {"CARGOMON_ADMIN_PASSWORD", password_},
        {"CARGOMON_TIMEZONE", options.timezone},
        // As Lambda sets them for a provided.al2023 function (LAMBDA_TASK_ROOT,
        // where `bootstrap` finds its files, comes with --env: it falls back
        // to the directory of argv[0]).
        {"PATH", "/usr/local/bin:/usr/bin/:/bin:/opt/bin"},
        {"LANG", "en_US.UTF-8"},
        {"TZ", ":UTC"},
    };
    for (const auto& setting : options.env) {
      const auto equals = setting.find('=');
      if (equals == std::string::npos || equals == 0) {
        throw std::runtime_error("--env wants NAME=VALUE, not '" + setting + "'");
      }
      base_env_[setting.substr(0, equals)] = setting.substr(equals + 1);
    }
    fs::create_directories(o_.dir);
  }

  int run() {
    prepare();
    cold_starts("existing", o_.cold_starts, [&](std::size_t) { return o_.dir / "existing"; });
    cold_starts("fresh", o_.fresh_cold_starts,
                [&](std::size_t i) { return o_.dir / ("fresh-" + std::to_string(i)); });
    if (o_.invocations > 0) warm();
    return 0;
  }

 private:
  static std::uint64_t seed_or_random(const std::optional<std::uint64_t>& seed) {
    return seed ? *seed : std::random_device{}();
  }

  Env env_for(const StandInRuntime& runtime, const fs::path& data) const {
    Env env = base_env_;
    env["AWS_LAMBDA_RUNTIME_API"] = runtime.endpoint();
    env["CARGOMON_DATA_DIR"] = data.string();
    return env;
  }

  std::string order_event() {
    return rest_event("POST", "/registrar_pedido_entregado", token_, orders_.next().body);
  }

  std::string login_event() const {
    api::JsonWriter body;
    body.begin_object().key("username").string("admin").key("password").string(password_);
    body.end_object();
    return rest_event("POST", "/token", "", body.str());
  }

  // A first start on the existing store: its schema and admin, and a token
  // for the orders of every start after it.
  void prepare() {
    std::optional<StandInRuntime> runtime(std::in_place);
    Function function(o_.command, env_for(*runtime, o_.dir / "existing"), o_.dir / "prepare.log");
    wait_first_next(*runtime, function);
    const auto login = invoke(*runtime, function, login_event());
    if (login.status != 200) {
      throw std::runtime_error("login: status " + std::to_string(login.status) + " " + login.body);
    }
    token_ = std::string(json::parse(login.body).at("access_token").as_string());
    runtime.reset();
    function.wait_exit(std::chrono::seconds(10));
  }

  template <class DataDir>
  void cold_starts(const std::string& store, std::size_t count, DataDir data_dir) {
    if (count == 0) return;
    std::vector<double> to_next;
    std::vector<double> to_response;
    std::vector<double> hwm;
    std::vector<double> cpu;  // to the first `next`: what a CPU share would slow down
    for (std::size_t i = 0; i < count; ++i) {
      const fs::path data = data_dir(i);
      const std::string event = order_event();
      std::optional<StandInRuntime> runtime(std::in_place);
      Function function(o_.command, env_for(*runtime, data), o_.dir / ("cold-" + store + ".log"));
      wait_first_next(*runtime, function);
      const auto first_next = runtime->next_log().at(0).arrived;
      // It waits on that `next` now: its CPU time is the start's (exec keeps
      // the task, so `bootstrap`'s own is in it too).
      cpu.push_back(static_cast<double>(cpu_ns(function.pid())) / 1e6);
      const auto answer = invoke(*runtime, function, event);
      if (answer.status != 200) {
        throw std::runtime_error("cold start's order: status " + std::to_string(answer.status) +
                                 " " + answer.body);
      }
      to_next.push_back(ms_between(function.execed_at(), first_next));
      to_response.push_back(ms_between(function.execed_at(), answer.received_at));
      hwm.push_back(status_mb(function.pid(), "VmHWM"));
      runtime.reset();  // its `next` fails: the function exits, closing its store
      function.wait_exit(std::chrono::seconds(10));
      if (store == "fresh") fs::remove_all(data);
    }
    api::JsonWriter out;
    out.begin_object().key("measure").string("cold_start").key("store").string(store);
    out.key("starts").number(static_cast<std::int64_t>(count));
    const auto figures = [&out](const std::string& name, const std::vector<double>& values) {
      out.key(name + "_p50_ms").raw_number(fixed3(percentile(values, 0.50)));
      out.key(name + "_p99_ms").raw_number(fixed3(percentile(values, 0.99)));
      out.key(name + "_max_ms").raw_number(fixed3(percentile(values, 1.0)));
    };
    figures("next", to_next);
    figures("response", to_response);
    out.key("next_cpu_p50_ms").raw_number(fixed3(percentile(cpu, 0.50)));
    out.key("hwm_p50_mb").raw_number(fixed3(percentile(hwm, 0.50)));
    out.end_object();
    std::cout << out.str() << std::endl;
  }

  struct Route {
    std::string name;
    std::string method;
    std::string path;
    int expected;
  };

  struct Measured {
    Answer answer;
    std::size_t route = 0;
  };

  void warm() {
    const std::vector<Route> routes{{"order", "POST", "/registrar_pedido_entregado", 200},
                                    {"metrics", "GET", "/metrics", 200},
                                    {"pedidos", "GET", "/pedidos", 200},
                                    {"healthz", "GET", "/healthz", 200},
                                    {"unauthorized", "GET", "/metrics", 401}};
    const fs::path log = o_.dir / "warm.log";
    StandInRuntime runtime;
    Function function(o_.command, env_for(runtime, o_.dir / "existing"), log);
    wait_first_next(runtime, function);
    const auto event_of = [&](const Route& route) {
      if (route.name == "order") return order_event();
      return rest_event(route.method, route.path, route.name == "unauthorized" ? "" : token_,
                        std::nullopt);
    };
    std::vector<Measured> measured;
    measured.reserve(routes.size() * o_.invocations + o_.logins);
    // Interleaved, so that the machine's other load falls on every route
    // alike, and as one environment serves a mix.
    for (std::size_t round = 0; round < o_.warm_up + o_.invocations; ++round) {
      for (std::size_t r = 0; r < routes.size(); ++r) {
        auto answer = invoke(runtime, function, event_of(routes[r]));
        if (answer.status != routes[r].expected) {
          throw std::runtime_error(routes[r].name + ": status " + std::to_string(answer.status) +
                                   " " + answer.body);
        }
        if (round >= o_.warm_up) measured.push_back({std::move(answer), r});
      }
    }
    const double hwm = status_mb(function.pid(), "VmHWM");
    const double rss = status_mb(function.pid(), "VmRSS");
    const std::size_t token_route = routes.size();
    for (std::size_t i = 0; i < o_.logins; ++i) {
      auto answer = invoke(runtime, function, login_event());
      if (answer.status != 200) throw std::runtime_error("login: status " + answer.body);
      measured.push_back({std::move(answer), token_route});
    }
    const double hwm_logins = status_mb(function.pid(), "VmHWM");
    const double rss_logins = status_mb(function.pid(), "VmRSS");
    const auto nexts = runtime.next_log();

    auto names = routes;
    names.push_back({"token", "POST", "/token", 200});
    report_warm(names, measured, nexts, function_lines(log));
    for (const auto& [after, peak, resident] :
         {std::tuple{"warm", hwm, rss}, std::tuple{"logins", hwm_logins, rss_logins}}) {
      api::JsonWriter out;
      out.begin_object().key("measure").string("memory").key("after").string(after);
      out.key("hwm_mb").raw_number(fixed3(peak)).key("rss_mb").raw_number(fixed3(resident));
      out.end_object();
      std::cout << out.str() << std::endl;
    }
  }

  struct Reported {
    double duration_ms = 0;  // the function's own: event in to answer out
    double store_ms = 0;
  };

  // The EMF lines of the function's log, by request id.
  static std::map<std::string, Reported> function_lines(const fs::path& log) {
    std::map<std::string, Reported> found;
    std::ifstream file(log);
    for (std::string line; std::getline(file, line);) {
      boost::system::error_code ec;
      const auto value = json::parse(line, ec);
      if (ec || !value.is_object()) continue;
      const auto& object = value.as_object();
      const auto* id = object.if_contains("requestId");
      const auto* duration = object.if_contains("cargomon_request_duration_seconds");
      const auto* store = object.if_contains("cargomon_store_duration_seconds");
      if (id == nullptr || !id->is_string() || duration == nullptr || store == nullptr) continue;
      found[std::string(id->as_string())] = {duration->to_number<double>() * 1000,
                                             store->to_number<double>() * 1000};
    }
    return found;
  }

  void report_warm(const std::vector<Route>& routes, const std::vector<Measured>& measured,
                   const std::vector<lambda::NextCall>& nexts,
                   const std::map<std::string, Reported>& lines) const {
    std::map<std::string, std::size_t> call_of;  // request id → its entry in `nexts`
    for (std::size_t i = 0; i < nexts.size(); ++i) {
      if (!nexts[i].request_id.empty()) call_of[nexts[i].request_id] = i;
    }
    for (std::size_t r = 0; r < routes.size(); ++r) {
      std::vector<double> latency;   // event handed out → its response read
      std::vector<double> span;      // event handed out → the function's next `next`
      std::vector<double> billed;    // span rounded up to the millisecond
      std::vector<double> function;  // the function's own figure (EMF)
      std::vector<double> store;     // its time inside the store (EMF)
      std::vector<double> own;       // latency less the store's part
      std::vector<double> cpu;
      std::size_t unreported = 0;
      for (const auto& m : measured) {
        if (m.route != r) continue;
        const auto at = call_of.find(m.answer.request_id);
        if (at == call_of.end() || at->second + 1 >= nexts.size()) {
          throw std::runtime_error("no next call recorded for " + m.answer.request_id);
        }
        const auto& call = nexts[at->second];
        const double l = ms_between(call.handed_out, m.answer.received_at);
        const double s = ms_between(call.handed_out, nexts[at->second + 1].arrived);
        latency.push_back(l);
        span.push_back(s);
        billed.push_back(std::ceil(s));
        cpu.push_back(static_cast<double>(m.answer.cpu_ns) / 1e6);
        const auto line = lines.find(m.answer.request_id);
        if (line == lines.end()) {
          ++unreported;
          continue;
        }
        function.push_back(line->second.duration_ms);
        store.push_back(line->second.store_ms);
        own.push_back(l - line->second.store_ms);
      }
      if (latency.empty()) continue;
      api::JsonWriter out;
      out.begin_object().key("measure").string("warm").key("route").string(routes[r].name);
      out.key("request").string(routes[r].method + " " + routes[r].path);
      out.key("status").number(routes[r].expected);
      out.key("invocations").number(static_cast<std::int64_t>(latency.size()));
      const auto figures = [&out](const std::string& name, const std::vector<double>& values) {
        out.key(name + "_p50_ms").raw_number(fixed3(percentile(values, 0.50)));
        out.key(name + "_p99_ms").raw_number(fixed3(percentile(values, 0.99)));
      };
      figures("latency", latency);
      out.key("latency_max_ms").raw_number(fixed3(percentile(latency, 1.0)));
      figures("span", span);
      out.key("span_mean_ms").raw_number(fixed3(mean(span)));
      out.key("billed_mean_ms").raw_number(fixed3(mean(billed)));
      figures("function", function);
      figures("store", store);
      out.key("store_mean_ms").raw_number(fixed3(mean(store)));
      figures("own", own);
      figures("cpu", cpu);
      out.key("cpu_mean_ms").raw_number(fixed3(mean(cpu)));
      out.key("unreported").number(static_cast<std::int64_t>(unreported));
      out.end_object();
      std::cout << out.str() << std::endl;
    }
  }

  const LambdaOptions& o_;
  SystemClock clock_;
  sim::Catalog catalog_;
  sim::OrderGenerator orders_;
  std::string password_;
  std::string token_;
  Env base_env_;
};

}  // namespace

int run_lambda(const LambdaOptions& options) {
  if (options.command.empty()) throw std::runtime_error("no command to run the function");
  Bench bench(options);
  return bench.run();
}

}  // namespace cargomon::bench
