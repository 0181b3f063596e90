#pragma once
// A stand-in for Lambda's Runtime API (2018-06-01) on a loopback port
// chosen by the kernel, for the tests (tests/lambda/) and the benchmark
// (`cargomon-bench lambda`), which both run the real `cargomon lambda`
// against it; no part of cargomon itself. The caller queues events, the
// function takes them with GET …/invocation/next and answers with POST
// …/{id}/response or …/{id}/error; an init failure arrives at
// POST …/init/error. Every post is recorded with its headers.
//
// A response posted streamed (Lambda-Runtime-Function-Response-Mode:
// streaming, Transfer-Encoding: chunked) is recorded as soon as its head
// arrives and grows chunk by chunk, so a caller sees its pieces as they come
// (wait_stream); its trailers are kept once it ends, and only then is it
// answered 202, as Lambda answers.
//
// Thread safety: all public members from any thread. One thread accepts,
// one serves each connection (blocking Beast I/O: a few connections).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cargomon::lambda {

struct RuntimePost {
  std::string kind;                            // "response", "error" or "init/error"
  std::string request_id;                      // empty for init/error
  std::string body;                            // so far, while a streamed one is not complete
  std::map<std::string, std::string> headers;  // lower-case names
  bool streamed = false;
  bool complete = true;                         // a streamed body has ended
  std::vector<std::string> chunks;              // a streamed body's chunks, as they came
  std::map<std::string, std::string> trailers;  // lower-case names
  std::chrono::system_clock::time_point completed_at;
  // When it had arrived whole (a streamed one: its end), for the benchmark's
  // latencies.
  std::chrono::steady_clock::time_point received_at;
};

// One GET …/invocation/next, as the benchmark times it.
struct NextCall {
  std::chrono::steady_clock::time_point arrived;  // its request read
  std::string request_id;                         // the invocation handed out; empty while it waits
  std::chrono::steady_clock::time_point handed_out;  // the event's answer written to the socket
};

class StandInRuntime {
 public:
  StandInRuntime();
  ~StandInRuntime();
  StandInRuntime(const StandInRuntime&) = delete;
  StandInRuntime& operator=(const StandInRuntime&) = delete;
  StandInRuntime(StandInRuntime&&) = delete;
  StandInRuntime& operator=(StandInRuntime&&) = delete;

  // "127.0.0.1:PORT": what AWS_LAMBDA_RUNTIME_API holds.
  std::string endpoint() const;

  // Queues an invocation; returns its request id.
  std::string invoke(std::string event,
                     std::chrono::milliseconds deadline_in = std::chrono::milliseconds(30'000));

  // The answer to `request_id` (its /response or /error), once it has
  // arrived whole.
  std::optional<RuntimePost> wait_answer(const std::string& request_id,
                                         std::chrono::steady_clock::time_point deadline);
  // The same, and forgets it: a caller making thousands of invocations keeps
  // no bodies it has read.
  std::optional<RuntimePost> take_answer(const std::string& request_id,
                                         std::chrono::steady_clock::time_point deadline);
  // The answer to `request_id` as it stands (a streamed one possibly still
  // arriving) once `until` holds for it; nullopt if it does not by `deadline`.
  std::optional<RuntimePost> wait_stream(const std::string& request_id,
                                         const std::function<bool(const RuntimePost&)>& until,
                                         std::chrono::steady_clock::time_point deadline);
  std::optional<RuntimePost> wait_init_error(std::chrono::steady_clock::time_point deadline);
  // How many GET …/next have arrived (each waits until an event is queued).
  std::size_t next_calls() const;
  bool wait_next_calls(std::size_t count, std::chrono::steady_clock::time_point deadline) const;
  // Every GET …/next so far, in the order they arrived.
  std::vector<NextCall> next_log() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cargomon::lambda
