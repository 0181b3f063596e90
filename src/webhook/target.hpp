#pragma once
// Where a webhook may be sent. An endpoint's URL must be https:// (http://
// only with --webhook-allow-private, for receivers on loopback in tests),
// with a host, and no user name, password or fragment. Its host must not
// be, or resolve to, an address of this machine or its networks (loopback,
// link-local, private, unique-local, multicast, unspecified; IPv4 and IPv6,
// IPv4-mapped included) unless --webhook-allow-private: a webhook is a
// request the server makes on an admin's word, and must not reach what only
// the server can reach. The name is resolved at each delivery and every
// address it gives is checked, so a name that changes its answer later is
// still refused.
//
// Thread safety: functions of their arguments only.

#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>
#include <variant>

namespace cargomon::webhook {

struct Target {
  bool tls = true;
  std::string host;    // a name, or an IP address without brackets
  std::string port;    // "443" when the URL names none
  std::string target;  // path and query, "/" when empty
};

// True for an address a webhook may go to: none of the ranges above.
bool is_public_address(const boost::asio::ip::address& address);

// The target of `url`, or what is wrong with it (a sentence following
// "url "). A host that is an IP address is checked here; a name, at delivery.
std::variant<Target, std::string> parse_target(std::string_view url, bool allow_private);

}  // namespace cargomon::webhook
