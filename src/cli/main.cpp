// cargomon: lists its commands; each lives in its own file.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"

// Read by jemalloc (linked into release builds, see CMakeLists.txt) at
// start: memory freed after a burst (1,000 streams' event queues) goes back
// to the system within a second instead of ten, so resident memory follows
// the load. Unused without jemalloc.
extern "C" const char* const malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0";

namespace {

// Levenshtein distance: the edits that turn `a` into `b`.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// When the word where a (sub)command was expected names none, one line
// saying so and naming the closest command (`cargomon serv` → serve), or
// every command when none is close. CLI11 alone says only that the
// argument was not expected.
std::optional<std::string> unknown_command(CLI::App& app, int argc, char** argv) {
  CLI::App* current = &app;
  std::string path = "cargomon";
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    const std::string_view previous = i > 1 ? argv[i - 1] : "";
    if (word.starts_with('-')) continue;
    // The value of an option (--data-dir DIR), not a command.
    if (previous.starts_with('-') && previous.find('=') == std::string_view::npos) continue;
    const auto subcommands = current->get_subcommands([](CLI::App*) { return true; });
    if (subcommands.empty()) return std::nullopt;  // a command's own arguments
    const auto named = std::find_if(subcommands.begin(), subcommands.end(),
                                    [&](CLI::App* sub) { return sub->get_name() == word; });
    if (named != subcommands.end()) {
      current = *named;
      path += " " + current->get_name();
      continue;
    }
    const CLI::App* closest = nullptr;
    std::size_t best = 0;
    std::string names;
    for (const auto* sub : subcommands) {
      const auto d = edit_distance(word, sub->get_name());
      if (closest == nullptr || d < best) {
        closest = sub;
        best = d;
      }
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    std::string line = "unknown command \"" + std::string(word) + "\" for " + path;
    // Close: a typo or two, not another word of the same length.
    if (best <= std::max<std::size_t>(1, closest->get_name().size() / 3)) {
      line += "; did you mean \"" + closest->get_name() + "\"?";
    } else {
      line += "; the commands are " + names;
    }
    return line;
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cargomon: live monitoring of delivered orders for Cargo Express"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "cargomon 0.1.0");
  cargomon::cli::ExitStatus status;
  cargomon::cli::add_serve_command(app, status);
  cargomon::cli::add_user_command(app, status);
  cargomon::cli::add_webhook_command(app, status);
  cargomon::cli::add_simulate_command(app, status);
  cargomon::cli::add_import_command(app, status);
  cargomon::cli::add_audit_command(app, status);
  cargomon::cli::add_export_command(app, status);
  cargomon::cli::add_lambda_command(app, status);
  cargomon::cli::add_backup_command(app, status);
  cargomon::cli::add_restore_command(app, status);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (argc > 1 && std::string_view(argv[1]) == "lambda" && e.get_exit_code() != 0) {
      cargomon::cli::report_lambda_parse_error(e.what());
    }
    if (e.get_exit_code() != 0) {
      if (const auto unknown = unknown_command(app, argc, argv)) {
        std::cerr << "error: " << *unknown << "\n";
        return e.get_exit_code();
      }
    }
    return app.exit(e);
  }
  return status.code;
}
