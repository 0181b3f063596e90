#pragma once
// `cargomon lambda` (or a packaged bootstrap) started by a test with its own
// stand-in Runtime API and temporary directory, and the seed's events.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "lambda/stand_in_runtime.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace cargomon::testing {

namespace json = boost::json;
using namespace std::chrono_literals;
// The stand-in lives in src/lambda/ so that the benchmark runs the same one.
using lambda::RuntimePost;
using lambda::StandInRuntime;
using Env = std::map<std::string, std::string>;

inline constexpr const char* kPassword = "correct-horse-battery";
inline constexpr const char* kSecret = "0123456789abcdef0123456789abcdef-lambda-test";

inline std::chrono::steady_clock::time_point in(std::chrono::milliseconds span) {
  return std::chrono::steady_clock::now() + span;
}

inline std::string seed_event(const std::string& name) {
  std::ifstream file(std::string(CARGOMON_FIXTURES_DIR) + "/seed-events/" + name);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

inline std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The seed's /token event with the test's password (the seed's "admin"
// is shorter than the password policy allows).
inline std::string token_event() {
  return replace_all(seed_event("token.json"), R"(\"password\": \"admin\")",
                     std::string(R"(\"password\": \")") + kPassword + R"(\")");
}

inline std::map<std::string, std::string> function_env(const StandInRuntime& runtime,
                                                       const TempDir& dir) {
  return {{"AWS_LAMBDA_RUNTIME_API", runtime.endpoint()},
          {"CARGOMON_DATA_DIR", (dir.path() / "data").string()},
          {"CARGOMON_STORE", "sqlite:"},
          {"CARGOMON_JWT_SECRET", kSecret},
          {"CARGOMON_ADMIN_PASSWORD", kPassword}};
}

// `cargomon lambda` with its stand-in runtime.
class LambdaFunction {
 public:
  // Turns the function's environment into the command that runs it with
  // exactly that environment (a chroot, say); `dir` is the test's scratch.
  using Launch =
      std::function<std::vector<std::string>(const Env& env, const std::filesystem::path& dir)>;

  explicit LambdaFunction(const Env& extra_env = {}, const Launch& launch = {}) {
    auto env = function_env(runtime_, dir_);
    for (const auto& [name, value] : extra_env) env[name] = value;
    if (launch) {
      process_.emplace(launch(env, dir_.path()), Env{}, dir_.path() / "function.log");
    } else {
      process_.emplace(std::vector<std::string>{cargomon_binary().string(), "lambda"}, env,
                       dir_.path() / "function.log");
    }
  }

  // The proxy response to `event`, parsed; fails the test on /error.
  json::object call(const std::string& event) {
    const auto post = answer(event);
    EXPECT_EQ(post.kind, "response") << post.body;
    json::object empty;
    if (post.kind != "response") return empty;
    return json::parse(post.body).as_object();
  }

  RuntimePost answer(const std::string& event) {
    const auto id = runtime_.invoke(event);
    auto post = runtime_.wait_answer(id, in(30s));
    if (!post) {
      ADD_FAILURE() << "no answer to " << id << "; the function said:\n" << output();
      return {};
    }
    return *post;
  }

  std::string login() {
    const auto response = call(token_event());
    EXPECT_EQ(response.at("statusCode"), 200) << json::serialize(response);
    const auto body = json::parse(response.at("body").as_string());
    return std::string(body.at("access_token").as_string());
  }

  StandInRuntime& runtime() { return runtime_; }
  ChildProcess& process() { return *process_; }
  std::string output() const { return process_->output(); }
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  StandInRuntime runtime_;
  std::optional<ChildProcess> process_;
};

inline json::value body_of(const json::object& response) {
  return json::parse(response.at("body").as_string());
}

}  // namespace cargomon::testing
