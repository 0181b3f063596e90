-- The audit trail (domain/audit.hpp): append-only, read newest first by
-- (at, id), filtered by action or actor, pruned by age (by any instance:
-- deleting what another already deleted is a no-op). `detail` is the
-- entry's key/value pairs in one line (encode_audit_detail).

CREATE TABLE audit (
  at bigint NOT NULL,  -- microseconds since the epoch, UTC
  id text COLLATE "C" NOT NULL,  -- byte order, as on every store
  action text NOT NULL,
  actor text NOT NULL,
  address text NOT NULL,
  subject text NOT NULL,
  detail text NOT NULL,
  PRIMARY KEY (at, id)
);

CREATE INDEX audit_by_action ON audit (action, at, id);
CREATE INDEX audit_by_actor ON audit (actor, at, id);
