-- Orders, their lines, the running totals of each business day, and users.
-- Times are microseconds since the Unix epoch, UTC (as in the SQLite store,
-- so both compare and page identically). Money is integer cents.

-- Order sequence numbers. CACHE 1 (the default) matters: the live stream's
-- high-water mark (PostgresStore::settled_sequence) relies on every value up
-- to the sequence's last_value having been handed out to a transaction that
-- already holds its transaction id. A per-session cache would hand out old
-- values later.
CREATE SEQUENCE order_sequence CACHE 1;

CREATE TABLE orders (
  seq                  bigint  PRIMARY KEY DEFAULT nextval('order_sequence'),
  order_id             text    NOT NULL UNIQUE,
  courier_id           text    NOT NULL,
  courier_id_is_number boolean NOT NULL,
  courier_name         text    NOT NULL,
  reported_at          bigint,             -- NULL when the device sent no timestamp
  received_at          bigint  NOT NULL,
  occurred_at          bigint  NOT NULL,   -- reported_at, or received_at without it
  business_day         date    NOT NULL,   -- in the business timezone
  total_cents          bigint  NOT NULL,
  units                bigint  NOT NULL
);
ALTER SEQUENCE order_sequence OWNED BY orders.seq;
CREATE INDEX orders_newest_first ON orders (occurred_at DESC, seq DESC);
CREATE INDEX orders_by_day ON orders (business_day, occurred_at DESC, seq DESC);
CREATE INDEX orders_by_courier ON orders (courier_id, occurred_at DESC, seq DESC);

CREATE TABLE order_lines (
  order_seq        bigint  NOT NULL,
  line_no          integer NOT NULL,
  product_id       text    NOT NULL,
  product_name     text    NOT NULL,
  unit_price_cents bigint  NOT NULL,
  quantity         integer NOT NULL,
  PRIMARY KEY (order_seq, line_no)
);

-- Running totals, sharded. A single row per day would be updated by every
-- batch of every instance, and its row lock would serialize all their
-- commits. Instead each write transaction claims one of N shards
-- (pg_try_advisory_xact_lock, see PostgresStore) and adds to that shard's
-- rows only; readers sum the shards of a day (at most N rows per key, so the
-- cost still does not grow with the number of orders).
CREATE TABLE day_totals (
  day              date     NOT NULL,
  shard            smallint NOT NULL,
  orders           bigint   NOT NULL,
  units            bigint   NOT NULL,
  sales_cents      bigint   NOT NULL,
  last_seq         bigint   NOT NULL,
  last_occurred_at bigint   NOT NULL,
  last_received_at bigint   NOT NULL,
  PRIMARY KEY (day, shard)
);

CREATE TABLE day_products (
  day          date     NOT NULL,
  shard        smallint NOT NULL,
  product_name text     NOT NULL,
  units        bigint   NOT NULL,
  sales_cents  bigint   NOT NULL,
  PRIMARY KEY (day, shard, product_name)
);

CREATE TABLE day_hours (
  day         date     NOT NULL,
  shard       smallint NOT NULL,
  hour        smallint NOT NULL,
  orders      bigint   NOT NULL,
  sales_cents bigint   NOT NULL,
  PRIMARY KEY (day, shard, hour)
);

-- last_seq picks the latest name (and id form) seen for a courier across shards.
CREATE TABLE day_couriers (
  day                  date     NOT NULL,
  shard                smallint NOT NULL,
  courier_id           text     NOT NULL,
  courier_id_is_number boolean  NOT NULL,
  courier_name         text     NOT NULL,
  orders               bigint   NOT NULL,
  units                bigint   NOT NULL,
  sales_cents          bigint   NOT NULL,
  last_seq             bigint   NOT NULL,
  PRIMARY KEY (day, shard, courier_id)
);

CREATE TABLE users (
  username      text    PRIMARY KEY,
  password_hash text    NOT NULL,
  role          text    NOT NULL CHECK (role IN ('admin', 'viewer', 'courier')),
  disabled      boolean NOT NULL DEFAULT false
);
