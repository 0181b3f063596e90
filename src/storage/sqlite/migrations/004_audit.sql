-- The audit trail (domain/audit.hpp): append-only, read newest first by
-- (at, id), filtered by action or actor, pruned by age. `detail` is the
-- entry's key/value pairs in one line (encode_audit_detail).

CREATE TABLE audit (
  at INTEGER NOT NULL,  -- microseconds since the epoch, UTC
  id TEXT NOT NULL,
  action TEXT NOT NULL,
  actor TEXT NOT NULL,
  address TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT NOT NULL,
  PRIMARY KEY (at, id)
) WITHOUT ROWID;

CREATE INDEX audit_by_action ON audit (action, at, id);
CREATE INDEX audit_by_actor ON audit (actor, at, id);
