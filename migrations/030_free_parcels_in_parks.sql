-- 030_free_parcels_in_parks.sql: free land in a park, nearest first,
-- without the parcels' pages (issue 17).
--
-- "The nearest free industrial land in Binxiao, eligible, any size" read
-- every free parcel of the park from parcels (6,309 rows on 2,273 pages of
-- the 10,000,000-parcel seed) and one row of parcel_conflicts for each of
-- the 2,085 industrial ones, to count them all for the totals and to walk
-- them nearest first; under 8 clients those page touches were most of its
-- 90 ms p95. Here free_parcel_boxes (029) also holds what such a search
-- filters on: the park, the planned use and the largest of the parcel's
-- three protected-line areas (parcel_conflicts), so that a parcel none of
-- whose areas exceeds the tolerance is known eligible without a look-up
-- (pgstore/search.go, eligibleSureSQL). A partial index on the park, with
-- every column a search reads included, answers it by an index-only scan;
-- the box in EPSG:4549 gives each match's distance within a few metres,
-- and only the page's parcels are measured exactly (search_free.go).
--
-- The table is made again (rather than altered and rewritten in place):
-- the same rows with three more columns, and no dead ones behind.
DROP TABLE free_parcel_boxes;
CREATE TABLE free_parcel_boxes (
  id              bigint PRIMARY KEY,
  area_m2         double precision NOT NULL,
  max_conflict_m2 double precision NOT NULL,
  box_4549        box NOT NULL,
  status          text NOT NULL,
  land_use_code   text NOT NULL,
  park_code       text
);
COMMENT ON TABLE free_parcel_boxes IS 'each parcel of a free status (approved, expropriated, reserve): its status, area, planned use, park, largest protected-line area and the bounding box of its outline in EPSG:4549; kept by triggers';
COMMENT ON COLUMN free_parcel_boxes.max_conflict_m2 IS 'the largest of the parcel''s farmland, red-line and outside-the-boundary areas (parcel_conflicts); Infinity while not known';

-- lq_free_parcel_boxes_follow applies one statement's change to parcels:
-- the rows of the old and new parcels whose status, area, outline, use or
-- park changed are taken away, and those of the new rows with a free
-- status written again, with their conflict areas as parcel_conflicts
-- holds them. parcels_conflicts_* (lq_parcel_conflicts_measure) run before
-- these triggers (triggers of a kind fire in the order of their names), so
-- a new or moved parcel's figures are there; were they not, Infinity says
-- "look them up", and lq_free_parcel_boxes_conflicts follows every later
-- change of them.
CREATE OR REPLACE FUNCTION lq_free_parcel_boxes_follow() RETURNS trigger LANGUAGE plpgsql AS $$
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
     WHERE f.id = o.id AND (o.status <> n.status OR o.area_m2 <> n.area_m2 OR ST_AsEWKB(o.geom) <> ST_AsEWKB(n.geom)
                            OR o.land_use_code <> n.land_use_code OR o.park_code IS DISTINCT FROM n.park_code);
    -- A row whose id changed (never done by landquota) leaves its old id.
    DELETE FROM free_parcel_boxes f USING lq_old_rows o
     WHERE f.id = o.id AND NOT EXISTS (SELECT 1 FROM lq_new_rows n WHERE n.id = o.id);
  END IF;
  INSERT INTO free_parcel_boxes (id, area_m2, max_conflict_m2, box_4549, status, land_use_code, park_code)
  SELECT n.id, n.area_m2, coalesce(greatest(c.farmland_m2, c.red_line_m2, c.outside_boundary_m2), 'Infinity'),
         box(ST_Transform(n.geom, 4549)), n.status, n.land_use_code, n.park_code
    FROM lq_new_rows n LEFT JOIN parcel_conflicts c ON c.parcel_id = n.id
   WHERE n.status IN ('approved', 'expropriated', 'reserve')
     AND NOT EXISTS (SELECT 1 FROM free_parcel_boxes f WHERE f.id = n.id);
  RETURN NULL;
END $$;

-- lq_free_parcel_boxes_conflicts follows the conflict figures: a zone's
-- change re-measures the parcels it meets (lq_parcel_conflicts_remeasure,
-- an UPDATE), a moved parcel is measured again (an INSERT ... ON CONFLICT
-- DO UPDATE: its updated rows come here as an UPDATE's). A deleted or
-- truncated figure is no longer known. A plain INSERT needs no trigger:
-- the parcel's own insert reads its figures (above), and the bulk load
-- writes the figures before the boxes (pgstore/load.go) without paying
-- for a transition table of every parcel.
CREATE FUNCTION lq_free_parcel_boxes_conflicts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    UPDATE free_parcel_boxes f SET max_conflict_m2 = greatest(n.farmland_m2, n.red_line_m2, n.outside_boundary_m2)
      FROM lq_new_rows n
     WHERE f.id = n.parcel_id AND f.max_conflict_m2 IS DISTINCT FROM greatest(n.farmland_m2, n.red_line_m2, n.outside_boundary_m2);
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE free_parcel_boxes f SET max_conflict_m2 = 'Infinity' FROM lq_old_rows o
     WHERE f.id = o.parcel_id AND f.max_conflict_m2 <> 'Infinity';
  ELSE -- TRUNCATE
    UPDATE free_parcel_boxes SET max_conflict_m2 = 'Infinity' WHERE max_conflict_m2 <> 'Infinity';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER parcel_conflicts_free_boxes_update AFTER UPDATE ON parcel_conflicts REFERENCING NEW TABLE AS lq_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_free_parcel_boxes_conflicts();
CREATE TRIGGER parcel_conflicts_free_boxes_delete AFTER DELETE ON parcel_conflicts REFERENCING OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_free_parcel_boxes_conflicts();
CREATE TRIGGER parcel_conflicts_free_boxes_truncate AFTER TRUNCATE ON parcel_conflicts
  FOR EACH STATEMENT EXECUTE FUNCTION lq_free_parcel_boxes_conflicts();

-- The parcels already stored.
INSERT INTO free_parcel_boxes (id, area_m2, max_conflict_m2, box_4549, status, land_use_code, park_code)
SELECT p.id, p.area_m2, coalesce(greatest(c.farmland_m2, c.red_line_m2, c.outside_boundary_m2), 'Infinity'),
       box(ST_Transform(p.geom, 4549)), p.status, p.land_use_code, p.park_code
  FROM parcels p LEFT JOIN parcel_conflicts c ON c.parcel_id = p.id
 WHERE p.status IN ('approved', 'expropriated', 'reserve');

-- INCLUDE: the totals and the order by area need no other page.
CREATE INDEX free_parcel_boxes_box_idx ON free_parcel_boxes USING gist (box_4549) INCLUDE (status, area_m2);
-- The parks' free parcels (3.5% of them on the demo's seeds) with all a
-- search in a park reads: an index-only scan, no page of the table. The
-- area is in the key so that a lower bound skips the smaller parcels in
-- the index (on the 10,000,000-parcel seed no Binxiao parcel reaches 3 亩:
-- "at least 3 亩" reads nothing, where a filter read all 6,309).
CREATE INDEX free_parcel_boxes_park_idx ON free_parcel_boxes (park_code, area_m2)
  INCLUDE (id, status, land_use_code, max_conflict_m2, box_4549) WHERE park_code IS NOT NULL;
ANALYZE free_parcel_boxes;
