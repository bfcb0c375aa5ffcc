-- 011_lifecycle.sql: the lifecycle in the order the rules give it (issue 14
-- point 2). 储备 is land already expropriated or recovered and held by the
-- land reserve centre before supply, so it comes after 征收; land not yet
-- filed for approval gets a status of its own, 'planned' (未报批).
-- planning.Statuses holds the same rows in the same order.

-- Move the ordinals out of the way first: they are UNIQUE.
UPDATE parcel_statuses SET ordinal = ordinal + 100;
INSERT INTO parcel_statuses (code, ordinal, name_zh, name_en) VALUES ('planned', 1, '未报批', 'Planned (not yet filed)');
UPDATE parcel_statuses SET ordinal = CASE code
  WHEN 'filed' THEN 2 WHEN 'approved' THEN 3 WHEN 'expropriated' THEN 4 WHEN 'reserve' THEN 5
  WHEN 'supplied' THEN 6 WHEN 'under_construction' THEN 7 WHEN 'completed' THEN 8
  WHEN 'in_production' THEN 9 WHEN 'low_efficiency' THEN 10 WHEN 'redevelopment' THEN 11 END
WHERE code <> 'planned';

-- Stored 'reserve' meant "before filing". A parcel in it that was never
-- approved and is not construction land today was really not yet filed:
-- it becomes 'planned'. Approved reserve land, and construction land the
-- reserve centre recovered (收回, no conversion needed), stay 储备.
UPDATE parcels SET status = 'planned'
WHERE status = 'reserve' AND approved_on IS NULL AND NOT construction_land;

-- Free land (planner.AvailableStatuses) is land whose conversion is
-- approved and which is not yet supplied: approved, expropriated, reserve.
-- Planned and filed land is not free: no approval without quota. The
-- partial indexes of 007 are rebuilt with the list in lifecycle order, as
-- the search renders it.
DROP INDEX parcels_available_park_idx;
DROP INDEX parcels_available_district_idx;
DROP INDEX parcels_available_geom_idx;
CREATE INDEX parcels_available_park_idx ON parcels (park_code, area_m2)
  WHERE status IN ('approved', 'expropriated', 'reserve') AND park_code IS NOT NULL;
CREATE INDEX parcels_available_district_idx ON parcels (district_adcode, area_m2)
  WHERE status IN ('approved', 'expropriated', 'reserve');
CREATE INDEX parcels_available_geom_idx ON parcels USING gist (geom)
  WHERE status IN ('approved', 'expropriated', 'reserve');
