// GET /informes/dia.xlsx: the day's report as a workbook (report/day_report_xlsx.hpp).

#include <spdlog/spdlog.h>

#include <filesystem>

#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"
#include "api/metrics_reader.hpp"
#include "report/day_report_xlsx.hpp"

namespace cargomon::api {
namespace {

// The rankings a report lists before summing the rest: a real day (a few
// thousand products) is listed whole; an invented catalogue cannot make the
// workbook grow past a few hundred kilobytes.
constexpr MetricsTop kReportTop{1000, 1000};

constexpr const char* kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

}  // namespace

Response get_day_report(Services& s, const QueryParams& params) {
  std::optional<BusinessDay> day = s.calendar.day_of(s.clock.now());
  if (const auto it = params.find("fecha"); it != params.end()) {
    day = parse_business_day(it->second);
    if (!day) return error_response(ApiError::bad_request, "fecha must be a date YYYY-MM-DD");
  }
  MetricsReader uncached(s.orders, s.calendar, s.clock);
  const auto compared = (s.metrics_reader ? *s.metrics_reader : uncached).read(*day, kReportTop);
  Response response;
  try {
    response.body = day_report_xlsx(compared.metrics, compared.comparison, s.calendar,
                                    std::filesystem::temp_directory_path());
  } catch (const ReportFailed& e) {
    // The machine's temporary directory is full or gone: the server's
    // trouble, not the client's, and it may pass.
    spdlog::warn("GET /informes/dia.xlsx: {}", e.what());
    return error_response(ApiError::overloaded,
                          "The report could not be written, try again shortly");
  }
  response.content_type = kXlsx;
  response.header("Content-Disposition",
                  "attachment; filename=\"informe-" + format_business_day(*day) + ".xlsx\"");
  response.header("Cache-Control", "no-store");
  return response;
}

}  // namespace cargomon::api
