#pragma once
// The one scratch directory of the test suites: unique per process and
// instance, removed with everything in it when the TempDir goes.

#include <filesystem>

namespace cargomon::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace cargomon::testing
