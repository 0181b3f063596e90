// GET /pedidos.csv?fecha=YYYY-MM-DD: a business day's orders as the CSV of
// `cargomon export --format csv` (api/order_csv.hpp), streamed a page at a
// time so that a day of millions of orders never sits in memory.
// `&formato=hoja` gives the spreadsheets' dialect (';' and decimal commas).

#include <memory>
#include <utility>

#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"
#include "api/order_csv.hpp"

namespace cargomon::api {
namespace {

constexpr std::size_t kCsvPage = 1000;

// Walks the day's listing (the store call GET /pedidos uses), newest first
// like it and like the export, one page per piece.
class CsvPages {
 public:
  CsvPages(OrderStore& store, const BusinessCalendar& calendar, CsvDialect dialect,
           OrderQuery query, std::string first, std::optional<OrderCursor> next)
      : store_(store),
        calendar_(calendar),
        dialect_(dialect),
        query_(std::move(query)),
        pending_(std::move(first)),
        next_(next) {}

  // The next piece of the body; empty at the end. Throws StoreUnavailable.
  std::string next() {
    std::string out = std::exchange(pending_, {});
    while (out.empty() && next_) {
      query_.after = next_;
      const auto page = store_.list_orders(query_);
      next_ = page.next;
      for (const auto& order : page.orders) append_order_csv(out, order, calendar_, dialect_);
    }
    return out;
  }

 private:
  OrderStore& store_;
  const BusinessCalendar& calendar_;
  CsvDialect dialect_;
  OrderQuery query_;
  std::string pending_;
  std::optional<OrderCursor> next_;
};

}  // namespace

Response get_orders_csv(Services& s, const QueryParams& params) {
  const auto fecha = params.find("fecha");
  if (fecha == params.end()) {
    return error_response(ApiError::bad_request,
                          "fecha is required: the business day to download, YYYY-MM-DD");
  }
  const auto day = parse_business_day(fecha->second);
  if (!day) return error_response(ApiError::bad_request, "fecha must be a date YYYY-MM-DD");
  // formato=csv (the default) is for programs; formato=hoja for spreadsheets
  // in Colombian Spanish, which read '.' decimals as text.
  const auto formato = params.find("formato");
  const bool sheet = formato != params.end() && formato->second == "hoja";
  if (formato != params.end() && !sheet && formato->second != "csv") {
    return error_response(ApiError::bad_request, "formato must be csv or hoja");
  }
  const CsvDialect dialect = sheet ? kCsvForSpreadsheets : kCsvForMachines;

  OrderQuery query;
  query.limit = kCsvPage;
  query.day = *day;
  // The first page is read before answering: a store that fails now is the
  // usual 503 (StoreUnavailable reaches the Router), not a cut download.
  const auto page = s.orders.list_orders(query);
  std::string first = order_csv_head(dialect);
  for (const auto& order : page.orders) append_order_csv(first, order, s.calendar, dialect);
  auto pages = std::make_shared<CsvPages>(s.orders, s.calendar, dialect, std::move(query),
                                          std::move(first), page.next);

  Response response;
  response.content_type = "text/csv; charset=utf-8";
  response.header("Content-Disposition", "attachment; filename=\"pedidos-" +
                                             format_business_day(*day) + (sheet ? "-hoja" : "") +
                                             ".csv\"");
  response.header("Cache-Control", "no-store");
  response.chunks = [pages] { return pages->next(); };
  return response;
}

}  // namespace cargomon::api
