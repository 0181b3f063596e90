#pragma once
// The day's report as an .xlsx workbook: what a manager opens in a
// spreadsheet. Every figure is a typed cell (numbers, a date, percentages),
// never text, so a spreadsheet in any locale (Colombian Spanish reads "1.234,5")
// adds them correctly; the headings are in Spanish, the users' language.
//
// Sheets: Resumen (the day's totals against the day before and the same
// weekday a week before, the projected close), Por hora, Productos and
// Repartidores (the rankings as given, and a row summing the rest).

#include <filesystem>
#include <string>

#include "domain/business_calendar.hpp"
#include "domain/day_comparison.hpp"
#include "domain/day_metrics.hpp"
#include "report/workbook.hpp"

namespace cargomon {

// The workbook's bytes. libxlsxwriter writes to a file: it is made in
// `scratch` (a directory; the file is removed before this returns).
std::string day_report_xlsx(const DayMetrics& day, const DayComparison& comparison,
                            const BusinessCalendar& calendar, const std::filesystem::path& scratch);

}  // namespace cargomon
