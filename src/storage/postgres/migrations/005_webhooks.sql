-- Webhooks (storage/webhook_store.hpp): endpoints, each one's progress in
-- the orders and in the queued events, the queued events, and the parked
-- deliveries. Times are microseconds since the epoch, as elsewhere.
CREATE TABLE webhook_endpoints (
  id           text    PRIMARY KEY,
  url          text    NOT NULL,
  description  text    NOT NULL,
  events       text    NOT NULL,          -- "pedido.registrado,dia.cerrado"
  secret       text    NOT NULL,
  disabled     boolean NOT NULL DEFAULT false,
  created_at   bigint  NOT NULL,
  lease_holder text    NOT NULL DEFAULT '',
  lease_until  bigint  NOT NULL DEFAULT 0
);

CREATE TABLE webhook_progress (
  endpoint_id   text    NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  log           integer NOT NULL,         -- 0: orders, 1: queued events
  done          bigint  NOT NULL,
  failures      integer NOT NULL DEFAULT 0,
  failing_since bigint,
  next_attempt  bigint,
  PRIMARY KEY (endpoint_id, log)
);

-- Positions are taken under an advisory lock held until commit
-- (PostgresStore::enqueue_webhook_event), so they commit in order and a
-- reader's cursor never passes one still in flight.
CREATE TABLE webhook_events (
  position    bigserial PRIMARY KEY,
  type        text      NOT NULL,
  data        text      NOT NULL,
  occurred_at bigint    NOT NULL
);

CREATE TABLE webhook_parked (
  id               bigserial PRIMARY KEY,
  endpoint_id      text      NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  delivery_id      text      NOT NULL,
  payload          text      NOT NULL,
  attempts         integer   NOT NULL,
  last_error       text      NOT NULL,
  parked_at        bigint    NOT NULL,
  replay_requested boolean   NOT NULL DEFAULT false,
  UNIQUE (endpoint_id, delivery_id)
);
