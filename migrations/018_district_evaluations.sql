-- 015_district_evaluations.sql: 亩均论英雄 figures per district and year,
-- from the district evaluation (issue 14 point 7), not from what project
-- applications claim. The allocation facts read them as coefficients.
CREATE TABLE district_evaluations (
  year                   integer NOT NULL CHECK (year BETWEEN 1990 AND 2100),
  adcode                 text NOT NULL REFERENCES districts(adcode),
  tax_per_mu_wan         numeric(14,4) NOT NULL CHECK (tax_per_mu_wan >= 0),
  value_added_per_mu_wan numeric(14,4) NOT NULL CHECK (value_added_per_mu_wan >= 0),
  recorded_by            text NOT NULL,
  recorded_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (year, adcode)
);
COMMENT ON TABLE district_evaluations IS '亩均评价: 亩均税收 and 亩均增加值 in 万元/亩 per district and year';
