#pragma once
// What the workbooks share (libxlsxwriter under a small C++ face): a scratch
// file the workbook is written to, its cell formats, and typed cells — money
// in pesos as numbers, counts, dates and times as dates — so that a
// spreadsheet in any locale (Colombian Spanish reads "1.234,5") adds them.
//
// Not thread-safe: one workbook per thread.

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "domain/business_calendar.hpp"
#include "domain/money.hpp"

struct lxw_workbook;
struct lxw_worksheet;
struct lxw_format;

namespace cargomon {

// The workbook could not be written (no room in the temporary directory).
class ReportFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file in a scratch directory that is gone when this is.
class ScratchFile {
 public:
  explicit ScratchFile(const std::filesystem::path& scratch);
  ~ScratchFile();
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  ScratchFile(ScratchFile&&) = delete;
  ScratchFile& operator=(ScratchFile&&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The file's bytes, whole: for workbooks known to be small.
  std::string read() const;

 private:
  std::filesystem::path path_;
};

class Workbook {
 public:
  // Rows a sheet holds (Excel's and LibreOffice's limit).
  static constexpr std::int64_t kMaxRows = 1'048'576;

  // Writes to `file`. `streaming` writes each row to disk as soon as the
  // next one starts (libxlsxwriter's constant_memory mode): memory stays
  // bounded however many rows, but rows must be written in order.
  Workbook(const std::filesystem::path& file, const std::filesystem::path& scratch,
           bool streaming = false);
  ~Workbook();
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;
  Workbook(Workbook&&) = delete;
  Workbook& operator=(Workbook&&) = delete;

  lxw_worksheet* sheet(const char* name);

  void text(lxw_worksheet* sheet, std::int64_t row, int col, const std::string& value,
            lxw_format* format = nullptr);
  void money(lxw_worksheet* sheet, std::int64_t row, int col, Money value);
  void count(lxw_worksheet* sheet, std::int64_t row, int col, std::int64_t value);
  // A number without thousands separators (an id, a sequence).
  void number(lxw_worksheet* sheet, std::int64_t row, int col, std::int64_t value);
  // A change in percent (12.5) as the fraction a spreadsheet's % format shows
  // (0.125); an empty cell when there was nothing to compare with.
  void change(lxw_worksheet* sheet, std::int64_t row, int col,
              const std::optional<double>& percent);
  void date(lxw_worksheet* sheet, std::int64_t row, int col, BusinessDay day);
  // The instant as the local date and time of `calendar`'s zone, to the second
  // shown (to the microsecond stored).
  void date_time(lxw_worksheet* sheet, std::int64_t row, int col, Timestamp t,
                 const BusinessCalendar& calendar);
  // A sum the spreadsheet recomputes (=SUBTOTAL(9, …), so a filter sums what
  // it shows), stored with its value for readers that do not compute.
  void money_sum(lxw_worksheet* sheet, std::int64_t row, int col, std::int64_t first_row,
                 std::int64_t last_row, Money value);
  void count_sum(lxw_worksheet* sheet, std::int64_t row, int col, std::int64_t first_row,
                 std::int64_t last_row, std::int64_t value);
  void widths(lxw_worksheet* sheet, std::initializer_list<double> widths);
  // Keeps the first `rows` rows in view while scrolling.
  void freeze(lxw_worksheet* sheet, std::int64_t rows);

  lxw_format* bold() const { return bold_; }
  lxw_format* heading() const { return heading_; }
  lxw_format* title() const { return title_; }

  // Writes the file out. Throws ReportFailed.
  void close();

 private:
  lxw_format* number_format(const char* pattern);
  void sum(lxw_worksheet* sheet, std::int64_t row, int col, std::int64_t first_row,
           std::int64_t last_row, double value, lxw_format* format);

  std::string scratch_;  // the workbook's options point into it
  lxw_workbook* workbook_ = nullptr;
  lxw_format* bold_ = nullptr;
  lxw_format* heading_ = nullptr;
  lxw_format* title_ = nullptr;
  lxw_format* money_ = nullptr;
  lxw_format* count_ = nullptr;
  lxw_format* percent_ = nullptr;
  lxw_format* date_ = nullptr;
  lxw_format* date_time_ = nullptr;
};

}  // namespace cargomon
