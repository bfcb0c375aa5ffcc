-- How each parcel meets the protected lines, measured once and kept.
--
-- lq_planner_conflicts costs about 45 µs a parcel (measured on the
-- 1,000,000-parcel seed): a third of a planner search that lists 100
-- parcels with why each matched, and all of one that filters on
-- eligibility over thousands of candidates. Outlines change rarely and the
-- protected lines more rarely still, so the figures are kept in
-- parcel_conflicts by triggers and read with a join; eligibility against a
-- tolerance is decided when read (each figure <= tol).
--
--   * a statement that inserts parcels, or changes their outlines, measures
--     those parcels (one pass over the statement's transition table);
--   * a statement that changes protected zones re-measures the parcels
--     whose bounding box meets any old or new zone outline;
--   * deleting a parcel deletes its row (foreign key).
-- Zone changes take the parcels' advisory lock (the overlap check's, see
-- 001), so a parcel written at the same time is measured against the zones
-- as committed. Backups carry the table: pg_restore loads data before it
-- makes triggers, so the rows arrive as they were.
CREATE TABLE parcel_conflicts (
  parcel_id           bigint PRIMARY KEY REFERENCES parcels (id) ON DELETE CASCADE,
  farmland_m2         double precision NOT NULL,
  red_line_m2         double precision NOT NULL,
  outside_boundary_m2 double precision NOT NULL
);
COMMENT ON TABLE parcel_conflicts IS 'per parcel, m² (EPSG:4549) on permanent basic farmland, on the ecological red line and outside the urban development boundary; kept by triggers';

CREATE FUNCTION lq_parcel_conflicts_measure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO parcel_conflicts (parcel_id, farmland_m2, red_line_m2, outside_boundary_m2)
    SELECT n.id, k.farmland_m2, k.red_line_m2, k.outside_boundary_m2
    FROM lq_new_rows n CROSS JOIN LATERAL lq_planner_conflicts(n.geom, 0) k
    ON CONFLICT (parcel_id) DO UPDATE SET farmland_m2 = EXCLUDED.farmland_m2, red_line_m2 = EXCLUDED.red_line_m2,
      outside_boundary_m2 = EXCLUDED.outside_boundary_m2;
  ELSE
    INSERT INTO parcel_conflicts (parcel_id, farmland_m2, red_line_m2, outside_boundary_m2)
    SELECT n.id, k.farmland_m2, k.red_line_m2, k.outside_boundary_m2
    FROM lq_new_rows n LEFT JOIN lq_old_rows o ON o.id = n.id
    CROSS JOIN LATERAL lq_planner_conflicts(n.geom, 0) k
    WHERE o.id IS NULL OR ST_AsEWKB(o.geom) IS DISTINCT FROM ST_AsEWKB(n.geom)
    ON CONFLICT (parcel_id) DO UPDATE SET farmland_m2 = EXCLUDED.farmland_m2, red_line_m2 = EXCLUDED.red_line_m2,
      outside_boundary_m2 = EXCLUDED.outside_boundary_m2;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER parcels_conflicts_insert AFTER INSERT ON parcels REFERENCING NEW TABLE AS lq_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_parcel_conflicts_measure();
CREATE TRIGGER parcels_conflicts_update AFTER UPDATE ON parcels REFERENCING NEW TABLE AS lq_new_rows OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_parcel_conflicts_measure();

-- lq_parcel_conflicts_remeasure measures the given parcels again.
CREATE FUNCTION lq_parcel_conflicts_remeasure(ids bigint[]) RETURNS void LANGUAGE sql AS $$
  UPDATE parcel_conflicts c SET farmland_m2 = k.farmland_m2, red_line_m2 = k.red_line_m2, outside_boundary_m2 = k.outside_boundary_m2
  FROM parcels p CROSS JOIN LATERAL lq_planner_conflicts(p.geom, 0) k
  WHERE p.id = c.parcel_id AND p.id = ANY (ids)
$$;

-- lq_zone_conflicts_remeasure re-measures the parcels whose bounding box
-- meets a changed zone (found through the parcels' GiST index); a TRUNCATE
-- of the zones, every parcel.
CREATE FUNCTION lq_zone_conflicts_remeasure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7431001);
  IF TG_OP = 'INSERT' THEN
    PERFORM lq_parcel_conflicts_remeasure(array(SELECT p.id FROM lq_new_rows z JOIN parcels p ON p.geom && z.geom));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM lq_parcel_conflicts_remeasure(array(SELECT p.id FROM lq_old_rows z JOIN parcels p ON p.geom && z.geom));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM lq_parcel_conflicts_remeasure(array(SELECT p.id FROM (SELECT geom FROM lq_new_rows UNION ALL SELECT geom FROM lq_old_rows) z
                                                JOIN parcels p ON p.geom && z.geom));
  ELSE -- TRUNCATE
    PERFORM lq_parcel_conflicts_remeasure(array(SELECT id FROM parcels));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER protected_zones_conflicts_insert AFTER INSERT ON protected_zones REFERENCING NEW TABLE AS lq_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_zone_conflicts_remeasure();
CREATE TRIGGER protected_zones_conflicts_update AFTER UPDATE ON protected_zones REFERENCING NEW TABLE AS lq_new_rows OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_zone_conflicts_remeasure();
CREATE TRIGGER protected_zones_conflicts_delete AFTER DELETE ON protected_zones REFERENCING OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_zone_conflicts_remeasure();
CREATE TRIGGER protected_zones_conflicts_truncate AFTER TRUNCATE ON protected_zones
  FOR EACH STATEMENT EXECUTE FUNCTION lq_zone_conflicts_remeasure();

-- The parcels already stored.
INSERT INTO parcel_conflicts (parcel_id, farmland_m2, red_line_m2, outside_boundary_m2)
SELECT p.id, k.farmland_m2, k.red_line_m2, k.outside_boundary_m2
FROM parcels p CROSS JOIN LATERAL lq_planner_conflicts(p.geom, 0) k;
