-- 008_imports.sql: the log of committed imports (issue 7).
--
-- `landquota import` and POST /api/imports write a layer from a file in one
-- transaction; the row here is written in that same transaction, so it
-- exists exactly when the import's data does. A refused, failed or killed
-- import leaves no row (and no other trace): its report went to the person
-- who ran it. report holds the whole validation report as JSON
-- (importer.Report): source, field map, counts, issues.
CREATE TABLE import_log (
  id          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
  layer       text NOT NULL CHECK (layer IN ('districts', 'parks', 'protected-zones', 'parcels')),
  source      text NOT NULL,
  format      text NOT NULL,
  mode        text NOT NULL CHECK (mode IN ('insert', 'upsert')),
  repair      boolean NOT NULL,
  features    bigint NOT NULL CHECK (features >= 0),
  inserted    bigint NOT NULL CHECK (inserted >= 0),
  updated     bigint NOT NULL CHECK (updated >= 0),
  warnings    bigint NOT NULL CHECK (warnings >= 0),
  repaired    bigint NOT NULL CHECK (repaired >= 0),
  report      jsonb NOT NULL,
  created_by  text NOT NULL DEFAULT '',
  started_at  timestamptz NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE import_log IS 'committed imports, written in the import''s own transaction; report is the validation report';
CREATE INDEX import_log_finished_idx ON import_log (finished_at DESC);
