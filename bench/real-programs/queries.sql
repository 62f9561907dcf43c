-- SPDX-License-Identifier: GPL-3.0-or-later
-- Run by scripts/record-real-traces.sh after load.sql: indexes the loaded
-- tables and queries them (joins, grouping, sorting, string functions).
CREATE INDEX item_customer ON item(customer_id);
CREATE INDEX item_product_day ON item(product, day);
CREATE INDEX customer_region ON customer(region);
ANALYZE;
SELECT c.region, count(*), round(sum(i.quantity * i.price), 2)
  FROM item i JOIN customer c ON c.id = i.customer_id GROUP BY c.region ORDER BY 3 DESC;
SELECT product, substr(day, 1, 7) AS month, sum(quantity) FROM item
  GROUP BY product, month ORDER BY product, month LIMIT 50;
SELECT c.name, count(*) AS n, group_concat(DISTINCT i.product) FROM customer c JOIN item i ON i.customer_id = c.id
  GROUP BY c.id ORDER BY n DESC, c.name LIMIT 20;
SELECT upper(name), length(name) FROM customer WHERE name LIKE '%ka%' ORDER BY name LIMIT 20;
SELECT count(*) FROM item WHERE comment LIKE '%dar%' AND price > 100;
UPDATE item SET comment = coalesce(comment, '') || ' checked' WHERE quantity > 30;
DELETE FROM item WHERE price < 5;
SELECT day, count(*), avg(price) FROM item WHERE product IN ('gear-s', 'lamp-xl', 'valve-m')
  GROUP BY day ORDER BY day;
WITH ranked AS (SELECT customer_id, sum(quantity * price) AS spent,
                       rank() OVER (ORDER BY sum(quantity * price) DESC) AS r
                  FROM item GROUP BY customer_id)
SELECT c.name, ranked.spent, ranked.r FROM ranked JOIN customer c ON c.id = ranked.customer_id WHERE r <= 10;
VACUUM;
SELECT count(*), sum(length(comment)) FROM item;
