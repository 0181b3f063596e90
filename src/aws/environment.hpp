#pragma once
// Where an AWS client finds its credentials, region and endpoint: the
// environment variables Lambda sets and the AWS SDKs read.
//   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (optional)
//   AWS_REGION (else AWS_DEFAULT_REGION, else us-east-1)
//   AWS_ENDPOINT_URL_<SERVICE> (e.g. AWS_ENDPOINT_URL_DYNAMODB), else
//   AWS_ENDPOINT_URL, else the service's regional endpoint.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "aws/sigv4.hpp"

namespace cargomon::aws {

struct Endpoint {
  bool tls = true;
  std::string host;
  std::string port;  // "443" or "80" when the URL names none
  // The Host header, exactly as sent and signed: the port only when the URL had one.
  std::string host_header;

  // Accepts http://host[:port][/] and https://…; std::runtime_error otherwise.
  static Endpoint parse(std::string_view url);
};

struct ServiceConfig {
  Credentials credentials;
  std::string region;
  Endpoint endpoint;
};

using GetEnv = std::function<std::optional<std::string>(const char* name)>;

// `service` as in endpoint variables and hosts ("dynamodb"). Throws
// std::runtime_error naming what is missing. `env` reads a variable (the
// process environment by default; tests pass a map).
ServiceConfig config_from_environment(std::string_view service, const GetEnv& env = {});

}  // namespace cargomon::aws
