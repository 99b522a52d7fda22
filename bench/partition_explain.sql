-- Lookups and lists on the events table, partitioned or not (docs/adr/0006-partitioning.md).
-- psql -h 127.0.0.1 -U postgres -d DB -X -q -f bench/partition_explain.sql
-- Each query runs three times; the last run's plan is the one to read (warm cache).
\set id 123457
\pset pager off
SELECT 'by id' AS q;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM events_event WHERE id = :id;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM events_event WHERE id = :id;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM events_event WHERE id = :id;
SELECT 'by code' AS q;
SELECT code AS the_code FROM events_event WHERE id = :id \gset
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM events_event WHERE code = :'the_code';
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM events_event WHERE code = :'the_code';
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM events_event WHERE code = :'the_code';
SELECT 'timeline join (50 events by id)' AS q;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT e.id, e.code, a.status FROM events_assignment a JOIN events_event e ON e.id = a.event_id
WHERE a.id BETWEEN 1000 AND 1049;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT e.id, e.code, a.status FROM events_assignment a JOIN events_event e ON e.id = a.event_id
WHERE a.id BETWEEN 1000 AND 1049;
SELECT 'county list, page 1' AS q;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT id, code, title, status, reported_at FROM events_event
WHERE region_path LIKE '330424/%' ORDER BY reported_at DESC, id DESC LIMIT 20;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT id, code, title, status, reported_at FROM events_event
WHERE region_path LIKE '330424/%' ORDER BY reported_at DESC, id DESC LIMIT 20;
SELECT 'one month, by status (statistics)' AS q;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT status, count(*) FROM events_event
WHERE reported_at >= '2025-03-01 00:00+08' AND reported_at < '2025-04-01 00:00+08' GROUP BY status;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT status, count(*) FROM events_event
WHERE reported_at >= '2025-03-01 00:00+08' AND reported_at < '2025-04-01 00:00+08' GROUP BY status;
