#include "auth/secret.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

#include "auth/password.hpp"

namespace cargomon::auth {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMinSecretBytes = 32;
// Far more than any sane secret; bounds what a wrong path (say, a log file)
// could make us read.
constexpr std::size_t kMaxSecretFileBytes = 4096;
constexpr std::size_t kGeneratedSecretBytes = 32;  // 256 bits, as 64 hex chars
constexpr std::string_view kDefaultFileName = "jwt-secret";

[[noreturn]] void fail(const std::string& message) { throw std::runtime_error(message); }

std::string errno_text(int error) { return std::system_category().message(error); }

// Closes the descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

void check_length(const std::string& secret, const std::string& origin) {
  if (secret.size() < kMinSecretBytes) {
    fail("JWT secret from " + origin + " is " + std::to_string(secret.size()) +
         " bytes; at least 32 are required (e.g. 64 hex characters from `openssl rand -hex 32`)");
  }
}

// Reads a secret file through one descriptor, so the checks and the read see
// the same file even if the path is swapped meanwhile.
std::string read_secret_file(const fs::path& path, bool require_private) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    const int error = errno;
    fail("cannot open JWT secret file " + path.string() + ": " + errno_text(error));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    const int error = errno;
    fail("cannot stat JWT secret file " + path.string() + ": " + errno_text(error));
  }
  if (!S_ISREG(info.st_mode)) fail("JWT secret file " + path.string() + " is not a regular file");
  if (require_private && (info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    fail("JWT secret file " + path.string() + " has mode " + mode +
         ", which lets group or others at it; run `chmod 600 " + path.string() + "`");
  }

  std::string content;
  char buffer[512];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      fail("cannot read JWT secret file " + path.string() + ": " + errno_text(error));
    }
    if (got == 0) break;
    content.append(buffer, static_cast<std::size_t>(got));
    if (content.size() > kMaxSecretFileBytes) {
      fail("JWT secret file " + path.string() + " is larger than 4096 bytes; wrong file?");
    }
  }
  // Editors and `echo` add a final newline; it is not part of the secret.
  if (!content.empty() && content.back() == '\n') content.pop_back();
  if (!content.empty() && content.back() == '\r') content.pop_back();
  check_length(content, "file " + path.string());
  return content;
}

void write_all(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    const ssize_t wrote = ::write(fd, data.data(), data.size());
    if (wrote < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      fail("cannot write " + path.string() + ": " + errno_text(error));
    }
    data.remove_prefix(static_cast<std::size_t>(wrote));
  }
}

// Creates `path` holding a fresh secret. If another process created the
// secret first, keeps (and returns) theirs instead of invalidating the tokens
// it has issued.
std::string create_secret_file(const fs::path& path) {
  std::string secret = random_hex(kGeneratedSecretBytes);
  if (!create_private_file(path, secret)) return read_secret_file(path, /*require_private=*/true);
  return secret;
}

}  // namespace

// The content is written to a private temporary file and then hard-linked
// into place: unlike rename(), link() refuses to replace an existing file.
bool create_private_file(const fs::path& path, std::string_view content) {
  const fs::path temp = path.parent_path() / (path.filename().string() + ".tmp-" + random_hex(8));
  {
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) {
      const int error = errno;
      fail("cannot create " + temp.string() + ": " + errno_text(error));
    }
    try {
      // The umask can only clear bits; this pins the mode whatever it is.
      if (::fchmod(fd.get(), 0600) != 0) {
        const int error = errno;
        fail("cannot set the mode of " + temp.string() + ": " + errno_text(error));
      }
      write_all(fd.get(), content, temp);
      if (::fsync(fd.get()) != 0 || ::close(fd.release()) != 0) {
        const int error = errno;
        fail("cannot write " + temp.string() + ": " + errno_text(error));
      }
    } catch (...) {
      ::unlink(temp.c_str());
      throw;
    }
  }
  const int linked = ::link(temp.c_str(), path.c_str());
  const int link_error = errno;
  ::unlink(temp.c_str());
  if (linked != 0) {
    if (link_error == EEXIST) return false;
    fail("cannot create " + path.string() + ": " + errno_text(link_error));
  }
  // Make the new directory entry durable too, so a crash cannot lose the
  // file after what it holds went out (tokens signed with a secret, say).
  Fd dir(::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
  return true;
}

std::string load_or_create_secret(const fs::path& data_dir, std::optional<std::string> from_env,
                                  std::optional<fs::path> secret_file) {
  if (from_env) {
    check_length(*from_env, "the environment");
    return std::move(*from_env);
  }
  // A secret others can read lets them sign tokens for any user: refused
  // wherever it comes from (a mounted secret should be mode 0400 or 0600).
  if (secret_file) return read_secret_file(*secret_file, /*require_private=*/true);

  // Parents as the umask says; the data directory itself owner-only, as the
  // store creates it (it holds the password hashes and the secret).
  std::error_code ec;
  if (!data_dir.parent_path().empty()) fs::create_directories(data_dir.parent_path(), ec);
  if (!ec && ::mkdir(data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    ec = std::error_code(errno, std::system_category());
  }
  if (ec) fail("cannot create data directory " + data_dir.string() + ": " + ec.message());
  const fs::path path = data_dir / kDefaultFileName;
  if (::access(path.c_str(), F_OK) == 0) return read_secret_file(path, /*require_private=*/true);
  if (const int error = errno; error != ENOENT) {
    fail("cannot look for JWT secret file " + path.string() + ": " + errno_text(error));
  }
  return create_secret_file(path);
}

}  // namespace cargomon::auth
