-- 007_planner.sql: facts and helpers for the planners' questions (issue 5):
-- availability search, the protected-line check, stock land (存量) and the
-- yearly statistics.
--
-- Stock land is derived, never typed in: 批而未供 and 闲置 follow from the
-- parcel's dates and the facts below as of a day (planning/planner holds the
-- rules; planning/pgstore renders them to SQL with the thresholds as bound
-- parameters, and a test keeps the two equal).

-- Facts of Ministry of Land and Resources Order No. 53 (闲置土地处置办法,
-- 2012): a started project is idle when less than 1/3 of its area is
-- developed or less than 25% of its investment made and it has been halted
-- for a year. All nullable: unknown until recorded.
ALTER TABLE parcels
  ADD COLUMN developed_share double precision
    CONSTRAINT parcels_developed_share_check CHECK (developed_share >= 0 AND developed_share <= 1),
  ADD COLUMN invested_share double precision
    CONSTRAINT parcels_invested_share_check CHECK (invested_share >= 0 AND invested_share <= 1),
  ADD COLUMN halted_since date,
  ADD COLUMN land_price_wan numeric(14,2)
    CONSTRAINT parcels_land_price_check CHECK (land_price_wan >= 0),
  ADD CONSTRAINT parcels_halted_after_start CHECK (halted_since >= actual_start_on);
COMMENT ON COLUMN parcels.developed_share IS 'share of the area developed (已开发面积占应动工开发面积), 0..1; NULL unknown';
COMMENT ON COLUMN parcels.invested_share IS 'share of the total investment made (已投资额占总投资额), 0..1; NULL unknown';
COMMENT ON COLUMN parcels.halted_since IS 'construction halted (中止开发建设) since this day; NULL not halted or unknown';
COMMENT ON COLUMN parcels.land_price_wan IS '出让或者划拨价款 in 万元: the idle-land fee is 20% of it';

-- lq_full_years counts the whole years from since to asof the way date +
-- interval counts them (29 February + 1 year = 28 February); NULL when
-- either is NULL, 0 when asof is before since. planner.FullYears is the same.
CREATE FUNCTION lq_full_years(since date, asof date) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN since IS NULL OR asof IS NULL THEN NULL
    ELSE greatest(0, (extract(year FROM asof) - extract(year FROM since))::int
      - CASE WHEN since + make_interval(years => (extract(year FROM asof) - extract(year FROM since))::int) > asof
             THEN 1 ELSE 0 END) END
$$;

-- lq_planner_conflicts measures how an outline meets the protected lines,
-- in m² in EPSG:4549: its overlap with permanent basic farmland (永久基本农田)
-- and the ecological red line (生态保护红线), and its area outside the urban
-- development boundary (城镇开发边界); eligible for new construction land
-- when each is at most tol_m2 (DOMAIN.md section 6). It is written as one
-- SELECT so that PostgreSQL inlines it into the calling query, and it only
-- cuts polygons when they really meet: an outline covered by one boundary
-- polygon, or meeting none, is never differenced against their union. The
-- zone is always the first argument of the spatial tests (ST_Covers, not
-- ST_CoveredBy), so PostGIS prepares the big zone polygon once and reuses
-- it across rows: about 1 µs per test instead of 17.
CREATE FUNCTION lq_planner_conflicts(g geometry, tol_m2 double precision)
RETURNS TABLE (farmland_m2 double precision, red_line_m2 double precision, outside_boundary_m2 double precision,
               inside_boundary boolean, eligible boolean)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT k.farm, k.red, o.outside, o.outside <= tol_m2, o.outside <= tol_m2 AND k.farm <= tol_m2 AND k.red <= tol_m2
  FROM (SELECT
          coalesce(sum(ST_Area(ST_Transform(ST_Intersection(z.geom, g), 4549))) FILTER (WHERE z.kind = 'permanent_basic_farmland'), 0) AS farm,
          coalesce(sum(ST_Area(ST_Transform(ST_Intersection(z.geom, g), 4549))) FILTER (WHERE z.kind = 'ecological_red_line'), 0) AS red,
          coalesce(bool_or(ST_Covers(z.geom, g)) FILTER (WHERE z.kind = 'urban_development_boundary'), false) AS covered,
          count(*) FILTER (WHERE z.kind = 'urban_development_boundary') > 0 AS meets_boundary
        FROM protected_zones z
        WHERE z.geom && g AND ST_Intersects(z.geom, g)) k
  CROSS JOIN LATERAL (
    SELECT CASE WHEN k.covered THEN 0::double precision
                WHEN NOT k.meets_boundary THEN ST_Area(ST_Transform(g, 4549))
                ELSE (SELECT ST_Area(ST_Transform(ST_Difference(g, ST_Union(z.geom)), 4549))
                        FROM protected_zones z
                       WHERE z.kind = 'urban_development_boundary' AND z.geom && g AND ST_Intersects(z.geom, g)) END AS outside) o
$$;

-- Free land (储备, or approved but not yet supplied) is what planners search
-- for most; these partial indexes keep those searches off the other 80% of
-- the parcels. The search renders exactly this predicate as constant SQL so
-- the planner can match it.
CREATE INDEX parcels_available_park_idx ON parcels (park_code, area_m2)
  WHERE status IN ('reserve', 'approved', 'expropriated') AND park_code IS NOT NULL;
CREATE INDEX parcels_available_district_idx ON parcels (district_adcode, area_m2)
  WHERE status IN ('reserve', 'approved', 'expropriated');
CREATE INDEX parcels_available_geom_idx ON parcels USING gist (geom)
  WHERE status IN ('reserve', 'approved', 'expropriated');
