// The AWS Signature Version 4 test suite's vectors (credentials AKIDEXAMPLE,
// 2015-08-30T12:36:00Z, us-east-1, service "service"), and the environment.

#include "aws/sigv4.hpp"

#include <gtest/gtest.h>

#include <map>

#include "aws/environment.hpp"

namespace cargomon::aws {
namespace {

const Credentials kSuite{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};

SigningInput suite_input(std::string_view method) {
  SigningInput input;
  input.method = method;
  input.headers = {{"Host", "example.amazonaws.com"}};
  input.amz_date = "20150830T123600Z";
  input.region = "us-east-1";
  input.service = "service";
  return input;
}

TEST(Sigv4, GetVanilla) {
  const auto signature = sign(kSuite, suite_input("GET"));
  EXPECT_EQ(signature.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(signature.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  ASSERT_EQ(signature.added_headers.size(), 1u);
  EXPECT_EQ(signature.added_headers[0].second, "20150830T123600Z");
}

TEST(Sigv4, PostWithABody) {
  // post-x-www-form-urlencoded; the value's spaces are folded as specified.
  auto input = suite_input("POST");
  input.headers.emplace_back("Content-Type", "  application/x-www-form-urlencoded ");
  input.body = "Param1=value1";
  const auto signature = sign(kSuite, input);
  EXPECT_TRUE(signature.canonical_request.ends_with(
      "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"));
  EXPECT_EQ(signature.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

TEST(Sigv4, SessionTokenIsSignedAndSent) {
  // post-sts-token/post-sts-header-before.
  auto credentials = kSuite;
  credentials.session_token =
      "AQoDYXdzEPT//////////"
      "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUu"
      "wthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp7"
      "5YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9"
      "Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
  const auto signature = sign(credentials, suite_input("POST"));
  EXPECT_EQ(signature.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date;x-amz-security-token, "
            "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead");
  ASSERT_EQ(signature.added_headers.size(), 2u);
  EXPECT_EQ(signature.added_headers[1].first, "X-Amz-Security-Token");
  EXPECT_EQ(signature.added_headers[1].second, credentials.session_token);
}

TEST(Sigv4, AmzDateIsUtc) { EXPECT_EQ(amz_date(1440938160), "20150830T123600Z"); }

TEST(AwsEnvironment, ReadsCredentialsRegionAndTheServiceEndpointFirst) {
  std::map<std::string, std::string> vars{{"AWS_ACCESS_KEY_ID", "k"},
                                          {"AWS_SECRET_ACCESS_KEY", "s"},
                                          {"AWS_SESSION_TOKEN", "t"},
                                          {"AWS_REGION", "eu-west-1"},
                                          {"AWS_ENDPOINT_URL", "http://other:1"},
                                          {"AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000/"}};
  const auto env = [&](const char* name) -> std::optional<std::string> {
    const auto found = vars.find(name);
    if (found == vars.end()) return std::nullopt;
    return found->second;
  };
  auto config = config_from_environment("dynamodb", env);
  EXPECT_EQ(config.credentials.session_token, "t");
  EXPECT_EQ(config.region, "eu-west-1");
  EXPECT_FALSE(config.endpoint.tls);
  EXPECT_EQ(config.endpoint.host, "127.0.0.1");
  EXPECT_EQ(config.endpoint.port, "8000");
  EXPECT_EQ(config.endpoint.host_header, "127.0.0.1:8000");
  vars.erase("AWS_ENDPOINT_URL_DYNAMODB");
  EXPECT_EQ(config_from_environment("dynamodb", env).endpoint.host, "other");
  vars.erase("AWS_ENDPOINT_URL");
  config = config_from_environment("dynamodb", env);
  EXPECT_TRUE(config.endpoint.tls);
  EXPECT_EQ(config.endpoint.host_header, "dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(config.endpoint.port, "443");
  vars.erase("AWS_SECRET_ACCESS_KEY");
  EXPECT_THROW(config_from_environment("dynamodb", env), std::runtime_error);
}

TEST(AwsEnvironment, EndpointsAreCheckedAndIpv6LiteralsKeepTheirBrackets) {
  const auto v6 = Endpoint::parse("http://[::1]:8000");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.host_header, "[::1]:8000");
  EXPECT_THROW(Endpoint::parse("ftp://x"), std::runtime_error);
  EXPECT_THROW(Endpoint::parse("http://x/path"), std::runtime_error);
  EXPECT_THROW(Endpoint::parse("http://x:abc"), std::runtime_error);
}

}  // namespace
}  // namespace cargomon::aws
