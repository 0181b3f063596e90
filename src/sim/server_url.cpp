#include <boost/url/parse.hpp>

#include "sim/http_connection.hpp"

namespace cargomon::sim {

std::variant<ServerUrl, std::string> parse_server_url(std::string_view text) {
  const auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return "--url must be an absolute URL like http://127.0.0.1:8080";
  const auto& url = *parsed;
  if (url.scheme() != "http") {
    return "--url must start with http:// (put a TLS proxy's plain-HTTP side or the server "
           "itself here)";
  }
  if (url.has_query() || url.has_fragment() || url.has_userinfo()) {
    return "--url must not have a query, fragment or user info";
  }
  ServerUrl out;
  out.host = url.encoded_host();
  if (url.host_type() == boost::urls::host_type::ipv6) {
    out.host = std::string(url.encoded_host_address());
  }
  if (out.host.empty()) return "--url needs a host";
  out.port = url.has_port() ? std::string(url.port()) : "80";
  if (out.port.empty()) out.port = "80";
  out.base_path = url.encoded_path();
  while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
  return out;
}

}  // namespace cargomon::sim
