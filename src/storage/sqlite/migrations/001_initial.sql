-- Orders, their lines, and the running totals of each business day.
-- Times are microseconds since the Unix epoch, UTC. Money is integer cents.

CREATE TABLE orders (
  seq                  INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id             TEXT    NOT NULL UNIQUE,
  courier_id           TEXT    NOT NULL,
  courier_id_is_number INTEGER NOT NULL,
  courier_name         TEXT    NOT NULL,
  reported_at          INTEGER,            -- NULL when the device sent no timestamp
  received_at          INTEGER NOT NULL,
  occurred_at          INTEGER NOT NULL,   -- reported_at, or received_at without it
  business_day         TEXT    NOT NULL,   -- YYYY-MM-DD in the business timezone
  total_cents          INTEGER NOT NULL,
  units                INTEGER NOT NULL
);
CREATE INDEX orders_newest_first ON orders (occurred_at DESC, seq DESC);
CREATE INDEX orders_by_day ON orders (business_day, occurred_at DESC, seq DESC);
CREATE INDEX orders_by_courier ON orders (courier_id, occurred_at DESC, seq DESC);

CREATE TABLE order_lines (
  order_seq        INTEGER NOT NULL,
  line_no          INTEGER NOT NULL,
  product_id       TEXT    NOT NULL,
  product_name     TEXT    NOT NULL,
  unit_price_cents INTEGER NOT NULL,
  quantity         INTEGER NOT NULL,
  PRIMARY KEY (order_seq, line_no)
) WITHOUT ROWID;

CREATE TABLE day_totals (
  day              TEXT PRIMARY KEY,
  orders           INTEGER NOT NULL,
  units            INTEGER NOT NULL,
  sales_cents      INTEGER NOT NULL,
  last_seq         INTEGER NOT NULL,
  last_occurred_at INTEGER NOT NULL,
  last_received_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE day_products (
  day          TEXT    NOT NULL,
  product_name TEXT    NOT NULL,
  units        INTEGER NOT NULL,
  sales_cents  INTEGER NOT NULL,
  PRIMARY KEY (day, product_name)
) WITHOUT ROWID;

CREATE TABLE day_hours (
  day         TEXT    NOT NULL,
  hour        INTEGER NOT NULL,
  orders      INTEGER NOT NULL,
  sales_cents INTEGER NOT NULL,
  PRIMARY KEY (day, hour)
) WITHOUT ROWID;

CREATE TABLE day_couriers (
  day                  TEXT    NOT NULL,
  courier_id           TEXT    NOT NULL,
  courier_id_is_number INTEGER NOT NULL,
  courier_name         TEXT    NOT NULL,
  orders               INTEGER NOT NULL,
  units                INTEGER NOT NULL,
  sales_cents          INTEGER NOT NULL,
  PRIMARY KEY (day, courier_id)
) WITHOUT ROWID;

CREATE TABLE users (
  username      TEXT PRIMARY KEY,
  password_hash TEXT    NOT NULL,
  role          TEXT    NOT NULL CHECK (role IN ('admin', 'viewer', 'courier')),
  disabled      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
