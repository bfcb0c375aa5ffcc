-- 016_mixed_use.sql: mixed use and local classes (issue 14 point 4).
-- A parcel's planned use may be mixed (混合用地): the main class
-- (land_use_code) and a compatible class with its share of the floor area
-- (Hangzhou writes B1/R2). Provinces and cities add classes of their own
-- (浙江省: 创新型产业用地, Hangzhou's M0); an admin adds them as data.
ALTER TABLE land_use_classes
  ADD COLUMN local   boolean NOT NULL DEFAULT false,
  ADD COLUMN source  text NOT NULL DEFAULT '',
  ADD COLUMN aliases text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN land_use_classes.local IS 'added by a province or city, not in the 2023 national guide';
COMMENT ON COLUMN land_use_classes.aliases IS 'codes files write for this class (M0), mapped on import';

ALTER TABLE parcels
  ADD COLUMN compatible_use_code text REFERENCES land_use_classes(code),
  ADD COLUMN compatible_share numeric(5,4),
  ADD CONSTRAINT parcels_mixed_use CHECK (
    (compatible_use_code IS NULL) = (compatible_share IS NULL)
    AND (compatible_share IS NULL OR (compatible_share > 0 AND compatible_share < 1))
    AND compatible_use_code IS DISTINCT FROM land_use_code);
COMMENT ON COLUMN parcels.compatible_use_code IS '混合用地: the compatible planned use beside the main one (land_use_code)';
COMMENT ON COLUMN parcels.compatible_share IS 'share of the compatible use, 0..1 exclusive; the main use has the rest';
