// cargomon: lists its commands; each lives in its own file.

#include <CLI/CLI.hpp>
#include <string_view>

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
  cargomon::cli::add_lambda_command(app, status);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (argc > 1 && std::string_view(argv[1]) == "lambda" && e.get_exit_code() != 0) {
      cargomon::cli::report_lambda_parse_error(e.what());
    }
    return app.exit(e);
  }
  return status.code;
}
