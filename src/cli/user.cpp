// `cargomon user …`: manage users directly in the store, also while the
// server runs. Passwords are read from standard input, never from argv.

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>

#include "auth/password.hpp"
#include "cli/commands.hpp"
#include "cli/password_prompt.hpp"
#include "cli/settings.hpp"
#include "domain/audit.hpp"
#include "domain/user_service.hpp"
#include "storage/open_store.hpp"
#include "storage/user_directory.hpp"

namespace cargomon::cli {
namespace {

struct UserOptions {
  std::filesystem::path data_dir = "data";
  std::string store;  // a store URL (open_store.hpp); empty: SQLite in data_dir
  std::string username;
  std::string role = "viewer";
  bool create = false;  // --create: a new database in a missing or non-empty --data-dir
};

// What each action calls with a change it made, for the audit trail.
using Audited = std::function<void(const UserOutcome&, bool password_set)>;

template <class Action>
void run(const UserOptions& options, ExitStatus& status, Action action) {
  run_command(status, [&] {
    const BusinessCalendar calendar("UTC");  // users have no business days
    auto store =
        open_store(options.store, options.data_dir, calendar,
                   options.create ? IfMissing::create : IfMissing::create_in_empty_directory);
    StoredUserDirectory directory(*store);
    const SystemClock clock;
    UserService service(directory, auth::hash_password, clock);
    // Changes from here go into the audit trail as the server's do, under
    // the operating system's user.
    AuditRecorder audit([&store](const AuditEntry& entry) { store->append_audit(entry); }, clock,
                        AuditRecorder::random_audit_id,
                        [](const AuditEntry& entry, const std::string& why) {
                          std::cerr << "warning: audit entry " << entry.action
                                    << " not kept: " << why << "\n";
                        });
    action(service, [&audit](const UserOutcome& outcome, bool password_set) {
      audit.record_user_change(cli_actor(), "", outcome.before, outcome.user, password_set);
    });
    return 0;
  });
}

// The user as changed (recorded in the audit trail), or what the service
// refused (the last enabled admin, say) as an error.
User changed(const UserOutcome& outcome, const Audited& audited, bool password_set = false) {
  if (!outcome.ok()) throw std::runtime_error(outcome.detail);
  audited(outcome, password_set);
  return outcome.user;
}

Role role_from(const std::string& text) {
  auto role = parse_role(text);
  if (!role) throw std::runtime_error("role " + std::string(kRoleProblem));
  return *role;
}

}  // namespace

void add_user_command(CLI::App& app, ExitStatus& status) {
  auto options = std::make_shared<UserOptions>();
  auto* user = app.add_subcommand("user", "Manage users (passwords are read from stdin)");
  user->require_subcommand(1);
  add_data_dir_option(*user, options->data_dir);
  add_store_option(*user, options->store);
  add_create_option(*user, options->create);

  auto* add = user->add_subcommand("add", "Create a user");
  add->fallthrough();  // --data-dir may follow the subcommand's own arguments
  add->add_option("username", options->username)->required();
  add->add_option("--role", options->role, "admin, viewer or courier")->capture_default_str();
  add->callback([options, &status] {
    run(*options, status, [&](UserService& users, const Audited& audited) {
      // Checked before the password is asked for.
      if (auto problem = username_problem(options->username)) {
        throw std::runtime_error("username " + *problem);
      }
      const Role role = role_from(options->role);
      const auto u = changed(
          users.create({options->username, read_new_password("Password: "), role}), audited);
      std::cout << "created " << u.username << " (" << to_string(u.role) << ")\n";
    });
  });

  auto* list = user->add_subcommand("list", "List users");
  list->fallthrough();
  list->callback([options, &status] {
    run(*options, status, [](UserService& users, const Audited&) {
      for (const auto& u : users.list()) {
        std::cout << u.username << "\t" << to_string(u.role) << (u.disabled ? "\tdisabled" : "")
                  << "\n";
      }
    });
  });

  auto* passwd = user->add_subcommand("passwd", "Set a user's password");
  passwd->fallthrough();
  passwd->add_option("username", options->username)->required();
  passwd->callback([options, &status] {
    run(*options, status, [&](UserService& users, const Audited& audited) {
      const auto u = changed(
          users.update(options->username, {.password = read_new_password("New password: ")}),
          audited, true);
      std::cout << "password changed for " << u.username << "\n";
    });
  });

  auto* role = user->add_subcommand("role", "Set a user's role");
  role->fallthrough();
  role->add_option("username", options->username)->required();
  role->add_option("role", options->role, "admin, viewer or courier")->required();
  role->callback([options, &status] {
    run(*options, status, [&](UserService& users, const Audited& audited) {
      const auto u =
          changed(users.update(options->username, {.role = role_from(options->role)}), audited);
      std::cout << u.username << " is now " << to_string(u.role) << "\n";
    });
  });

  for (const bool disable : {true, false}) {
    auto* toggle = user->add_subcommand(
        disable ? "disable" : "enable",
        disable ? "Disable a user: their tokens stop working" : "Enable a disabled user");
    toggle->fallthrough();
    toggle->add_option("username", options->username)->required();
    toggle->callback([options, disable, &status] {
      run(*options, status, [&](UserService& users, const Audited& audited) {
        const auto u = changed(users.update(options->username, {.disabled = disable}), audited);
        std::cout << u.username << (disable ? " disabled\n" : " enabled\n");
      });
    });
  }
}

}  // namespace cargomon::cli
