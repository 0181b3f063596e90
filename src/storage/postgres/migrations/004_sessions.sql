-- Signed-in sessions (storage/session_store.hpp): what renews a screen's
-- access token. Only hashes of refresh secrets are stored. Times are
-- microseconds since the Unix epoch, UTC.

CREATE TABLE sessions (
  id               text    PRIMARY KEY,
  username         text    NOT NULL,
  refresh_hash     text    NOT NULL,
  previous_hash    text    NOT NULL DEFAULT '',
  token_generation bigint  NOT NULL,
  keep_signed_in   boolean NOT NULL,
  created_at       bigint  NOT NULL,
  last_used_at     bigint  NOT NULL,
  expires_at       bigint  NOT NULL,
  address          text    NOT NULL,
  user_agent       text    NOT NULL,
  revoked          boolean NOT NULL DEFAULT false
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX sessions_by_last_use ON sessions (last_used_at DESC);
