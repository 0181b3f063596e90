#include "cli/password_prompt.hpp"

#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <stdexcept>

namespace cargomon::cli {
namespace {

bool stdin_is_terminal() { return isatty(STDIN_FILENO) != 0; }

std::string read_line(const std::string& prompt, bool tty) {
  termios saved{};
  if (tty) {
    // Echo off before the prompt: whatever is typed once it shows stays unseen.
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::cerr << prompt << std::flush;
  }
  std::string password;
  std::getline(std::cin, password);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

}  // namespace

std::string read_password(const std::string& prompt) {
  return read_line(prompt, stdin_is_terminal());
}

std::string read_new_password(const std::string& prompt) {
  const bool tty = stdin_is_terminal();
  std::string password = read_line(prompt, tty);
  // Typed without echo, a typo would set a password nobody knows; a script
  // piping one line has no typo to catch.
  if (tty && read_line("Repeat it: ", true) != password) {
    throw std::runtime_error("the two passwords typed differ; nothing was changed");
  }
  return password;
}

}  // namespace cargomon::cli
