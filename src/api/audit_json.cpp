#include "api/audit_json.hpp"

namespace cargomon::api {

void write_audit_entry(JsonWriter& out, const AuditEntry& entry, const BusinessCalendar& calendar) {
  out.begin_object()
      .key("id")
      .string(entry.id)
      .key("fecha")
      .string(calendar.format(entry.at))
      .key("accion")
      .string(entry.action)
      .key("usuario")
      .string(entry.actor)
      .key("direccion")
      .string(entry.address)
      .key("objeto")
      .string(entry.subject)
      .key("detalle")
      .begin_object();
  for (const auto& [key, value] : entry.detail) out.key(key).string(value);
  out.end_object().end_object();
}

}  // namespace cargomon::api
