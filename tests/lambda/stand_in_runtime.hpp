#pragma once
// A stand-in for Lambda's Runtime API (2018-06-01) on a loopback port
// chosen by the kernel: the test queues events, the function under test
// takes them with GET …/invocation/next and answers with POST
// …/{id}/response or …/{id}/error; an init failure arrives at
// POST …/init/error. Every post is recorded with its headers.
//
// Thread safety: all public members from any thread. One thread accepts,
// one serves each connection (blocking Beast I/O: a test server, a few
// connections).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cargomon::testing {

struct RuntimePost {
  std::string kind;        // "response", "error" or "init/error"
  std::string request_id;  // empty for init/error
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
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

  // The answer to `request_id` (its /response or /error), once it arrives.
  std::optional<RuntimePost> wait_answer(const std::string& request_id,
                                         std::chrono::steady_clock::time_point deadline);
  std::optional<RuntimePost> wait_init_error(std::chrono::steady_clock::time_point deadline);
  // How many GET …/next have arrived (each waits until an event is queued).
  std::size_t next_calls() const;
  bool wait_next_calls(std::size_t count, std::chrono::steady_clock::time_point deadline) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cargomon::testing
