-- The sliver width of the protected-line tolerance (issue 14 point 5). An
-- overlap thinner everywhere than the policy's width (a digitising seam
-- along a shared edge) is no conflict, whatever its area, just as one of
-- at most the policy's area is not. The width of each overlap is measured
-- once and kept beside its area (parcel_conflicts), so the policy is still
-- decided when read (planning.LineTolerance and eligibleSQL).

ALTER TABLE eligibility_policy
  ADD COLUMN sliver_width_m double precision NOT NULL DEFAULT 0.5
    CONSTRAINT eligibility_policy_sliver_width_m CHECK (sliver_width_m >= 0 AND sliver_width_m <= 10);
COMMENT ON COLUMN eligibility_policy.sliver_width_m IS 'an overlap thinner everywhere than this (m, EPSG:4549) is no conflict; 0 switches it off';
UPDATE eligibility_policy SET note = '1 m², or thinner than 0.5 m: shared edges and survey slivers are not conflicts'
 WHERE note = '1 m²: shared edges and survey slivers are not conflicts';

-- lq_overlap_width is the width of a polygonal overlap in a metric SRID:
-- the diameter of the widest disc that fits in it, i.e. the least w for
-- which the overlap eroded by w/2 (ST_Buffer negative) is empty. Found by
-- bisection to 5 mm and capped at 10 m, the policy's largest width. Most
-- overlaps (whole parcels outside the boundary) leave at once: their
-- centroid lies inside, 5 m or more from the edge, so a 10 m disc fits.
-- Else one coarse erosion decides: with 2 segments a quarter circle the
-- eroded shape is at most 0.42 m too large at 5.5 m, so a non-empty one
-- proves a 10 m disc fits.
CREATE FUNCTION lq_overlap_width(piece geometry) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  lo double precision := 0;
  hi double precision := 11;
  mid double precision;
  c geometry;
BEGIN
  IF ST_IsEmpty(piece) OR ST_Area(piece) = 0 THEN
    RETURN 0;
  END IF;
  c := ST_Centroid(piece);
  IF ST_Intersects(piece, c) AND ST_Distance(ST_Boundary(piece), c) >= 5 THEN
    RETURN 10;
  END IF;
  IF NOT ST_IsEmpty(ST_Buffer(piece, -5.5, 'quad_segs=2')) THEN
    RETURN 10;
  END IF;
  WHILE hi - lo > 0.005 LOOP
    mid := (lo + hi) / 2;
    IF ST_IsEmpty(ST_Buffer(piece, -mid / 2, 'quad_segs=16')) THEN
      hi := mid;
    ELSE
      lo := mid;
    END IF;
  END LOOP;
  RETURN least(lo, 10);
END $$;

-- lq_planner_conflicts (007) also measures the widths: each kind's pieces
-- are cut once, and their union measured, so two zones that split one
-- thick overlap along their shared edge do not make it look thin. The
-- verdict columns apply tol_m2 and the policy's width.
DROP FUNCTION lq_planner_conflicts(geometry, double precision);
CREATE FUNCTION lq_planner_conflicts(g geometry, tol_m2 double precision)
RETURNS TABLE (farmland_m2 double precision, red_line_m2 double precision, outside_boundary_m2 double precision,
               inside_boundary boolean, eligible boolean,
               farmland_width_m double precision, red_line_width_m double precision, outside_boundary_width_m double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT k.farm, k.red, o.outside,
         o.outside <= tol_m2 OR o.width < w.sliver_width_m,
         (o.outside <= tol_m2 OR o.width < w.sliver_width_m) AND (k.farm <= tol_m2 OR k.farm_w < w.sliver_width_m)
           AND (k.red <= tol_m2 OR k.red_w < w.sliver_width_m),
         k.farm_w, k.red_w, o.width
  FROM (SELECT coalesce(sum(ST_Area(x.piece)) FILTER (WHERE x.kind = 'permanent_basic_farmland'), 0) AS farm,
               coalesce(sum(ST_Area(x.piece)) FILTER (WHERE x.kind = 'ecological_red_line'), 0) AS red,
               coalesce(lq_overlap_width(ST_Union(x.piece) FILTER (WHERE x.kind = 'permanent_basic_farmland')), 0) AS farm_w,
               coalesce(lq_overlap_width(ST_Union(x.piece) FILTER (WHERE x.kind = 'ecological_red_line')), 0) AS red_w,
               coalesce(bool_or(x.covered) FILTER (WHERE x.kind = 'urban_development_boundary'), false) AS covered,
               count(*) FILTER (WHERE x.kind = 'urban_development_boundary') > 0 AS meets_boundary
        FROM (SELECT z.kind,
                     CASE WHEN z.kind <> 'urban_development_boundary'
                          THEN ST_CollectionExtract(ST_Transform(ST_Intersection(z.geom, g), 4549), 3) END AS piece,
                     CASE WHEN z.kind = 'urban_development_boundary' THEN ST_Covers(z.geom, g) END AS covered
              FROM protected_zones z
              WHERE z.geom && g AND ST_Intersects(z.geom, g)) x) k
  CROSS JOIN LATERAL (
    SELECT coalesce(ST_Area(d.piece), 0) AS outside, coalesce(lq_overlap_width(d.piece), 0) AS width
    FROM (SELECT CASE WHEN k.covered THEN NULL::geometry
                      WHEN NOT k.meets_boundary THEN ST_Transform(g, 4549)
                      ELSE (SELECT ST_CollectionExtract(ST_Transform(ST_Difference(g, ST_Union(z.geom)), 4549), 3)
                              FROM protected_zones z
                             WHERE z.kind = 'urban_development_boundary' AND z.geom && g AND ST_Intersects(z.geom, g)) END AS piece) d) o
  CROSS JOIN (SELECT coalesce((SELECT sliver_width_m FROM eligibility_policy), 0) AS sliver_width_m) w
$$;

-- The kept figures gain the widths (0 where there is no overlap).
ALTER TABLE parcel_conflicts
  ADD COLUMN farmland_width_m double precision NOT NULL DEFAULT 0,
  ADD COLUMN red_line_width_m double precision NOT NULL DEFAULT 0,
  ADD COLUMN outside_boundary_width_m double precision NOT NULL DEFAULT 0;
COMMENT ON COLUMN parcel_conflicts.farmland_width_m IS 'width (m, the widest disc that fits, capped at 10) of the overlap with permanent basic farmland; likewise the other two';

CREATE OR REPLACE FUNCTION lq_parcel_conflicts_measure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO parcel_conflicts (parcel_id, farmland_m2, red_line_m2, outside_boundary_m2, farmland_width_m, red_line_width_m, outside_boundary_width_m)
    SELECT n.id, k.farmland_m2, k.red_line_m2, k.outside_boundary_m2, k.farmland_width_m, k.red_line_width_m, k.outside_boundary_width_m
    FROM lq_new_rows n CROSS JOIN LATERAL lq_planner_conflicts(n.geom, 0) k
    ON CONFLICT (parcel_id) DO UPDATE SET farmland_m2 = EXCLUDED.farmland_m2, red_line_m2 = EXCLUDED.red_line_m2,
      outside_boundary_m2 = EXCLUDED.outside_boundary_m2, farmland_width_m = EXCLUDED.farmland_width_m,
      red_line_width_m = EXCLUDED.red_line_width_m, outside_boundary_width_m = EXCLUDED.outside_boundary_width_m;
  ELSE
    INSERT INTO parcel_conflicts (parcel_id, farmland_m2, red_line_m2, outside_boundary_m2, farmland_width_m, red_line_width_m, outside_boundary_width_m)
    SELECT n.id, k.farmland_m2, k.red_line_m2, k.outside_boundary_m2, k.farmland_width_m, k.red_line_width_m, k.outside_boundary_width_m
    FROM lq_new_rows n LEFT JOIN lq_old_rows o ON o.id = n.id
    CROSS JOIN LATERAL lq_planner_conflicts(n.geom, 0) k
    WHERE o.id IS NULL OR ST_AsEWKB(o.geom) IS DISTINCT FROM ST_AsEWKB(n.geom)
    ON CONFLICT (parcel_id) DO UPDATE SET farmland_m2 = EXCLUDED.farmland_m2, red_line_m2 = EXCLUDED.red_line_m2,
      outside_boundary_m2 = EXCLUDED.outside_boundary_m2, farmland_width_m = EXCLUDED.farmland_width_m,
      red_line_width_m = EXCLUDED.red_line_width_m, outside_boundary_width_m = EXCLUDED.outside_boundary_width_m;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION lq_parcel_conflicts_remeasure(ids bigint[]) RETURNS void LANGUAGE sql AS $$
  UPDATE parcel_conflicts c SET farmland_m2 = k.farmland_m2, red_line_m2 = k.red_line_m2, outside_boundary_m2 = k.outside_boundary_m2,
    farmland_width_m = k.farmland_width_m, red_line_width_m = k.red_line_width_m, outside_boundary_width_m = k.outside_boundary_width_m
  FROM parcels p CROSS JOIN LATERAL lq_planner_conflicts(p.geom, 0) k
  WHERE p.id = c.parcel_id AND p.id = ANY (ids)
$$;

-- The parcels already stored that meet a line.
SELECT lq_parcel_conflicts_remeasure(array(SELECT parcel_id FROM parcel_conflicts
  WHERE farmland_m2 > 0 OR red_line_m2 > 0 OR outside_boundary_m2 > 0));

-- The 2D area of stratified underground rights (分层设立), kept. The yearly
-- report counts an underground right only by the part of its footprint
-- that no surface right, and no underground right of a smaller id, already
-- covers. Measured while reading, that overlay was half of the report's
-- pass over the parcels (about 1 s of 2 on 50,000 parcels); it depends on
-- outlines and elevations only, so it is kept here, like parcel_conflicts:
-- a statement that inserts, reshapes, re-elevates or deletes parcels
-- re-measures the underground rights whose bounding box meets them (found
-- through a partial index of the few underground rights). Outline writes
-- hold the overlap check's advisory lock (001) or lock the table (bulk
-- loads); deletes take the lock here.
CREATE TABLE parcel_footprints (
  parcel_id  bigint PRIMARY KEY REFERENCES parcels (id) ON DELETE CASCADE,
  area_2d_m2 double precision NOT NULL
);
COMMENT ON TABLE parcel_footprints IS 'per underground right, m² (EPSG:4549) of its footprint not already covered by a surface right or an underground right of a smaller id; kept by triggers';

CREATE INDEX parcels_underground_geom_idx ON parcels USING gist (geom) WHERE elevation_top <= 0;

CREATE FUNCTION lq_parcel_footprints_remeasure(ids bigint[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM parcel_footprints f USING parcels p
   WHERE f.parcel_id = ANY (ids) AND p.id = f.parcel_id AND NOT coalesce(p.elevation_top <= 0, false);
  INSERT INTO parcel_footprints (parcel_id, area_2d_m2)
  SELECT t.id, greatest(t.area_m2 - coalesce((
    SELECT ST_Area(ST_Transform(ST_Intersection(t.geom, ST_Union(o.geom)), 4549)) FROM parcels o
     WHERE o.geom && t.geom AND o.id <> t.id AND (coalesce(o.elevation_top > 0, true) OR o.id < t.id)
       AND ST_Relate(o.geom, t.geom, '2********')), 0), 0)
  FROM parcels t WHERE t.id = ANY (ids) AND t.elevation_top <= 0
  ON CONFLICT (parcel_id) DO UPDATE SET area_2d_m2 = EXCLUDED.area_2d_m2;
$$;

CREATE FUNCTION lq_parcel_footprints_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM lq_parcel_footprints_remeasure(array(
      SELECT DISTINCT p.id FROM lq_new_rows n JOIN parcels p ON p.geom && n.geom AND p.elevation_top <= 0));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM lq_parcel_footprints_remeasure(array(
      WITH c AS (SELECT n.id, n.geom AS g1, o.geom AS g2 FROM lq_new_rows n JOIN lq_old_rows o ON o.id = n.id
                  WHERE n.elevation_top IS DISTINCT FROM o.elevation_top OR n.elevation_bottom IS DISTINCT FROM o.elevation_bottom
                     OR ST_AsEWKB(n.geom) IS DISTINCT FROM ST_AsEWKB(o.geom))
      SELECT id FROM c
      UNION SELECT p.id FROM (SELECT g1 AS g FROM c UNION ALL SELECT g2 FROM c) z JOIN parcels p ON p.geom && z.g AND p.elevation_top <= 0));
  ELSE -- DELETE
    PERFORM pg_advisory_xact_lock(7431001);
    PERFORM lq_parcel_footprints_remeasure(array(
      SELECT DISTINCT p.id FROM lq_old_rows o JOIN parcels p ON p.geom && o.geom AND p.elevation_top <= 0));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER parcels_footprints_insert AFTER INSERT ON parcels REFERENCING NEW TABLE AS lq_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_parcel_footprints_follow();
CREATE TRIGGER parcels_footprints_update AFTER UPDATE ON parcels REFERENCING NEW TABLE AS lq_new_rows OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_parcel_footprints_follow();
CREATE TRIGGER parcels_footprints_delete AFTER DELETE ON parcels REFERENCING OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_parcel_footprints_follow();

SELECT lq_parcel_footprints_remeasure(array(SELECT id FROM parcels WHERE elevation_top <= 0));
