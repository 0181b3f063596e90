// cargomon: lists its commands; each lives in its own file.

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

// Read by jemalloc (linked into release builds, see CMakeLists.txt) at
// start: memory freed after a burst (1,000 streams' event queues) goes back
// to the system within a second instead of ten, so resident memory follows
// the load. Unused without jemalloc.
extern "C" const char* const malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0";

int main(int argc, char** argv) {
  CLI::App app{"cargomon: live monitoring of delivered orders for Cargo Express"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "cargomon 0.1.0");
  cargomon::cli::ExitStatus status;
  cargomon::cli::add_serve_command(app, status);
  cargomon::cli::add_user_command(app, status);
  cargomon::cli::add_simulate_command(app, status);
  cargomon::cli::add_import_command(app, status);
  cargomon::cli::add_export_command(app, status);
  CLI11_PARSE(app, argc, argv);
  return status.code;
}
