#pragma once
// A running cargomon for a whole test suite, logged in as admin.

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace cargomon::testing {

inline constexpr const char* kAdminPassword = "correct-horse-battery";

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    start();
  }
  static void TearDownTestSuite() {
    server_.reset();
    dir_.reset();
  }

  static void start(std::vector<std::string> extra_args = {}, std::string listen = "127.0.0.1:0") {
    ServerProcess::Options options;
    options.data_dir = dir_->path() / "data";
    options.env = {{"CARGOMON_ADMIN_PASSWORD", kAdminPassword}};
    options.extra_args = std::move(extra_args);
    options.listen = std::move(listen);
    server_ = std::make_unique<ServerProcess>(options);
    client_ = std::make_unique<HttpClient>(server_->port());
    admin_token_ = client_->login("admin", kAdminPassword);
  }

  static HttpClient& client() { return *client_; }
  static ServerProcess& server() { return *server_; }
  static const std::string& admin_token() { return admin_token_; }

  // Creates a user with the given role through the API and returns a token.
  static std::string token_for(const std::string& username, const std::string& role) {
    const auto created =
        client().post_json("/usuarios",
                           R"({"username":")" + username + R"(","password":"password-)" + username +
                               R"(","role":")" + role + R"("})",
                           admin_token_);
    EXPECT_TRUE(created.status == 201 || created.status == 409) << created.body;
    return client().login(username, "password-" + username);
  }

  inline static std::unique_ptr<TempDir> dir_;
  inline static std::unique_ptr<ServerProcess> server_;
  inline static std::unique_ptr<HttpClient> client_;
  inline static std::string admin_token_;
};

}  // namespace cargomon::testing
