#pragma once
// An audit entry as GET /auditoria and `cargomon audit` show it.

#include "api/json.hpp"
#include "domain/audit.hpp"
#include "domain/business_calendar.hpp"

namespace cargomon::api {

// {"id", "fecha" (in the calendar's zone), "accion", "usuario", "direccion",
// "objeto", "detalle": {key: value}}.
void write_audit_entry(JsonWriter& out, const AuditEntry& entry, const BusinessCalendar& calendar);

}  // namespace cargomon::api
