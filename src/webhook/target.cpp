#include "webhook/target.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "domain/webhook.hpp"

namespace cargomon::webhook {
namespace {

namespace ip = boost::asio::ip;

bool is_public_v4(const ip::address_v4& address) {
  const auto bits = address.to_uint();
  const auto in = [bits](std::uint32_t network, int prefix) {
    const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
    return (bits & mask) == network;
  };
  return !(in(0x00000000, 8)       // "this network", 0.0.0.0
           || in(0x0A000000, 8)    // 10/8 private
           || in(0x64400000, 10)   // 100.64/10 carrier-grade NAT
           || in(0x7F000000, 8)    // loopback
           || in(0xA9FE0000, 16)   // 169.254/16 link-local (cloud metadata)
           || in(0xAC100000, 12)   // 172.16/12 private
           || in(0xC0000000, 24)   // 192.0.0/24 protocol assignments
           || in(0xC0A80000, 16)   // 192.168/16 private
           || in(0xC6120000, 15)   // 198.18/15 benchmarking
           || in(0xE0000000, 4)    // multicast
           || in(0xF0000000, 4));  // reserved, broadcast
}

bool is_public_v6(const ip::address_v6& address) {
  if (address.is_v4_mapped()) return is_public_v4(ip::make_address_v4(ip::v4_mapped, address));
  const auto bytes = address.to_bytes();
  if (address.is_unspecified() || address.is_loopback() || address.is_multicast()) return false;
  if ((bytes[0] & 0xFE) == 0xFC) return false;                      // fc00::/7 unique-local
  if (bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0x80) return false;  // fe80::/10 link-local
  if (bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0xC0) return false;  // fec0::/10 site-local
  // 64:ff9b::/96 (NAT64) and ::/96 (IPv4-compatible) carry an IPv4 address.
  const bool embeds_v4 =
      std::all_of(bytes.begin(), bytes.begin() + 12, [](auto b) { return b == 0; }) ||
      (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xFF && bytes[3] == 0x9B &&
       std::all_of(bytes.begin() + 4, bytes.begin() + 12, [](auto b) { return b == 0; }));
  if (embeds_v4) {
    return is_public_v4(ip::address_v4({bytes[12], bytes[13], bytes[14], bytes[15]}));
  }
  return true;
}

}  // namespace

bool is_public_address(const ip::address& address) {
  return address.is_v4() ? is_public_v4(address.to_v4()) : is_public_v6(address.to_v6());
}

std::variant<Target, std::string> parse_target(std::string_view url, bool allow_private) {
  if (url.size() > kMaxWebhookUrlBytes) {
    return "must be at most " + std::to_string(kMaxWebhookUrlBytes) + " bytes";
  }
  const auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return std::string("must be an absolute URL such as https://example.com/webhooks");
  const boost::urls::url_view& u = *parsed;
  Target target;
  const auto scheme = u.scheme();
  if (scheme == "https") {
    target.tls = true;
  } else if (scheme == "http" && allow_private) {
    target.tls = false;
  } else {
    return std::string("must start with https://");
  }
  if (u.has_userinfo()) return std::string("must not carry a user name or password");
  if (u.has_fragment()) return std::string("must not have a fragment (#...)");
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
      target.host = u.host_address();
      break;
    case boost::urls::host_type::name:
      target.host = u.host_name();
      break;
    default:
      return std::string("must name a host");
  }
  if (target.host.empty()) return std::string("must name a host");
  if (!allow_private) {
    boost::system::error_code ec;
    const auto address = ip::make_address(target.host, ec);
    if (!ec && !is_public_address(address)) {
      return std::string("must not point at a loopback, link-local or private address");
    }
    if (ec && (target.host == "localhost" || target.host.ends_with(".localhost"))) {
      return std::string("must not point at a loopback, link-local or private address");
    }
  }
  target.port = u.has_port() ? std::string(u.port()) : std::string(target.tls ? "443" : "80");
  if (u.has_port() && (u.port_number() == 0 || u.port().size() > 5)) {
    return std::string("must have a port from 1 to 65535");
  }
  target.target = u.encoded_target().empty() ? std::string("/") : std::string(u.encoded_target());
  if (!target.target.starts_with('/')) target.target.insert(0, "/");
  return target;
}

}  // namespace cargomon::webhook
