-- 019_official_areas.sql: the official areas beside the measured one
-- (issue 14 point 9). area_m2 stays what the database measures in
-- EPSG:4549; these are what the documents say, in m²: the 三调 patch area
-- (图斑面积 TBMJ) and its deduction (扣除面积 KCMJ: field ridges and the
-- like), the approved area (批准面积) and the contract area (出让/划拨面积).
ALTER TABLE parcels
  ADD COLUMN survey_area_m2    double precision CHECK (survey_area_m2 > 0),
  ADD COLUMN survey_deduction_m2 double precision CHECK (survey_deduction_m2 >= 0),
  ADD COLUMN approved_area_m2  double precision CHECK (approved_area_m2 > 0),
  ADD COLUMN contract_area_m2  double precision CHECK (contract_area_m2 > 0),
  ADD CONSTRAINT parcels_survey_deduction CHECK (survey_deduction_m2 <= survey_area_m2);
COMMENT ON COLUMN parcels.survey_area_m2 IS '三调 图斑面积 TBMJ, m²';
COMMENT ON COLUMN parcels.survey_deduction_m2 IS '三调 扣除面积 KCMJ (田坎 etc.), m²; net survey area = TBMJ - KCMJ';
COMMENT ON COLUMN parcels.approved_area_m2 IS '批准面积 of the conversion approval, m²';
COMMENT ON COLUMN parcels.contract_area_m2 IS '出让合同 or 划拨决定书 area, m²';
