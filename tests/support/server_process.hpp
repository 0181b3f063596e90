#pragma once
// Starts the real cargomon binary for a test: port 0, a temporary data
// directory, and waits (with a deadline, no sleeps) for its "listening" line.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace cargomon::testing {

// Path of the cargomon binary under test (set by CMake).
std::filesystem::path cargomon_binary();

class ServerProcess {
 public:
  struct Options {
    std::filesystem::path data_dir;
    std::vector<std::string> extra_args;
    std::map<std::string, std::string> env;  // added to the test's environment
    std::string listen = "127.0.0.1:0";
  };

  explicit ServerProcess(Options options);
  ~ServerProcess();  // SIGKILL if still running
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The admin listener's port (started with --admin-listen), from its
  // line, printed before the main one; 0 when there is none.
  unsigned short admin_port() const { return admin_port_; }
  // Everything the server printed so far (stdout and stderr).
  std::string output() const;
  bool running();

  // SIGTERM and wait for exit; returns the exit status (or -1 on timeout,
  // after which the process is killed).
  int stop(std::chrono::seconds deadline = std::chrono::seconds(30));
  void kill();  // SIGKILL, as a crash would

 private:
  Options options_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  unsigned short admin_port_ = 0;
  std::filesystem::path log_;
};

// Any program the test starts and may outlive it (`cargomon lambda`, a
// chroot): stdout and stderr to `log`; SIGKILL when it goes, if still
// running.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
               std::filesystem::path log);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool running();
  // Its exit status (128 + signal when killed), polled until `deadline`;
  // nullopt if still running then.
  std::optional<int> wait_exit(std::chrono::steady_clock::time_point deadline);
  std::string output() const;
  void kill();

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::filesystem::path log_;
};

// Runs `cargomon ARGS…` to completion with `input` on stdin; returns exit
// status and output.
struct CommandResult {
  int status;
  std::string output;
};
CommandResult run_cargomon(const std::vector<std::string>& args, const std::string& input = "",
                           const std::map<std::string, std::string>& env = {});

}  // namespace cargomon::testing
