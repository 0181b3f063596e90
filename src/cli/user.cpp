// `cargomon user …`: manage users directly in the store, also while the
// server runs. Passwords are read from standard input, never from argv.

#include <CLI/CLI.hpp>
#include <iostream>

#include "auth/password.hpp"
#include "cli/commands.hpp"
#include "cli/password_prompt.hpp"
#include "cli/settings.hpp"
#include "storage/open_store.hpp"

namespace cargomon::cli {
namespace {

int exit_status = 0;

// A new password: from stdin, at least 8 characters.
std::string read_new_password(const std::string& prompt) {
  std::string password = read_password(prompt);
  if (password.size() < 8) throw std::runtime_error("password must be at least 8 characters");
  return password;
}

struct UserOptions {
  std::filesystem::path data_dir = "data";
  std::string store;  // empty: SQLite in data_dir; or a PostgreSQL URL
  std::string username;
  std::string role = "viewer";
};

template <class Action>
void run(const UserOptions& options, Action action) {
  try {
    const BusinessCalendar calendar("UTC");  // users have no business days
    auto store = open_store(options.store, options.data_dir, calendar);
    action(store.users());
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    exit_status = 1;
  }
}

User existing(UserStore& store, const std::string& name) {
  auto user = store.find_user(name);
  if (!user) throw std::runtime_error("no user named " + name);
  return *user;
}

Role role_from(const std::string& text) {
  auto role = parse_role(text);
  if (!role) throw std::runtime_error("role must be admin, viewer or courier");
  return *role;
}

}  // namespace

int exit_code() { return exit_status; }
void set_exit_code(int code) { exit_status = code; }

void add_user_command(CLI::App& app) {
  auto options = std::make_shared<UserOptions>();
  auto* user = app.add_subcommand("user", "Manage users (passwords are read from stdin)");
  user->require_subcommand(1);
  add_data_dir_option(*user, options->data_dir);
  add_store_option(*user, options->store);

  auto* add = user->add_subcommand("add", "Create a user");
  add->fallthrough();  // --data-dir may follow the subcommand's own arguments
  add->add_option("username", options->username)->required();
  add->add_option("--role", options->role, "admin, viewer or courier")->capture_default_str();
  add->callback([options] {
    run(*options, [&](UserStore& store) {
      if (!is_valid_username(options->username)) {
        throw std::runtime_error("username must be 1 to 64 of A-Z a-z 0-9 . _ @ -");
      }
      const Role role = role_from(options->role);
      const auto hash = auth::hash_password(read_new_password("Password: "));
      if (store.create_user(User{options->username, hash, role, false}) != UserChange::done) {
        throw std::runtime_error("user " + options->username + " already exists");
      }
      std::cout << "created " << options->username << " (" << to_string(role) << ")\n";
    });
  });

  auto* list = user->add_subcommand("list", "List users");
  list->fallthrough();
  list->callback([options] {
    run(*options, [](UserStore& store) {
      for (const auto& u : store.list_users()) {
        std::cout << u.username << "\t" << to_string(u.role) << (u.disabled ? "\tdisabled" : "")
                  << "\n";
      }
    });
  });

  auto* passwd = user->add_subcommand("passwd", "Set a user's password");
  passwd->fallthrough();
  passwd->add_option("username", options->username)->required();
  passwd->callback([options] {
    run(*options, [&](UserStore& store) {
      auto u = existing(store, options->username);
      u.password_hash = auth::hash_password(read_new_password("New password: "));
      store.update_user(u);
      std::cout << "password changed for " << u.username << "\n";
    });
  });

  auto* role = user->add_subcommand("role", "Set a user's role");
  role->fallthrough();
  role->add_option("username", options->username)->required();
  role->add_option("role", options->role, "admin, viewer or courier")->required();
  role->callback([options] {
    run(*options, [&](UserStore& store) {
      auto u = existing(store, options->username);
      u.role = role_from(options->role);
      store.update_user(u);
      std::cout << u.username << " is now " << to_string(u.role) << "\n";
    });
  });

  for (const bool disable : {true, false}) {
    auto* toggle = user->add_subcommand(
        disable ? "disable" : "enable",
        disable ? "Disable a user: their tokens stop working" : "Enable a disabled user");
    toggle->fallthrough();
    toggle->add_option("username", options->username)->required();
    toggle->callback([options, disable] {
      run(*options, [&](UserStore& store) {
        auto u = existing(store, options->username);
        u.disabled = disable;
        store.update_user(u);
        std::cout << u.username << (disable ? " disabled\n" : " enabled\n");
      });
    });
  }
}

}  // namespace cargomon::cli
