#pragma once
// Internal to the auth module: libsodium must be initialised once before any
// of its functions is used (it picks CPU-specific code and seeds its RNG).
//
// Thread-safe: the first caller initialises, concurrent callers wait for it.

namespace cargomon::auth::detail {

// Throws std::runtime_error if libsodium cannot initialise (no usable
// randomness source): nothing in this module can work safely without it.
void ensure_sodium_initialized();

}  // namespace cargomon::auth::detail
