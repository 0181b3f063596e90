#include <gtest/gtest.h>

#include "sim/http_connection.hpp"

namespace cargomon::sim {
namespace {

ServerUrl ok(const char* text) {
  auto parsed = parse_server_url(text);
  if (auto* error = std::get_if<std::string>(&parsed)) {
    ADD_FAILURE() << text << ": " << *error;
    return {};
  }
  return std::get<ServerUrl>(parsed);
}

TEST(ServerUrl, HostPortAndPrefix) {
  const auto plain = ok("http://127.0.0.1:8080");
  EXPECT_EQ(plain.host, "127.0.0.1");
  EXPECT_EQ(plain.port, "8080");
  EXPECT_EQ(plain.base_path, "");
  EXPECT_EQ(ok("http://localhost/").port, "80");
  EXPECT_EQ(ok("http://localhost/").base_path, "");
  EXPECT_EQ(ok("http://example.com:81/cargomon/").base_path, "/cargomon");
  const auto v6 = ok("http://[::1]:9000");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, "9000");
}

TEST(ServerUrl, RejectsWhatItCannotUse) {
  for (const char* bad : {"127.0.0.1:8080", "https://example.com", "ftp://x", "http://",
                          "http://h:1/?q=1", "not a url"}) {
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_server_url(bad))) << bad;
  }
}

}  // namespace
}  // namespace cargomon::sim
