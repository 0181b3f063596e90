-- Signed-in sessions (storage/session_store.hpp): what renews a screen's
-- access token. Only hashes of refresh secrets are stored. Times are
-- microseconds since the Unix epoch, UTC.

CREATE TABLE sessions (
  id               TEXT    PRIMARY KEY,
  username         TEXT    NOT NULL,
  refresh_hash     TEXT    NOT NULL,
  previous_hash    TEXT    NOT NULL DEFAULT '',
  token_generation INTEGER NOT NULL,
  keep_signed_in   INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  last_used_at     INTEGER NOT NULL,
  expires_at       INTEGER NOT NULL,
  address          TEXT    NOT NULL,
  user_agent       TEXT    NOT NULL,
  revoked          INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX sessions_by_last_use ON sessions (last_used_at DESC);
