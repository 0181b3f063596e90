// A business day's orders as files to download:
// - GET /pedidos.csv?fecha=YYYY-MM-DD: the CSV of `cargomon export --format
//   csv` (api/order_csv.hpp), streamed a page at a time so that a day of
//   millions of orders never sits in memory; `&formato=hoja` gives the
//   spreadsheets' dialect (';' and decimal commas).
// - GET /pedidos.xlsx?fecha=YYYY-MM-DD: the same rows as a workbook
//   (report/orders_xlsx.hpp), written to a scratch file page by page and
//   streamed from it.

#include <spdlog/spdlog.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <utility>

#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"
#include "api/order_csv.hpp"
#include "report/orders_xlsx.hpp"

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

// A finished workbook, read a piece at a time; the file goes with the last
// reference to this.
class FilePieces {
 public:
  static constexpr std::size_t kPiece = std::size_t{64} * 1024;

  explicit FilePieces(std::unique_ptr<ScratchFile> file)
      : file_(std::move(file)), in_(file_->path(), std::ios::binary) {
    if (!in_) throw ReportFailed("cannot read the workbook back");
  }

  // The next piece; empty at the end.
  std::string next() {
    std::string piece(kPiece, '\0');
    in_.read(piece.data(), static_cast<std::streamsize>(piece.size()));
    piece.resize(static_cast<std::size_t>(in_.gcount()));
    return piece;
  }

 private:
  std::unique_ptr<ScratchFile> file_;
  std::ifstream in_;
};

constexpr const char* kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// The required `fecha` of a download, or the 400 that says what is wrong.
std::optional<BusinessDay> download_day(const QueryParams& params, Response& error) {
  const auto fecha = params.find("fecha");
  if (fecha == params.end()) {
    error = error_response(ApiError::bad_request,
                           "fecha is required: the business day to download, YYYY-MM-DD");
    return std::nullopt;
  }
  const auto day = parse_business_day(fecha->second);
  if (!day) error = error_response(ApiError::bad_request, "fecha must be a date YYYY-MM-DD");
  return day;
}

Response attachment(const char* content_type, const std::string& file_name) {
  Response response;
  response.content_type = content_type;
  response.header("Content-Disposition", "attachment; filename=\"" + file_name + "\"");
  response.header("Cache-Control", "no-store");
  return response;
}

}  // namespace

Response get_orders_csv(Services& s, const QueryParams& params) {
  Response error;
  const auto day = download_day(params, error);
  if (!day) return error;
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

  auto response = attachment("text/csv; charset=utf-8", "pedidos-" + format_business_day(*day) +
                                                            (sheet ? "-hoja" : "") + ".csv");
  response.chunks = [pages] { return pages->next(); };
  return response;
}

Response get_orders_xlsx(Services& s, const QueryParams& params) {
  Response error;
  const auto day = download_day(params, error);
  if (!day) return error;
  std::shared_ptr<FilePieces> pieces;
  try {
    // The whole day is written before answering (a workbook is a zip whose
    // directory comes last): a store failure on any page is the usual 503.
    OrdersWorkbook workbook(s.calendar, std::filesystem::temp_directory_path());
    OrderQuery query;
    query.limit = kCsvPage;
    query.day = *day;
    for (;;) {
      const auto page = s.orders.list_orders(query);
      for (const auto& order : page.orders) {
        if (!workbook.add(order)) {
          return error_response(ApiError::bad_request,
                                "the day has more product lines than a workbook holds (" +
                                    std::to_string(OrdersWorkbook::kMaxLines) +
                                    "): download it as /pedidos.csv");
        }
      }
      if (!page.next) break;
      query.after = page.next;
    }
    pieces = std::make_shared<FilePieces>(workbook.finish());
  } catch (const ReportFailed& e) {
    // The machine's temporary directory is full or gone: the server's
    // trouble, not the client's, and it may pass.
    spdlog::warn("GET /pedidos.xlsx: {}", e.what());
    return error_response(ApiError::overloaded,
                          "The workbook could not be written, try again shortly");
  }
  auto response = attachment(kXlsx, "pedidos-" + format_business_day(*day) + ".xlsx");
  response.chunks = [pieces] { return pieces->next(); };
  return response;
}

}  // namespace cargomon::api
