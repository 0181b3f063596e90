#pragma once
// The subcommands of the cargomon program.

// CLI11 is a large header: only the files that build commands include it.
namespace CLI {
class App;
}

namespace cargomon::cli {

void add_serve_command(CLI::App& app);
void add_user_command(CLI::App& app);
void add_simulate_command(CLI::App& app);
void add_import_command(CLI::App& app);
void add_export_command(CLI::App& app);

// The exit status the command that ran chose (0 unless it failed).
int exit_code();
void set_exit_code(int code);

}  // namespace cargomon::cli
