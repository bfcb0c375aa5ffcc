-- 020_affordable_housing.sql: 保障房 pooled city-wide (issue 14 point 8).
-- Hangzhou sets the affordable-housing land target for the whole city; land
-- that serves it may lie in any district. The yearly report sets the land
-- supplied for affordable housing (parcels flagged affordable_housing)
-- against the target.
CREATE TABLE affordable_housing_targets (
  year        integer PRIMARY KEY CHECK (year BETWEEN 1990 AND 2100),
  city_adcode text NOT NULL DEFAULT '330100' CHECK (city_adcode ~ '^[0-9]{6}$'),
  target_m2   double precision NOT NULL CHECK (target_m2 > 0),
  document    text NOT NULL CHECK (btrim(document) <> ''),
  updated_by  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE affordable_housing_targets IS '保障性住房用地 target of the city for a year, m² of land supplied';
