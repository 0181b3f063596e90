// GET /metrics: the figures of one business day, from its running totals,
// with the product and courier rankings cut to their first places; the
// complete rankings page by page on GET /metrics/productos and
// GET /metrics/repartidores.

#include <charconv>

#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"
#include "api/metrics_reader.hpp"
#include "api/order_json.hpp"

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

}  // namespace

Response get_metrics(Services& s, const QueryParams& params) {
  Response error;
  const auto day = requested_day(s, params, error);
  if (!day) return error;
  MetricsReader uncached(s.orders, s.calendar, s.clock);
  const auto compared = (s.metrics_reader ? *s.metrics_reader : uncached).read(*day, kSnapshotTop);
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

}  // namespace cargomon::api
