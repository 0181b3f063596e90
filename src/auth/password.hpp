#pragma once
// Password hashing and generated secrets.
//
// Passwords are stored as libsodium's encoded Argon2id strings
// ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"), which carry their own salt
// and cost parameters, so a later change of parameters still verifies old
// hashes.
//
// Thread safety: every function is safe to call concurrently.

#include <cstddef>
#include <string>
#include <string_view>

namespace cargomon::auth {

// Argon2id with opslimit 2 and 19 MiB of memory: OWASP's minimum
// recommendation, about 50 ms per call. Each call uses a fresh random salt, so
// two hashes of one password differ. Throws std::runtime_error only if
// libsodium fails (it cannot allocate the memory).
std::string hash_password(std::string_view password);

// True iff `password` matches `encoded_hash` (constant time in the password).
// A malformed or empty hash gives false, never a crash or an exception.
bool verify_password(std::string_view encoded_hash, std::string_view password);

// 20 random characters from an alphabet without look-alikes (no 0/O/o, 1/l/I):
// about 116 bits, for the first-run admin whose password is printed once.
std::string generate_password();

// `bytes` random bytes as 2 * `bytes` lowercase hex characters.
std::string random_hex(std::size_t bytes);

}  // namespace cargomon::auth
