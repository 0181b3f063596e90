-- An order's lines move into its own row, as a JSON array of
-- [product_id, product_name, unit_price_cents, quantity] in line order.
-- One row per order instead of one per line: inserting the lines was a tenth
-- of an order's CPU, and a page of orders is read with one query.

ALTER TABLE orders ADD COLUMN lines TEXT NOT NULL DEFAULT '[]';

-- The subquery's ORDER BY sets the order json_group_array sees the rows in
-- (SQLite 3.40 has no ORDER BY inside an aggregate); the migration test
-- checks it on orders of many lines.
UPDATE orders SET lines = (
  SELECT json_group_array(json_array(product_id, product_name, unit_price_cents, quantity))
  FROM (SELECT product_id, product_name, unit_price_cents, quantity FROM order_lines
        WHERE order_seq = orders.seq ORDER BY line_no)
);

DROP TABLE order_lines;
