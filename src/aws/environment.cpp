#include "aws/environment.hpp"

#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace cargomon::aws {

Endpoint Endpoint::parse(std::string_view url) {
  Endpoint out;
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    out.tls = false;
    rest = url.substr(7);
  } else {
    throw std::runtime_error("an AWS endpoint must start with http:// or https://: \"" +
                             std::string(url.substr(0, 80)) + "\"");
  }
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    if (rest.substr(slash) != "/") {
      throw std::runtime_error("an AWS endpoint has no path: \"" + std::string(url.substr(0, 80)) +
                               "\"");
    }
    rest = rest.substr(0, slash);
  }
  out.host_header = std::string(rest);
  // An IPv6 literal is in brackets; a port follows the last colon outside them.
  const auto close = rest.rfind(']');
  const auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && (close == std::string_view::npos || colon > close)) {
    out.port = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
    if (out.port.empty()) throw std::runtime_error("an AWS endpoint's port is empty");
    for (const char c : out.port) {
      if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
        throw std::runtime_error("an AWS endpoint's port must be a number");
      }
    }
  } else {
    out.port = out.tls ? "443" : "80";
  }
  if (rest.starts_with('[') && rest.ends_with(']')) rest = rest.substr(1, rest.size() - 2);
  if (rest.empty()) throw std::runtime_error("an AWS endpoint needs a host");
  out.host = std::string(rest);
  return out;
}

ServiceConfig config_from_environment(std::string_view service, const GetEnv& env) {
  const GetEnv read = env ? env : [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at startup
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
  ServiceConfig config;
  auto key = read("AWS_ACCESS_KEY_ID");
  auto secret = read("AWS_SECRET_ACCESS_KEY");
  if (!key || !secret) {
    throw std::runtime_error(
        "AWS credentials are missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and "
        "AWS_SESSION_TOKEN for temporary ones)");
  }
  config.credentials.access_key_id = std::move(*key);
  config.credentials.secret_access_key = std::move(*secret);
  config.credentials.session_token = read("AWS_SESSION_TOKEN").value_or("");
  config.region = read("AWS_REGION").value_or(read("AWS_DEFAULT_REGION").value_or("us-east-1"));

  std::string variable = "AWS_ENDPOINT_URL_";
  for (const char c : service) {
    variable += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  auto url = read(variable.c_str());
  if (!url) url = read("AWS_ENDPOINT_URL");
  if (!url) url = "https://" + std::string(service) + "." + config.region + ".amazonaws.com";
  config.endpoint = Endpoint::parse(*url);
  return config;
}

}  // namespace cargomon::aws
