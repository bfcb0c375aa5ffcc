-- 012_parcel_cells.sql: parcels seen from afar (issue 17).
--
-- Below zoom 14 a parcel is a few screen pixels and a tile of single parcels
-- is megabytes (1.6 MB at zoom 12 on the 1,000,000-parcel seed). The map
-- shows, at zooms 10-13, square cells instead: per cell and status, how many
-- parcels and how much area. A cell is a tile of the XYZ grid at zoom z+5,
-- so a tile at zoom z holds at most 32 x 32 cells (8 screen pixels each),
-- cells nest (a cell is four cells of the next level) and each one's outline
-- is ST_TileEnvelope(level, x, y).
--
-- A parcel counts whole in the one cell holding its ST_PointOnSurface, so
-- every level sums to the same totals as the parcels table. The counts are
-- kept by statement-level triggers over the transition tables (as 003 and
-- 010): one grouped upsert per statement, never a trigger call per row, and
-- never rebuilt when a tile is asked for. Areas are summed as numeric, so
-- adding and taking away the same parcel leaves the sum exactly as it was.
CREATE TABLE parcel_cells (
  level   smallint NOT NULL CHECK (level BETWEEN 15 AND 18),
  x       integer NOT NULL,
  y       integer NOT NULL,
  status  text NOT NULL,
  parcels integer NOT NULL,
  area_m2 numeric NOT NULL,
  PRIMARY KEY (level, x, y, status)
);
COMMENT ON TABLE parcel_cells IS 'per map cell (XYZ tile level/x/y, levels 15-18 for tile zooms 10-13) and parcel status: the parcels whose point on surface lies in the cell, and their area in m²; kept by triggers';
-- The cells a statement emptied are found through this index and dropped.
CREATE INDEX parcel_cells_empty_idx ON parcel_cells (level) WHERE parcels = 0;

-- lq_parcel_cells_of: the cells at levels 15-18 that count a parcel.
CREATE FUNCTION lq_parcel_cells_of(g geometry) RETURNS TABLE (level smallint, x integer, y integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT l::smallint,
         floor((ST_X(p) + 20037508.342789244) * 2 ^ l / 40075016.685578488)::integer,
         floor((20037508.342789244 - ST_Y(p)) * 2 ^ l / 40075016.685578488)::integer
  FROM ST_Transform(ST_PointOnSurface(g), 3857) AS p, generate_series(15, 18) AS l
$$;

-- lq_parcel_cells_count applies one statement's change: each changed row's
-- status and area, with sign +1 as it is now and -1 as it was. Cells are
-- upserted in key order, so that two statements meeting in the same cells
-- lock them in the same order; cells left empty are dropped.
CREATE FUNCTION lq_parcel_cells_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta text;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM parcel_cells;
    RETURN NULL;
  ELSIF TG_OP = 'INSERT' THEN
    delta := 'SELECT geom, status, area_m2, 1 AS sign FROM lq_new_rows';
  ELSIF TG_OP = 'DELETE' THEN
    delta := 'SELECT geom, status, area_m2, -1 AS sign FROM lq_old_rows';
  ELSE
    -- Only rows whose status, area or outline changed move a count.
    delta := 'SELECT n.geom, n.status, n.area_m2, 1 AS sign FROM lq_new_rows n LEFT JOIN lq_old_rows o ON o.id = n.id
               WHERE o.id IS NULL OR o.status <> n.status OR o.area_m2 <> n.area_m2 OR ST_AsEWKB(o.geom) <> ST_AsEWKB(n.geom)
              UNION ALL
              SELECT o.geom, o.status, o.area_m2, -1 FROM lq_old_rows o LEFT JOIN lq_new_rows n ON n.id = o.id
               WHERE n.id IS NULL OR o.status <> n.status OR o.area_m2 <> n.area_m2 OR ST_AsEWKB(o.geom) <> ST_AsEWKB(n.geom)';
  END IF;
  EXECUTE format($f$
    INSERT INTO parcel_cells AS c (level, x, y, status, parcels, area_m2)
    SELECT k.level, k.x, k.y, d.status, sum(d.sign), sum(d.sign * d.area_m2::numeric)
      FROM (%s) d CROSS JOIN LATERAL lq_parcel_cells_of(d.geom) k
     GROUP BY 1, 2, 3, 4
    HAVING sum(d.sign) <> 0 OR sum(d.sign * d.area_m2::numeric) <> 0
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (level, x, y, status) DO UPDATE
      SET parcels = c.parcels + EXCLUDED.parcels, area_m2 = c.area_m2 + EXCLUDED.area_m2$f$, delta);
  DELETE FROM parcel_cells WHERE parcels = 0;
  RETURN NULL;
END $$;

CREATE TRIGGER parcels_cells_insert AFTER INSERT ON parcels REFERENCING NEW TABLE AS lq_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_parcel_cells_count();
CREATE TRIGGER parcels_cells_update AFTER UPDATE ON parcels REFERENCING NEW TABLE AS lq_new_rows OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_parcel_cells_count();
CREATE TRIGGER parcels_cells_delete AFTER DELETE ON parcels REFERENCING OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_parcel_cells_count();
CREATE TRIGGER parcels_cells_truncate AFTER TRUNCATE ON parcels
  FOR EACH STATEMENT EXECUTE FUNCTION lq_parcel_cells_count();

-- The parcels already stored.
INSERT INTO parcel_cells (level, x, y, status, parcels, area_m2)
SELECT k.level, k.x, k.y, p.status, count(*), sum(p.area_m2::numeric)
  FROM parcels p CROSS JOIN LATERAL lq_parcel_cells_of(p.geom) k
 GROUP BY 1, 2, 3, 4;
