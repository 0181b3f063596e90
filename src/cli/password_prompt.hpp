#pragma once
// Passwords for commands come from stdin, never from argv (where any user
// of the machine could read them in the process list).

#include <string>

namespace cargomon::cli {

// One line from stdin, without its line ending. When stdin is a terminal,
// `prompt` goes to stderr and the typed text is not echoed.
std::string read_password(const std::string& prompt);

// A password being set: as read_password, but from a terminal it is asked
// twice and two different answers throw std::runtime_error. From a pipe,
// one line (scripts send it once).
std::string read_new_password(const std::string& prompt);

}  // namespace cargomon::cli
