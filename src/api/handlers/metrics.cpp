// GET /metrics: the figures of one business day, from its running totals,
// with the product and courier rankings cut to their first places; the
// complete rankings page by page on GET /metrics/productos and
// GET /metrics/repartidores; their ranges on GET /metrics/rango and the
// day's report as a workbook on GET /informes/dia.xlsx.

#include <spdlog/spdlog.h>

#include <charconv>
#include <filesystem>

#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"
#include "api/metrics_reader.hpp"
#include "api/order_json.hpp"
#include "report/day_report_xlsx.hpp"

namespace cargomon::api {
namespace {

constexpr std::size_t kDefaultRankingPage = 100;
constexpr std::size_t kMaxRankingPage = 1000;
// Deeper than any real day; a store reads `position + limit` entries.
constexpr std::size_t kMaxRankingPosition = 1'000'000;

// The fecha parameter, or today in the business time zone; nullopt (with
// `error` filled) when it is not a date.
std::optional<BusinessDay> requested_day(Services& s, const QueryParams& params, Response& error) {
  const auto it = params.find("fecha");
  if (it == params.end()) return s.calendar.day_of(s.clock.now());
  const auto parsed = parse_business_day(it->second);
  if (!parsed) error = error_response(ApiError::bad_request, "fecha must be a date YYYY-MM-DD");
  return parsed;
}

// A non-negative integer parameter within [min, max]; nullopt when absent.
std::optional<std::size_t> integer_param(const QueryParams& params, const char* name,
                                         std::size_t min, std::size_t max, std::size_t fallback,
                                         Response& error) {
  const auto it = params.find(name);
  if (it == params.end()) return fallback;
  const auto& text = it->second;
  std::size_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < min || value > max) {
    error = error_response(ApiError::bad_request, std::string(name) + " must be an integer from " +
                                                      std::to_string(min) + " to " +
                                                      std::to_string(max));
    return std::nullopt;
  }
  return value;
}

// One page of a ranking: `list` is the ranking's first position + limit
// entries (or fewer, at its end); `count` its length.
template <typename Entry, typename Write>
Response ranking_page(const char* key, const DayMetrics& metrics, const std::vector<Entry>& list,
                      std::int64_t count, std::size_t position, Write write) {
  JsonWriter out;
  out.begin_object();
  out.key("fecha").string(format_business_day(metrics.day));
  out.key("total").number(count);
  out.key(key).begin_array();
  for (std::size_t i = position; i < list.size(); ++i) write(out, list[i]);
  out.end_array();
  out.key("next_cursor");
  if (static_cast<std::int64_t>(list.size()) < count && list.size() > position) {
    out.string(std::to_string(list.size()));
  } else {
    out.null();
  }
  out.end_object();
  return json_response(200, out.take());
}

// The page parameters of a ranking: fecha, limit and cursor (the position
// the previous page's next_cursor gave).
struct RankingQuery {
  BusinessDay day;
  std::size_t position = 0;
  std::size_t limit = kDefaultRankingPage;
};

std::optional<RankingQuery> ranking_query(Services& s, const QueryParams& params, Response& error) {
  const auto day = requested_day(s, params, error);
  if (!day) return std::nullopt;
  const auto limit = integer_param(params, "limit", 1, kMaxRankingPage, kDefaultRankingPage, error);
  if (!limit) return std::nullopt;
  const auto position = integer_param(params, "cursor", 0, kMaxRankingPosition, 0, error);
  if (!position) {
    error = error_response(ApiError::bad_request,
                           "cursor is not one this server issued; use next_cursor as given");
    return std::nullopt;
  }
  return RankingQuery{*day, *position, *limit};
}

// The day with its comparison, through the shared reader when there is one.
ComparedDay read_compared(Services& s, BusinessDay day, MetricsTop top) {
  if (s.metrics_reader) return s.metrics_reader->read(day, top);
  MetricsReader uncached(s.orders, s.calendar, s.clock);
  return uncached.read(day, top);
}

// The rankings a report lists before summing the rest: a real day (a few
// thousand products) is listed whole; an invented catalogue cannot make the
// workbook grow past a few hundred kilobytes.
constexpr MetricsTop kReportTop{1000, 1000};

constexpr const char* kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

}  // namespace

Response get_metrics(Services& s, const QueryParams& params) {
  Response error;
  const auto day = requested_day(s, params, error);
  if (!day) return error;
  const auto compared = read_compared(s, *day, kSnapshotTop);
  JsonWriter out;
  write_metrics(out, compared.metrics, s.calendar, &compared.comparison);
  return json_response(200, out.take());
}

Response get_metrics_range(Services& s, const QueryParams& params) {
  const auto date_param = [&](const char* name) -> std::optional<BusinessDay> {
    const auto it = params.find(name);
    return it == params.end() ? std::nullopt : parse_business_day(it->second);
  };
  const auto first = date_param("desde");
  const auto last = date_param("hasta");
  if (!first || !last) {
    return error_response(ApiError::bad_request, "desde and hasta must be dates YYYY-MM-DD");
  }
  const auto days = (std::chrono::sys_days(*last) - std::chrono::sys_days(*first)).count() + 1;
  if (days < 1) return error_response(ApiError::bad_request, "desde must not be after hasta");
  if (days > kMaxRangeDays) {
    return error_response(ApiError::bad_request,
                          "a range holds at most " + std::to_string(kMaxRangeDays) + " days");
  }
  JsonWriter out;
  write_range(out, summarize_range(*first, *last, s.orders.days_figures(*first, *last)));
  return json_response(200, out.take());
}

Response get_product_ranking(Services& s, const QueryParams& params) {
  Response error;
  const auto query = ranking_query(s, params, error);
  if (!query) return error;
  const auto metrics = s.orders.ranked_day_metrics(query->day, {query->position + query->limit, 0});
  return ranking_page("productos", metrics, metrics.products, metrics.product_count,
                      query->position, write_product);
}

Response get_courier_ranking(Services& s, const QueryParams& params) {
  Response error;
  const auto query = ranking_query(s, params, error);
  if (!query) return error;
  const auto metrics = s.orders.ranked_day_metrics(query->day, {0, query->position + query->limit});
  return ranking_page("repartidores", metrics, metrics.couriers, metrics.courier_count,
                      query->position, write_courier);
}

Response get_day_report(Services& s, const QueryParams& params) {
  Response error;
  const auto day = requested_day(s, params, error);
  if (!day) return error;
  const auto compared = read_compared(s, *day, kReportTop);
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
