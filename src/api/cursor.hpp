#pragma once
// The opaque `cursor` of GET /pedidos (and of GET /auditoria): a position in the newest-first
// listing, base64url-encoded so clients treat it as a token, not as data.

#include <optional>
#include <string>
#include <string_view>

#include "storage/store.hpp"

namespace cargomon::api {

std::string encode_cursor(const OrderCursor& cursor);
std::optional<OrderCursor> decode_cursor(std::string_view text);

// The same for GET /auditoria: a position in the newest-first audit trail.
std::string encode_audit_cursor(const AuditCursor& cursor);
std::optional<AuditCursor> decode_audit_cursor(std::string_view text);

}  // namespace cargomon::api
