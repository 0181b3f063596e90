#pragma once
// Tests' independent reader of workbooks: openpyxl through read_xlsx.py,
// which prints every sheet's cells as JSON (see the script).

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace cargomon::testing {

// A scratch directory of the test's own, removed with it.
class WorkbookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = std::filesystem::temp_directory_path() /
               ("cargomon-report-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(scratch_);
  }
  void TearDown() override { std::filesystem::remove_all(scratch_); }

  // The workbook's cells as read_xlsx.py prints them.
  boost::json::object read_back(const std::string& bytes) {
    const auto file = scratch_ / "read.xlsx";
    std::ofstream(file, std::ios::binary) << bytes;
    return read_back_file(file);
  }
  boost::json::object read_back_file(const std::filesystem::path& file) {
    const std::string command = std::string(CARGOMON_READ_XLSX) + " " + file.string();
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    EXPECT_TRUE(pipe) << command;
    std::string out;
    std::array<char, 4096> buffer{};
    while (const auto n = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) {
      out.append(buffer.data(), n);
    }
    // An empty answer: the reader failed (is python3-openpyxl installed?
    // scripts/install-deps.sh test installs it).
    EXPECT_FALSE(out.empty()) << command;
    return boost::json::parse(out).as_object();
  }

  std::filesystem::path scratch_;
};

inline const boost::json::value& at(const boost::json::object& book, const char* sheet,
                                    std::size_t row, std::size_t col) {
  return book.at(sheet).as_array().at(row).as_array().at(col);
}

}  // namespace cargomon::testing
