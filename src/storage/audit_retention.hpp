#pragma once
// Keeping the audit trail for a configured time: what one prune round does.
// Any instance sharing a store may run it at any time: deleting what another
// instance deleted already is a no-op.

#include <chrono>
#include <cstddef>

#include "domain/clock.hpp"
#include "storage/audit_log.hpp"

namespace cargomon {

struct AuditRetention {
  std::chrono::days keep{365};    // 0: for ever (nothing is pruned)
  std::size_t batch = 1000;       // entries one store call deletes
  std::size_t max_batches = 100;  // per round: a large backlog goes over several rounds
};

// Deletes the entries older than `keep` before the clock's now, in bounded
// batches; returns how many. Throws StoreUnavailable as the store does.
std::size_t prune_expired_audit(AuditLog& log, const Clock& clock, const AuditRetention& retention);

}  // namespace cargomon
