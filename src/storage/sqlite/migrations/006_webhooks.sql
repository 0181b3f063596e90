-- Webhooks (storage/webhook_store.hpp): endpoints, each one's progress in
-- the orders and in the queued events, the queued events, and the parked
-- deliveries. Times are microseconds since the epoch, as elsewhere.
CREATE TABLE webhook_endpoints (
  id           TEXT    PRIMARY KEY,
  url          TEXT    NOT NULL,
  description  TEXT    NOT NULL,
  events       TEXT    NOT NULL,          -- "pedido.registrado,dia.cerrado"
  secret       TEXT    NOT NULL,
  disabled     INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  lease_holder TEXT    NOT NULL DEFAULT '',
  lease_until  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE webhook_progress (
  endpoint_id   TEXT    NOT NULL,
  log           INTEGER NOT NULL,         -- 0: orders, 1: queued events
  done          INTEGER NOT NULL,
  failures      INTEGER NOT NULL DEFAULT 0,
  failing_since INTEGER,
  next_attempt  INTEGER,
  PRIMARY KEY (endpoint_id, log)
);

CREATE TABLE webhook_events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  occurred_at INTEGER NOT NULL
);

CREATE TABLE webhook_parked (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  endpoint_id      TEXT    NOT NULL,
  delivery_id      TEXT    NOT NULL,
  payload          TEXT    NOT NULL,
  attempts         INTEGER NOT NULL,
  last_error       TEXT    NOT NULL,
  parked_at        INTEGER NOT NULL,
  replay_requested INTEGER NOT NULL DEFAULT 0,
  UNIQUE (endpoint_id, delivery_id)
);
