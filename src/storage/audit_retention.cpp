#include "storage/audit_retention.hpp"

namespace cargomon {

std::size_t prune_expired_audit(AuditLog& log, const Clock& clock,
                                const AuditRetention& retention) {
  if (retention.keep.count() <= 0 || retention.batch == 0) return 0;
  const auto before = clock.now() - retention.keep;
  std::size_t deleted = 0;
  for (std::size_t round = 0; round < retention.max_batches; ++round) {
    const auto n = log.prune_audit(before, retention.batch);
    deleted += n;
    if (n < retention.batch) break;
  }
  return deleted;
}

}  // namespace cargomon
