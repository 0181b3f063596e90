#pragma once
// Webhook signing as the Standard Webhooks specification says: a secret is
// "whsec_" followed by the base64 of its key bytes; a message is signed with
// HMAC-SHA256 of the key over "{webhook-id}.{webhook-timestamp}.{body}", sent
// as "v1,<base64 of the MAC>" in the webhook-signature header.
//
// Thread safety: functions of their arguments only (libsodium's random
// source is thread-safe).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cargomon::webhook {

inline constexpr std::string_view kSecretPrefix = "whsec_";

// A new endpoint's id: "we_" and 20 random hex digits.
std::string new_endpoint_id();
// A new secret of 32 random bytes.
std::string new_secret();
// The key bytes of a secret (with or without its prefix), or nullopt when it
// is not base64 or shorter than 16 bytes.
std::optional<std::string> secret_key(std::string_view secret);
// The webhook-signature value of a message; `secret` must be valid.
std::string sign(std::string_view secret, std::string_view id, std::int64_t timestamp,
                 std::string_view body);

}  // namespace cargomon::webhook
