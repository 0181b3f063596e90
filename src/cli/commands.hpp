#pragma once
// The subcommands of the cargomon program.

// Included only by the command files, which all build CLI11 apps.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <utility>

namespace cargomon::cli {

// The exit status of the command that ran (0 unless it failed). CLI11
// callbacks return nothing, so each command's callback stores its status
// here; main owns it and returns it.
struct ExitStatus {
  int code = 0;
};

void add_serve_command(CLI::App& app, ExitStatus& status);
void add_user_command(CLI::App& app, ExitStatus& status);
void add_webhook_command(CLI::App& app, ExitStatus& status);
void add_simulate_command(CLI::App& app, ExitStatus& status);
void add_import_command(CLI::App& app, ExitStatus& status);
void add_export_command(CLI::App& app, ExitStatus& status);
void add_lambda_command(CLI::App& app, ExitStatus& status);
void add_backup_command(CLI::App& app, ExitStatus& status);
void add_restore_command(CLI::App& app, ExitStatus& status);
void add_audit_command(CLI::App& app, ExitStatus& status);
// A setting `cargomon lambda` could not parse (CLI11 refuses it before the
// command runs) still reaches the Runtime API's init/error, so the
// function's failure says why.
void report_lambda_parse_error(const std::string& message);

// "error: <what>" on stderr, after whatever stdout still holds.
inline void report_error(const std::exception& e) {
  std::cout.flush();
  std::cerr << "error: " << e.what() << "\n";
}

// Runs a command's body: its status is what `run` returns, or 1 once
// `report` has told the user what it threw.
template <class Run, class Report = decltype(&report_error)>
void run_command(ExitStatus& status, Run&& run, Report&& report = report_error) {
  try {
    status.code = run();
  } catch (const std::exception& e) {
    report(e);
    status.code = 1;
  }
}

// Adds the subcommand `name` with its options object (CLI11 fills it while
// parsing; it lives as long as `parent`): once parsed, `run(options)` runs
// through run_command into `status`. The caller adds the options.
template <class Options, class Run>
std::pair<CLI::App*, std::shared_ptr<Options>> add_command(CLI::App& parent, ExitStatus& status,
                                                           std::string name,
                                                           std::string description, Run run) {
  auto options = std::make_shared<Options>();
  auto* command = parent.add_subcommand(std::move(name), std::move(description));
  command->callback(
      [options, run, &status] { run_command(status, [&] { return run(*options); }); });
  return {command, options};
}

}  // namespace cargomon::cli
