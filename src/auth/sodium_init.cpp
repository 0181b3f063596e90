#include "auth/sodium_init.hpp"

#include <sodium.h>

#include <stdexcept>

namespace cargomon::auth::detail {

void ensure_sodium_initialized() {
  // A function-local static is initialised exactly once, even under
  // concurrent first calls; sodium_init() itself is also idempotent.
  static const int result = sodium_init();
  if (result < 0) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace cargomon::auth::detail
