-- 029_free_parcel_boxes.sql: free land around a point without the parcels'
-- pages (issue 17).
--
-- A radius search over free land ("available", planner.StatusAvailable)
-- counted every free parcel within 1 km, about 1,300 on the 10,000,000-
-- parcel seed, each read from its own page of parcels (a tenth of the
-- parcels are free, spread among the rest): 1,700 pages a search, more than
-- shared_buffers holds for the benchmark's 40 places, so most searches read
-- them again. Here each parcel of a free status (approved, expropriated,
-- reserve; with or without a project) has a narrow row: its status, its area
-- and the bounding box of its outline in EPSG:4549, the plane the radius is
-- measured in. An index-only scan of the GiST index gives the candidates
-- with what the totals need, in a few dozen index pages; a box wholly
-- inside the circle is inside, one wholly outside is out, and only the
-- parcels whose box crosses the circle are measured (pgstore/search.go).
-- Kept by statement-level triggers over the transition tables (as 013),
-- and by the bulk load (pgstore/load.go) while those are off.
CREATE TABLE free_parcel_boxes (
  id       bigint PRIMARY KEY,
  status   text NOT NULL,
  area_m2  double precision NOT NULL,
  box_4549 box NOT NULL
);
COMMENT ON TABLE free_parcel_boxes IS 'each parcel of a free status (approved, expropriated, reserve): its status, area and the bounding box of its outline in EPSG:4549; kept by triggers';

-- lq_free_parcel_boxes_follow applies one statement's change: the rows of
-- the old and new parcels whose status, area or outline changed are taken
-- away, and those of the new rows with a free status written again.
CREATE FUNCTION lq_free_parcel_boxes_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    TRUNCATE free_parcel_boxes;
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    DELETE FROM free_parcel_boxes f USING lq_old_rows o WHERE f.id = o.id;
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM free_parcel_boxes f USING lq_old_rows o JOIN lq_new_rows n ON n.id = o.id
     WHERE f.id = o.id AND (o.status <> n.status OR o.area_m2 <> n.area_m2 OR ST_AsEWKB(o.geom) <> ST_AsEWKB(n.geom));
    -- A row whose id changed (never done by landquota) leaves its old id.
    DELETE FROM free_parcel_boxes f USING lq_old_rows o
     WHERE f.id = o.id AND NOT EXISTS (SELECT 1 FROM lq_new_rows n WHERE n.id = o.id);
  END IF;
  INSERT INTO free_parcel_boxes (id, status, area_m2, box_4549)
  SELECT n.id, n.status, n.area_m2, box(ST_Transform(n.geom, 4549)) FROM lq_new_rows n
   WHERE n.status IN ('approved', 'expropriated', 'reserve')
     AND NOT EXISTS (SELECT 1 FROM free_parcel_boxes f WHERE f.id = n.id);
  RETURN NULL;
END $$;

CREATE TRIGGER parcels_free_boxes_insert AFTER INSERT ON parcels REFERENCING NEW TABLE AS lq_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_free_parcel_boxes_follow();
CREATE TRIGGER parcels_free_boxes_update AFTER UPDATE ON parcels REFERENCING OLD TABLE AS lq_old_rows NEW TABLE AS lq_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_free_parcel_boxes_follow();
CREATE TRIGGER parcels_free_boxes_delete AFTER DELETE ON parcels REFERENCING OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_free_parcel_boxes_follow();
CREATE TRIGGER parcels_free_boxes_truncate AFTER TRUNCATE ON parcels
  FOR EACH STATEMENT EXECUTE FUNCTION lq_free_parcel_boxes_follow();

-- The parcels already stored.
INSERT INTO free_parcel_boxes (id, status, area_m2, box_4549)
SELECT id, status, area_m2, box(ST_Transform(geom, 4549)) FROM parcels
 WHERE status IN ('approved', 'expropriated', 'reserve');

-- INCLUDE: the totals and the order by area need no other page.
CREATE INDEX free_parcel_boxes_box_idx ON free_parcel_boxes USING gist (box_4549) INCLUDE (status, area_m2);
ANALYZE free_parcel_boxes;
