#pragma once
// Where the audit trail (domain/audit.hpp) is kept: append-only, read newest
// first in pages, pruned by age. Every Store is one (store.hpp).
//
// Errors as the rest of the store: StoreUnavailable when it cannot do its work.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "domain/audit.hpp"

namespace cargomon {

// Position in the newest-first trail: (at, id) descending.
struct AuditCursor {
  Timestamp at;
  std::string id;
};

struct AuditQuery {
  std::size_t limit = 100;
  std::optional<AuditCursor> after{};  // strictly older than this position
  std::optional<std::string> action{};
  std::optional<std::string> actor{};
  std::optional<Timestamp> from{};   // inclusive
  std::optional<Timestamp> until{};  // exclusive
};

struct AuditPage {
  std::vector<AuditEntry> entries;
  // Absent at the end. A store may end a page before `limit` entries (it
  // read as much as one page may while a filter matched little) and still
  // give one: the next page goes on from there.
  std::optional<AuditCursor> next;
};

class AuditLog {
 public:
  virtual ~AuditLog() = default;
  // Durable when it returns. An entry with an id already stored is kept once.
  virtual void append_audit(const AuditEntry& entry) = 0;
  virtual AuditPage list_audit(const AuditQuery& query) = 0;
  // Deletes entries older than `before`; idempotent, and safe while other
  // instances do the same. Returns how many it deleted (at most `max` per
  // call: call again while it returns `max`).
  virtual std::size_t prune_audit(Timestamp before, std::size_t max) = 0;
};

}  // namespace cargomon
