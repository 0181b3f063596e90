#include "support/server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace cargomon::testing {
namespace fs = std::filesystem;

fs::path cargomon_binary() { return CARGOMON_BIN; }

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

pid_t spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            int stdin_fd, const fs::path& log) {
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    if (stdin_fd >= 0) {
      dup2(stdin_fd, STDIN_FILENO);
    } else {
      const int null = open("/dev/null", O_RDONLY);
      dup2(null, STDIN_FILENO);
    }
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

ServerProcess::ServerProcess(Options options) : options_(std::move(options)) {
  log_ = options_.data_dir.parent_path() / (options_.data_dir.filename().string() + "-server-" +
                                            std::to_string(std::rand()) + ".log");
  std::vector<std::string> args{
      cargomon_binary().string(), "serve", "--listen", options_.listen, "--data-dir",
      options_.data_dir.string()};
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  pid_ = spawn(args, options_.env, -1, log_);
  // Poll the log for the listening line; give up after a generous deadline.
  const std::regex listening(R"(cargomon listening on https?://[^:\s]+:(\d+))");
  const std::regex admin_listening(R"(cargomon admin listening on http://[^:\s]+:(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch match;
    const std::string out = read_file(log_);
    if (std::regex_search(out, match, listening)) {
      port_ = static_cast<unsigned short>(std::stoi(match[1]));
      if (std::regex_search(out, match, admin_listening)) {
        admin_port_ = static_cast<unsigned short>(std::stoi(match[1]));
      }
      return;
    }
    if (!running()) throw std::runtime_error("cargomon exited before listening:\n" + out);
    std::this_thread::yield();
    std::this_thread::sleep_for(
        std::chrono::milliseconds(5));  // poll interval, not a wait for an outcome
  }
  kill();
  throw std::runtime_error("cargomon did not start listening in time:\n" + read_file(log_));
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) kill();
  std::error_code ec;
  fs::remove(log_, ec);
}

std::string ServerProcess::output() const { return read_file(log_); }

bool ServerProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int ServerProcess::stop(std::chrono::seconds deadline_after) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + deadline_after;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill();
  return -1;
}

void ServerProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

ChildProcess::ChildProcess(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env, fs::path log)
    : log_(std::move(log)) {
  pid_ = spawn(args, env, -1, log_);
}

ChildProcess::~ChildProcess() { kill(); }

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

std::optional<int> ChildProcess::wait_exit(std::chrono::steady_clock::time_point deadline) {
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval
  }
  return status_;
}

std::string ChildProcess::output() const { return read_file(log_); }

void ChildProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  status_ = 128 + SIGKILL;
}

CommandResult run_cargomon(const std::vector<std::string>& args, const std::string& input,
                           const std::map<std::string, std::string>& env) {
  TempDir scratch;
  const auto in_path = scratch.path() / "stdin";
  const auto log = scratch.path() / "out";
  { std::ofstream(in_path) << input; }
  const int in_fd = open(in_path.c_str(), O_RDONLY);
  std::vector<std::string> argv{cargomon_binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = spawn(argv, env, in_fd, log);
  close(in_fd);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(log)};
}

}  // namespace cargomon::testing
