// GET /auditoria: the audit trail, newest first, for admins.

#include <charconv>
#include <tuple>

#include "api/audit_json.hpp"
#include "api/cursor.hpp"
#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"

namespace cargomon::api {
namespace {

constexpr std::size_t kDefaultPage = 100;
constexpr std::size_t kMaxPage = 500;
// An entry is at most about 1.5 KB (domain/audit.hpp), so a full page is
// well under this; the bound stays in case entries ever grow.
constexpr std::size_t kMaxPageBytes = std::size_t{1} << 20;
// The store is read this many entries at a time.
constexpr std::size_t kStoreReadEntries = 100;

}  // namespace

Response get_audit(Services& s, const QueryParams& params) {
  if (s.audit_log == nullptr) return error_response(ApiError::not_found, "Not Found");
  AuditQuery query;
  query.limit = kDefaultPage;
  const auto param = [&](const char* name) -> const std::string* {
    const auto it = params.find(name);
    return it == params.end() ? nullptr : &it->second;
  };
  if (const auto* limit = param("limit")) {
    std::size_t value = 0;
    const auto [ptr, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec != std::errc() || ptr != limit->data() + limit->size() || value < 1 ||
        value > kMaxPage) {
      return error_response(ApiError::bad_request,
                            "limit must be an integer from 1 to " + std::to_string(kMaxPage));
    }
    query.limit = value;
  }
  if (const auto* cursor = param("cursor")) {
    query.after = decode_audit_cursor(*cursor);
    if (!query.after) {
      return error_response(ApiError::bad_request,
                            "cursor is not one this server issued; use next_cursor as given");
    }
  }
  for (const auto& [name, target, max] :
       {std::tuple{"accion", &query.action, kMaxAuditActionBytes},
        std::tuple{"usuario", &query.actor, kMaxAuditTextBytes}}) {
    if (const auto* value = param(name)) {
      if (value->empty() || value->size() > max) {
        return error_response(ApiError::bad_request, std::string(name) + " must be 1 to " +
                                                         std::to_string(max) + " bytes");
      }
      *target = *value;
    }
  }
  for (const auto& [name, target] :
       {std::pair{"desde", &query.from}, std::pair{"hasta", &query.until}}) {
    if (const auto* value = param(name)) {
      *target = s.calendar.parse_timestamp(*value);
      if (!*target) {
        return error_response(ApiError::bad_request,
                              std::string(name) +
                                  " must be a timestamp like 2024-09-12T03:50:58 or "
                                  "2024-09-12 03:50:58, optionally with Z or an offset");
      }
    }
  }

  JsonWriter out;
  out.begin_object().key("entradas").begin_array();
  std::optional<AuditCursor> next;
  for (std::size_t wanted = query.limit; wanted > 0;) {
    AuditQuery part = query;
    part.limit = std::min(wanted, kStoreReadEntries);
    auto page = s.audit_log->list_audit(part);
    next = page.next;
    for (const auto& entry : page.entries) {
      write_audit_entry(out, entry, s.calendar);
      --wanted;
      if (out.str().size() >= kMaxPageBytes) {
        next = AuditCursor{entry.at, entry.id};
        wanted = 0;
        break;
      }
    }
    // A store may end a part early with a cursor (it read as much as it
    // may): the client goes on from it.
    if (!next || page.entries.size() < part.limit) break;
    query.after = next;
  }
  out.end_array().key("next_cursor");
  if (next) {
    out.string(encode_audit_cursor(*next));
  } else {
    out.null();
  }
  out.end_object();
  return json_response(200, out.take());
}

}  // namespace cargomon::api
