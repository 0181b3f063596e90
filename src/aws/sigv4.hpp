#pragma once
// AWS Signature Version 4 for requests signed in the Authorization header,
// written from AWS's specification ("Create a signed AWS API request" and
// the sigv4 test suite, whose vectors sigv4_test.cpp checks). HMAC-SHA256 and
// SHA-256 come from OpenSSL, already linked for TLS.
//
// What the caller gives is what goes on the wire: the exact Host value (with
// the port when one is sent), the target already URI-encoded, the headers it
// wants signed. Pure functions: no clock, no environment (see environment.hpp).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cargomon::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};

struct SigningInput {
  std::string_view method = "GET";
  std::string_view canonical_uri = "/";  // the path, URI-encoded as sent
  std::string_view canonical_query;      // already sorted and encoded; empty for none
  // Every header to sign, Host included; any case and order, values trimmed
  // and inner runs of spaces folded here. X-Amz-Date and, with a session
  // token, X-Amz-Security-Token are added by sign().
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
  std::string_view amz_date;  // "YYYYMMDDTHHMMSSZ"
  std::string_view region;
  std::string_view service;
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string authorization;  // the Authorization header's value
  // The headers to send besides the caller's: X-Amz-Date, and
  // X-Amz-Security-Token with a session token.
  std::vector<std::pair<std::string, std::string>> added_headers;
};

Signature sign(const Credentials& credentials, const SigningInput& input);

std::string sha256_hex(std::string_view data);

// "YYYYMMDDTHHMMSSZ" for a time in seconds since the Unix epoch (UTC).
std::string amz_date(long long unix_seconds);

}  // namespace cargomon::aws
