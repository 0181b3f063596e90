#pragma once
// What every fuzz target shares: a property check that stops the run with a
// message. libFuzzer reports the abort as a crash and saves the input.

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace cargomon::fuzz {

inline void check(bool ok, std::string_view property) {
  if (ok) return;
  std::fprintf(stderr, "property violated: %.*s\n", static_cast<int>(property.size()),
               property.data());
  std::abort();
}

}  // namespace cargomon::fuzz
