#pragma once
// For processes that hold many sockets at once (load generators, tests that
// open hundreds of connections).

#include <cstdint>

namespace cargomon::net {

// Raises the soft limit on open files to the hard limit; returns the soft
// limit now in force (0 when it cannot be read).
std::uint64_t raise_open_file_limit();

}  // namespace cargomon::net
