#pragma once
// Where the JWT signing secret comes from. There is no default secret in code:
// a server either is given one or makes its own, random, on first start.
//
// Thread safety: safe to call concurrently, also from several processes
// sharing a data directory (creation publishes the file atomically, and a
// process that loses the race reads the winner's secret).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace cargomon::auth {

// Precedence:
//  1. `from_env`, if set (the caller maps an unset variable to nullopt; an
//     empty one is set, and too short). Used verbatim; at least 32 bytes.
//  2. `secret_file`, if set: must exist, and is refused if group or others
//     have any access to it (whoever reads it can sign tokens for any user);
//     its content less a trailing newline, at least 32 bytes.
//  3. `<data_dir>/jwt-secret`: read if it exists (refused likewise);
//     otherwise created with mode 0600, holding 64 hex characters (256
//     random bits), and its content returned. `data_dir` is created (mode
//     0700) if missing.
// Every refusal throws std::runtime_error saying what to fix: this runs at
// start-up, where stopping with a clear message is the right answer.
std::string load_or_create_secret(const std::filesystem::path& data_dir,
                                  std::optional<std::string> from_env,
                                  std::optional<std::filesystem::path> secret_file);

// Creates `path` holding `content`, mode 0600 whatever the umask, synced to
// disk with its directory entry, and never seen partly written. Returns false,
// leaving it as it is, if `path` already exists; any other failure throws
// std::runtime_error naming the file. For what only the owner may read: the
// generated secret, a generated first password.
bool create_private_file(const std::filesystem::path& path, std::string_view content);

}  // namespace cargomon::auth
