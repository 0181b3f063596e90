#include <gtest/gtest.h>

#include "webhook/signature.hpp"
#include "webhook/target.hpp"

namespace cargomon::webhook {
namespace {

namespace ip = boost::asio::ip;

// The Standard Webhooks specification's published example.
TEST(WebhookSignature, MatchesTheSpecificationsExample) {
  EXPECT_EQ(sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                 1614265330, R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  // Any change of id, time or body changes it.
  EXPECT_NE(sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                 1614265331, R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignature, NewSecretsAreRandomPrefixedAndDecodeTo32Bytes) {
  const auto a = new_secret();
  const auto b = new_secret();
  EXPECT_NE(a, b);
  EXPECT_TRUE(a.starts_with("whsec_"));
  ASSERT_TRUE(secret_key(a));
  EXPECT_EQ(secret_key(a)->size(), 32U);
  EXPECT_FALSE(secret_key("whsec_not base64!"));
  EXPECT_FALSE(secret_key("whsec_c2hvcnQ="));  // "short": too few bytes
}

TEST(WebhookTarget, RefusesLoopbackLinkLocalPrivateAndMulticastAddresses) {
  for (const char* refused :
       {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1",
        "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1"}) {
    EXPECT_FALSE(is_public_address(ip::make_address(refused))) << refused;
  }
  for (const char* allowed :
       {"8.8.8.8", "172.32.0.1", "1.1.1.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"}) {
    EXPECT_TRUE(is_public_address(ip::make_address(allowed))) << allowed;
  }
}

TEST(WebhookTarget, ParsesHttpsUrlsAndRefusesTheRest) {
  const auto ok = parse_target("https://hooks.example.com/in?x=1", false);
  ASSERT_TRUE(std::holds_alternative<Target>(ok));
  const auto& target = std::get<Target>(ok);
  EXPECT_TRUE(target.tls);
  EXPECT_EQ(target.host, "hooks.example.com");
  EXPECT_EQ(target.port, "443");
  EXPECT_EQ(target.target, "/in?x=1");

  EXPECT_EQ(std::get<Target>(parse_target("https://[2001:db8::1]:8443", false)).target, "/");
  for (const char* refused :
       {"http://hooks.example.com/", "ftp://x/", "hooks.example.com", "https://user:pw@x.com/",
        "https://x.com/#frag", "https://127.0.0.1/", "https://[::1]/", "https://localhost/",
        "https://10.0.0.1:8443/", "https://x.com:0/", "https://x.com:70000/", "https:///path"}) {
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_target(refused, false))) << refused;
  }
  // With --webhook-allow-private: loopback and plain http, for tests.
  const auto loopback = parse_target("http://127.0.0.1:8080/hook", true);
  ASSERT_TRUE(std::holds_alternative<Target>(loopback));
  EXPECT_FALSE(std::get<Target>(loopback).tls);
  EXPECT_TRUE(std::holds_alternative<std::string>(
      parse_target("https://x.com/" + std::string(3000, 'a'), true)));
}

}  // namespace
}  // namespace cargomon::webhook
