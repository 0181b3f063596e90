// What an operator meets at the command line (issue 16, parts 3 and 7):
// commands that do not surprise, and backup and restore of the SQLite store
// while orders arrive. The real binary, port 0, temporary directories.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace cargomon::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::steady_clock;

constexpr const char* kPassword = "correct-horse-battery";

std::unique_ptr<ServerProcess> serve(const fs::path& data, std::vector<std::string> extra = {}) {
  ServerProcess::Options options;
  options.data_dir = data;
  options.env = {{"CARGOMON_ADMIN_PASSWORD", kPassword}};
  options.extra_args = std::move(extra);
  return std::make_unique<ServerProcess>(options);
}

std::string order_json(const std::string& id) {
  return R"({"pedido_id": ")" + id +
         R"(", "repartidor": {"IdRepartidor": 7, "Nombre": "Ana Gómez"},
             "productos": [{"IdProducto": "pk0001", "producto": "Moneda", "precio": 1}],
             "timestamp": "2024-09-12 03:50:58"})";
}

std::size_t lines_in(const std::string& text) {
  std::size_t lines = 0;
  for (const char c : text) lines += c == '\n' ? 1 : 0;
  return lines;
}

// ---- part 7: a CLI that does not surprise ----

TEST(Cli, AMistypedCommandSuggestsTheClosestOne) {
  const auto serv = run_cargomon({"serv"});
  EXPECT_NE(serv.status, 0);
  EXPECT_NE(serv.output.find(R"(unknown command "serv" for cargomon; did you mean "serve"?)"),
            std::string::npos)
      << serv.output;
  const auto passwd = run_cargomon({"user", "paswd", "ana", "--data-dir", "x"});
  EXPECT_NE(passwd.status, 0);
  EXPECT_NE(passwd.output.find(R"(for cargomon user; did you mean "passwd"?)"), std::string::npos)
      << passwd.output;
  // Nothing close: the commands are listed instead of a wild guess.
  const auto far = run_cargomon({"frobnicate"});
  EXPECT_NE(far.status, 0);
  EXPECT_NE(far.output.find("the commands are serve, user,"), std::string::npos) << far.output;
  EXPECT_EQ(far.output.find("did you mean"), std::string::npos) << far.output;
}

TEST(Cli, OnlyServeCreatesADatabaseTheOtherCommandsNameTheMissingDirectory) {
  TempDir dir;
  const auto missing = dir.path() / "dat";  // a typo of "data"
  const auto users = dir.path() / "usuarios.json";
  std::ofstream(users) << R"({"Items": [{"username": {"S": "ana"}, "password": {"S": "x"}}]})";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"user", "list", "--data-dir", missing.string()},
        std::vector<std::string>{"user", "add", "ana", "--data-dir", missing.string()},
        std::vector<std::string>{"user", "disable", "ana", "--data-dir", missing.string()},
        std::vector<std::string>{"import", "--users", users.string(), "--data-dir",
                                 missing.string()},
        std::vector<std::string>{"export", "--data-dir", missing.string()},
        std::vector<std::string>{"backup", (dir.path() / "copy").string(), "--data-dir",
                                 missing.string()}}) {
    const auto refused = run_cargomon(args, "a-good-password\n");
    EXPECT_NE(refused.status, 0) << args[0] << " " << args[1] << ": " << refused.output;
    EXPECT_NE(refused.output.find(missing.string()), std::string::npos) << refused.output;
    EXPECT_EQ(lines_in(refused.output), 1U) << refused.output;
    EXPECT_FALSE(fs::exists(missing)) << args[0] << " " << args[1] << " created it";
  }
  EXPECT_FALSE(fs::exists(dir.path() / "copy"));

  // A directory that holds other things and no database is not a data
  // directory either (`--data-dir .` in a checkout).
  const auto elsewhere = dir.path() / "elsewhere";
  fs::create_directory(elsewhere);
  std::ofstream(elsewhere / "notes.txt") << "not a store\n";
  const auto not_data = run_cargomon({"user", "list", "--data-dir", elsewhere.string()});
  EXPECT_NE(not_data.status, 0);
  EXPECT_NE(not_data.output.find("no cargomon database in " + elsewhere.string()),
            std::string::npos)
      << not_data.output;
  EXPECT_FALSE(fs::exists(elsewhere / "cargomon.db"));

  // An empty directory was made for it (as scripts do: mkdir, then add the
  // users), and --create says so explicitly anywhere.
  const auto empty = dir.path() / "empty";
  fs::create_directory(empty);
  const auto in_empty = run_cargomon(
      {"user", "add", "ana", "--role", "courier", "--data-dir", empty.string()}, "password-ana\n");
  EXPECT_EQ(in_empty.status, 0) << in_empty.output;
  const auto created = run_cargomon(
      {"user", "add", "ana", "--create", "--data-dir", missing.string()}, "password-ana\n");
  EXPECT_EQ(created.status, 0) << created.output;
  EXPECT_TRUE(fs::exists(missing / "cargomon.db"));
}

TEST(Cli, APortInUseIsSaidInOneLineAndNothingIsCreated) {
  TempDir dir;
  const auto first = serve(dir.path() / "first");
  const auto fresh = dir.path() / "fresh";
  const auto taken =
      run_cargomon({"serve", "--listen", "127.0.0.1:" + std::to_string(first->port()), "--data-dir",
                    fresh.string()},
                   "", {{"CARGOMON_ADMIN_PASSWORD", kPassword}});
  EXPECT_NE(taken.status, 0);
  EXPECT_NE(taken.output.find("cannot listen on 127.0.0.1:" + std::to_string(first->port()) +
                              ": the port is in use by another process"),
            std::string::npos)
      << taken.output;
  EXPECT_EQ(lines_in(taken.output), 1U) << taken.output;
  EXPECT_EQ(taken.output.find("asio"), std::string::npos) << taken.output;
  EXPECT_FALSE(fs::exists(fresh)) << "the data directory was created before the port was checked";
}

TEST(Cli, ASecondServeOnOneDataDirectoryRefusesNamingTheFirst) {
  TempDir dir;
  const auto data = dir.path() / "data";
  auto first = serve(data);
  const auto second =
      run_cargomon({"serve", "--listen", "127.0.0.1:0", "--data-dir", data.string()});
  EXPECT_NE(second.status, 0);
  EXPECT_NE(
      second.output.find("data directory " + data.string() + " is in use by cargomon serve (pid " +
                         std::to_string(first->pid()) + ")"),
      std::string::npos)
      << second.output;
  EXPECT_EQ(second.output.find("listening"), std::string::npos) << second.output;
  // The first one serves on, and once it is gone (however it ends) the
  // directory is free again.
  HttpClient client(first->port());
  EXPECT_EQ(client.get("/readyz").status, 200);
  first->kill();
  const auto after = serve(data);
  EXPECT_EQ(HttpClient(after->port()).get("/readyz").status, 200);
}

// What the Debian package's unit relies on: a service's output goes to the
// journal, so the generated first password goes to a private file instead.
TEST(Cli, AGeneratedFirstPasswordGoesToItsFileNamedAndNeverToTheOutput) {
  TempDir dir;
  const auto data = dir.path() / "data";
  const auto file = data / "admin-password";
  ServerProcess::Options options;
  options.data_dir = data;
  options.extra_args = {"--generated-admin-password-file", file.string()};
  auto server = std::make_unique<ServerProcess>(options);

  EXPECT_NE(server->output().find("Created user 'admin' with a generated password, written to " +
                                  file.string() + " (mode 0600)"),
            std::string::npos)
      << server->output();
  ASSERT_TRUE(fs::exists(file));
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  std::ifstream in(file);
  std::string password;
  std::getline(in, password);
  ASSERT_GE(password.size(), 16U);
  EXPECT_EQ(server->output().find(password), std::string::npos) << "the password was printed";
  EXPECT_FALSE(HttpClient(server->port()).login("admin", password).empty());

  // Later starts find a user and leave the file alone.
  EXPECT_EQ(server->stop(), 0);
  server = std::make_unique<ServerProcess>(options);
  EXPECT_EQ(server->output().find("Created user"), std::string::npos) << server->output();
  std::ifstream again(file);
  std::string kept;
  std::getline(again, kept);
  EXPECT_EQ(kept, password);
}

TEST(Cli, APasswordFileLeftWithAnEmptyStoreStopsTheStartNamingIt) {
  TempDir dir;
  const auto data = dir.path() / "data";
  const auto file = data / "admin-password";
  fs::create_directories(data);
  std::ofstream(file) << "from-an-earlier-store\n";
  // A start that is not refused would serve on: waited for with a deadline.
  ChildProcess refused(
      {cargomon_binary().string(), "serve", "--listen", "127.0.0.1:0", "--data-dir", data.string(),
       "--generated-admin-password-file", file.string()},
      {}, dir.path() / "refused.log");
  const auto status = refused.wait_exit(steady_clock::now() + std::chrono::seconds(60));
  ASSERT_TRUE(status.has_value()) << "it started: " << refused.output();
  EXPECT_NE(*status, 0);
  EXPECT_NE(refused.output().find(file.string() + " already exists, yet the store has no user"),
            std::string::npos)
      << refused.output();
  EXPECT_EQ(refused.output().find("listening"), std::string::npos) << refused.output();
  std::ifstream in(file);
  std::string content;
  std::getline(in, content);
  EXPECT_EQ(content, "from-an-earlier-store");
  // No admin was made with a password no one has: once the file is gone the
  // next start makes one.
  fs::remove(file);
  ServerProcess::Options options;
  options.data_dir = data;
  options.extra_args = {"--generated-admin-password-file", file.string()};
  const ServerProcess server(options);
  EXPECT_NE(server.output().find("Created user 'admin' with a generated password"),
            std::string::npos)
      << server.output();
}

TEST(Cli, TheReadmeListsEveryFlagOfEveryCommand) {
  std::ifstream in(CARGOMON_README);
  const std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(readme.empty());
  const std::regex flag(R"((?:^|[\s,])(--[a-z][a-z0-9-]*))");
  std::size_t checked = 0;
  for (const std::vector<std::string>& command : {std::vector<std::string>{"serve"},
                                                  {"user"},
                                                  {"user", "add"},
                                                  {"webhook"},
                                                  {"webhook", "add"},
                                                  {"import"},
                                                  {"export"},
                                                  {"backup"},
                                                  {"restore"},
                                                  {"simulate"},
                                                  {"lambda"}}) {
    auto args = command;
    args.emplace_back("--help");
    const auto help = run_cargomon(args);
    ASSERT_EQ(help.status, 0) << help.output;
    for (std::sregex_iterator it(help.output.begin(), help.output.end(), flag), end; it != end;
         ++it) {
      const std::string name = (*it)[1];
      if (name == "--help") continue;
      ++checked;
      EXPECT_NE(readme.find("`" + name + "`"), std::string::npos)
          << "cargomon " << command[0] << " " << name << " is not in the README's tables";
    }
  }
  EXPECT_GT(checked, 60U);  // the help was read, not an empty page
}

// A process on a pseudo-terminal, as an operator types into it.
class Terminal {
 public:
  explicit Terminal(const std::vector<std::string>& args) {
    pid_ = forkpty(&master_, nullptr, nullptr, nullptr);
    if (pid_ < 0) throw std::runtime_error("forkpty failed");
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~Terminal() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(master_);
  }
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  // Reads until `text` has appeared, with a deadline; true if it did.
  bool expect(const std::string& text) {
    const auto deadline = steady_clock::now() + std::chrono::seconds(20);
    while (seen_.find(text, consumed_) == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady_clock::now());
      if (left.count() <= 0 || !read_some(static_cast<int>(left.count()))) return false;
    }
    consumed_ = seen_.find(text, consumed_) + text.size();
    return true;
  }
  void type(const std::string& line) {
    const std::string bytes = line + "\n";
    ASSERT_EQ(write(master_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  // The exit status once the program ends (reading what it still prints).
  int wait_exit() {
    while (read_some(20000)) {
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  const std::string& seen() const { return seen_; }

 private:
  bool read_some(int timeout_ms) {
    pollfd ready{master_, POLLIN, 0};
    if (poll(&ready, 1, timeout_ms) <= 0) return false;
    char buffer[512];
    const auto n = read(master_, buffer, sizeof buffer);
    if (n <= 0) return false;  // EIO once the child has closed the terminal
    seen_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int master_ = -1;
  std::string seen_;
  std::size_t consumed_ = 0;
};

// A container without /dev/pts has no terminal to type into.
bool pseudo_terminals_available() {
  const int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0) return false;
  close(master);
  return true;
}

TEST(Cli, PasswdOnATerminalAsksTwiceAndTwoDifferentAnswersChangeNothing) {
  if (!pseudo_terminals_available()) GTEST_SKIP() << "no pseudo-terminals here (/dev/ptmx)";
  TempDir dir;
  const auto data = dir.path() / "data";
  ASSERT_EQ(run_cargomon({"user", "add", "ana", "--create", "--data-dir", data.string()},
                         "first-password\n")
                .status,
            0);
  // Checked by a server started afresh, whose user cache cannot be behind.
  const auto logs_in = [&](const std::string& password) {
    const auto server = serve(data);
    return HttpClient(server->port())
               .post_json("/token", R"({"username":"ana","password":")" + password + R"("})")
               .status == 200;
  };
  const std::vector<std::string> passwd{
      cargomon_binary().string(), "user", "passwd", "ana", "--data-dir", data.string()};
  {
    Terminal terminal(passwd);
    ASSERT_TRUE(terminal.expect("New password: ")) << terminal.seen();
    terminal.type("second-password");
    ASSERT_TRUE(terminal.expect("Repeat it: ")) << terminal.seen();
    terminal.type("second-passw0rd");
    EXPECT_NE(terminal.wait_exit(), 0) << terminal.seen();
    EXPECT_NE(terminal.seen().find("the two passwords typed differ; nothing was changed"),
              std::string::npos)
        << terminal.seen();
    EXPECT_EQ(terminal.seen().find("second-pass"), std::string::npos)
        << "echoed: " << terminal.seen();
  }
  EXPECT_TRUE(logs_in("first-password")) << "a mistyped confirmation changed the password";
  {
    Terminal terminal(passwd);
    ASSERT_TRUE(terminal.expect("New password: ")) << terminal.seen();
    terminal.type("second-password");
    ASSERT_TRUE(terminal.expect("Repeat it: ")) << terminal.seen();
    terminal.type("second-password");
    EXPECT_EQ(terminal.wait_exit(), 0) << terminal.seen();
    EXPECT_NE(terminal.seen().find("password changed for ana"), std::string::npos)
        << terminal.seen();
  }
  EXPECT_TRUE(logs_in("second-password"));
  // From a pipe one line is the password, as scripts send it.
  const auto piped =
      run_cargomon({"user", "passwd", "ana", "--data-dir", data.string()}, "third-password\n");
  EXPECT_EQ(piped.status, 0) << piped.output;
  EXPECT_TRUE(logs_in("third-password"));
  // `user add` sets a password too: the same two questions.
  {
    Terminal terminal(
        {cargomon_binary().string(), "user", "add", "bob", "--data-dir", data.string()});
    ASSERT_TRUE(terminal.expect("Password: ")) << terminal.seen();
    terminal.type("bobs-password");
    ASSERT_TRUE(terminal.expect("Repeat it: ")) << terminal.seen();
    terminal.type("bobs-passw0rd");
    EXPECT_NE(terminal.wait_exit(), 0) << terminal.seen();
  }
  const auto listed = run_cargomon({"user", "list", "--data-dir", data.string()});
  EXPECT_EQ(listed.output.find("bob"), std::string::npos) << listed.output;
}

// ---- part 3: backups ----

std::string integrity_of(const fs::path& database) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr);
  std::string result;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    result += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return result;
}

// Couriers registering orders as fast as they are acknowledged, each order
// id recorded once its 200 has arrived.
class Ingest {
 public:
  Ingest(unsigned short port, const std::string& token, int couriers) {
    for (int c = 0; c < couriers; ++c) {
      threads_.emplace_back([this, port, token, c] {
        HttpClient client(port);
        for (int n = 0; !stop_; ++n) {
          const std::string id = "backup-" + std::to_string(c) + "-" + std::to_string(n);
          const auto res = client.post_json("/registrar_pedido_entregado", order_json(id), token);
          if (res.status != 200) {
            failures_++;
            continue;
          }
          const std::lock_guard lock(mutex_);
          acknowledged_.push_back(id);
        }
      });
    }
  }
  ~Ingest() { stop(); }
  Ingest(const Ingest&) = delete;
  Ingest& operator=(const Ingest&) = delete;

  std::vector<std::string> acknowledged() {
    const std::lock_guard lock(mutex_);
    return acknowledged_;
  }
  bool wait_for(std::size_t count) {
    const auto deadline = steady_clock::now() + std::chrono::seconds(60);
    while (acknowledged().size() < count) {
      if (steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval
    }
    return true;
  }
  void stop() {
    stop_ = true;
    for (auto& thread : threads_) thread.join();
    threads_.clear();
  }
  int failures() const { return failures_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> failures_{0};
  std::mutex mutex_;
  std::vector<std::string> acknowledged_;
  std::vector<std::thread> threads_;
};

TEST(Backup, UnderIngestEveryOrderAcknowledgedBeforeItBeganIsRestored) {
  TempDir dir;
  const auto data = dir.path() / "data";
  const auto copy = dir.path() / "backup";
  const auto fresh = dir.path() / "restored";
  auto server = serve(data);
  const std::string token = HttpClient(server->port()).login("admin", kPassword);
  std::vector<std::string> before;
  std::size_t during = 0;
  {
    Ingest ingest(server->port(), token, 4);
    ASSERT_TRUE(ingest.wait_for(300));
    before = ingest.acknowledged();
    const auto backed_up = run_cargomon({"backup", copy.string(), "--data-dir", data.string()});
    ASSERT_EQ(backed_up.status, 0) << backed_up.output;
    EXPECT_NE(backed_up.output.find("(integrity_check ok) and its token secret"), std::string::npos)
        << backed_up.output;
    during = ingest.acknowledged().size() - before.size();
    // The server went on acknowledging after the copy.
    ASSERT_TRUE(ingest.wait_for(ingest.acknowledged().size() + 50));
    ingest.stop();
    EXPECT_EQ(ingest.failures(), 0);
  }
  std::cout << before.size() << " orders acknowledged before the backup began, " << during
            << " while it ran\n";
  EXPECT_EQ(integrity_of(copy / "cargomon.db"), "ok");
  EXPECT_FALSE(fs::exists(copy / "cargomon.db-wal")) << "the backup is one file";
  for (const char* file : {"cargomon.db", "jwt-secret"}) {
    EXPECT_EQ(fs::status(copy / file).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write)
        << file;
  }
  EXPECT_EQ(server->stop(), 0);

  const auto restored = run_cargomon({"restore", copy.string(), "--data-dir", fresh.string()});
  ASSERT_EQ(restored.status, 0) << restored.output;
  auto again = serve(fresh);
  HttpClient client(again->port());
  // The token secret came back with the data: a token issued before the
  // backup is still good.
  for (const auto& id : before) {
    const auto res = client.get("/pedidos/" + id, token);
    ASSERT_EQ(res.status, 200) << id << " acknowledged before the backup began is missing";
    EXPECT_EQ(res.json().at("pedido_id").as_string(), id);
  }
}

TEST(Backup, RestoreRefusesWhileAServerRunsAndOverAStoreWithoutForce) {
  TempDir dir;
  const auto data = dir.path() / "data";
  const auto copy = dir.path() / "backup";
  auto server = serve(data);
  const std::string token = HttpClient(server->port()).login("admin", kPassword);
  ASSERT_EQ(HttpClient(server->port())
                .post_json("/registrar_pedido_entregado", order_json("kept"), token)
                .status,
            200);
  ASSERT_EQ(run_cargomon({"backup", copy.string(), "--data-dir", data.string()}).status, 0);
  // A backup goes into a new directory, never over another.
  const auto over = run_cargomon({"backup", copy.string(), "--data-dir", data.string()});
  EXPECT_NE(over.status, 0);
  EXPECT_NE(over.output.find("is not an empty directory"), std::string::npos) << over.output;

  const auto running = run_cargomon({"restore", copy.string(), "--data-dir", data.string()});
  EXPECT_NE(running.status, 0);
  EXPECT_NE(running.output.find("is in use by cargomon serve (pid " +
                                std::to_string(server->pid()) + ")"),
            std::string::npos)
      << running.output;
  const auto forced_while_running =
      run_cargomon({"restore", copy.string(), "--force", "--data-dir", data.string()});
  EXPECT_NE(forced_while_running.status, 0) << "--force does not beat a running server";
  // A data directory is not a backup (its last commits may be in its log).
  const auto live = run_cargomon(
      {"restore", data.string(), "--force", "--data-dir", (dir.path() / "other").string()});
  EXPECT_NE(live.status, 0);
  EXPECT_NE(live.output.find("is a data directory"), std::string::npos) << live.output;

  // An order stored after the backup tells the two stores apart.
  ASSERT_EQ(HttpClient(server->port())
                .post_json("/registrar_pedido_entregado", order_json("after"), token)
                .status,
            200);
  EXPECT_EQ(server->stop(), 0);
  const auto existing = run_cargomon({"restore", copy.string(), "--data-dir", data.string()});
  EXPECT_NE(existing.status, 0);
  EXPECT_NE(existing.output.find("already holds a store; restore --force replaces it"),
            std::string::npos)
      << existing.output;
  auto unchanged = serve(data);
  EXPECT_EQ(HttpClient(unchanged->port()).get("/pedidos/after", token).status, 200);
  EXPECT_EQ(unchanged->stop(), 0);

  const auto forced =
      run_cargomon({"restore", copy.string(), "--force", "--data-dir", data.string()});
  ASSERT_EQ(forced.status, 0) << forced.output;
  auto replaced = serve(data);
  HttpClient client(replaced->port());
  EXPECT_EQ(client.get("/pedidos/kept", token).status, 200);
  EXPECT_EQ(client.get("/pedidos/after", token).status, 404) << "the store was not replaced";
}

// ---- upgrades ----

TEST(Upgrades, ADatabaseANewerCargomonMigratedIsRefusedWithAClearMessage) {
  TempDir dir;
  const auto data = dir.path() / "data";
  serve(data)->stop();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((data / "cargomon.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_migrations(version) VALUES (999)", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const auto refused =
      run_cargomon({"serve", "--listen", "127.0.0.1:0", "--data-dir", data.string()});
  EXPECT_NE(refused.status, 0);
  EXPECT_NE(refused.output.find("schema is at version 999, newer than this cargomon knows"),
            std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("downgrades are not supported"), std::string::npos)
      << refused.output;
  EXPECT_EQ(refused.output.find("listening"), std::string::npos) << refused.output;
}

TEST(Backup, APostgresStoreIsPointedToPgDump) {
  for (const char* command : {"backup", "restore"}) {
    const auto refused =
        run_cargomon({command, "somewhere", "--store", "postgres://cargomon@localhost/cargomon"});
    EXPECT_NE(refused.status, 0);
    EXPECT_NE(refused.output.find("pg_dump"), std::string::npos) << refused.output;
  }
}

}  // namespace
}  // namespace cargomon::testing
