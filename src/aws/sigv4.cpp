#include "aws/sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <stdexcept>

namespace cargomon::aws {
namespace {

using Digest = std::array<unsigned char, SHA256_DIGEST_LENGTH>;

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0x0f];
  }
  return out;
}

Digest hmac(std::string_view key, std::string_view data) {
  Digest out{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(),
           &length) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return out;
}

std::string_view as_view(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The specification's value canonicalization: trimmed, runs of spaces folded to one.
std::string canonical_value(std::string_view value) {
  std::string out;
  bool space = false;
  for (const char c : value) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  Digest digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return hex(digest.data(), digest.size());
}

std::string amz_date(long long unix_seconds) {
  const auto seconds = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 20> text{};
  std::strftime(text.data(), text.size(), "%Y%m%dT%H%M%SZ", &utc);
  return text.data();
}

Signature sign(const Credentials& credentials, const SigningInput& input) {
  Signature out;
  out.added_headers.emplace_back("X-Amz-Date", std::string(input.amz_date));
  if (!credentials.session_token.empty()) {
    out.added_headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }

  // Lower-case names, sorted; repeated names join their values with commas.
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : input.headers) {
    headers.emplace_back(lower(name), canonical_value(value));
  }
  for (const auto& [name, value] : out.added_headers) headers.emplace_back(lower(name), value);
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string canonical_headers;
  std::string signed_headers;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (i > 0 && headers[i].first == headers[i - 1].first) {
      canonical_headers.pop_back();  // the newline
      canonical_headers += ',';
    } else {
      if (!signed_headers.empty()) signed_headers += ';';
      signed_headers += headers[i].first;
      canonical_headers += headers[i].first;
      canonical_headers += ':';
    }
    canonical_headers += headers[i].second;
    canonical_headers += '\n';
  }

  out.canonical_request.append(input.method).append("\n");
  out.canonical_request.append(input.canonical_uri).append("\n");
  out.canonical_request.append(input.canonical_query).append("\n");
  out.canonical_request.append(canonical_headers).append("\n");
  out.canonical_request.append(signed_headers).append("\n");
  out.canonical_request.append(sha256_hex(input.body));

  const std::string_view date = input.amz_date.substr(0, 8);
  std::string scope;
  scope.append(date).append("/").append(input.region).append("/").append(input.service);
  scope.append("/aws4_request");
  out.string_to_sign = "AWS4-HMAC-SHA256\n";
  out.string_to_sign.append(input.amz_date).append("\n");
  out.string_to_sign.append(scope).append("\n");
  out.string_to_sign.append(sha256_hex(out.canonical_request));

  const auto date_key = hmac("AWS4" + credentials.secret_access_key, date);
  const auto region_key = hmac(as_view(date_key), input.region);
  const auto service_key = hmac(as_view(region_key), input.service);
  const auto signing_key = hmac(as_view(service_key), "aws4_request");
  const auto signature = hmac(as_view(signing_key), out.string_to_sign);

  out.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
                      ", SignedHeaders=" + signed_headers +
                      ", Signature=" + hex(signature.data(), signature.size());
  return out;
}

}  // namespace cargomon::aws
