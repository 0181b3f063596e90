#include "cli/data_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "storage/open_store.hpp"

namespace cargomon::cli {

DataDirLock::DataDirLock(const std::filesystem::path& data_dir, const std::string& command) {
  create_private_directory(data_dir);
  const auto path = data_dir / "cargomon.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0 || ::fchmod(fd_, 0600) != 0) {
    const std::string reason = std::strerror(errno);
    if (fd_ >= 0) ::close(fd_);
    throw std::runtime_error("cannot open " + path.string() + ": " + reason);
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    // The holder wrote "<command> <pid>" once it had the lock.
    std::array<char, 64> text{};
    const auto read = ::pread(fd_, text.data(), text.size() - 1, 0);
    ::close(fd_);
    fd_ = -1;
    if (error != EWOULDBLOCK) {
      throw std::runtime_error("cannot lock " + path.string() + ": " + std::strerror(error));
    }
    std::string_view holder(text.data(), read > 0 ? static_cast<std::size_t>(read) : 0);
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) {
      holder.remove_suffix(1);
    }
    const auto space = holder.find(' ');
    const std::string who = space == std::string_view::npos
                                ? "another cargomon"
                                : "cargomon " + std::string(holder.substr(0, space)) + " (pid " +
                                      std::string(holder.substr(space + 1)) + ")";
    throw std::runtime_error("data directory " + data_dir.string() + " is in use by " + who +
                             "; stop it first");
  }
  const std::string holder = command + " " + std::to_string(::getpid()) + "\n";
  // Without the note the lock holds all the same; only a refusal says less.
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] const auto written = ::pwrite(fd_, holder.data(), holder.size(), 0);
  }
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace cargomon::cli
