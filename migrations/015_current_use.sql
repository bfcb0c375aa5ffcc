-- 012_current_use.sql: current use and planned use as separate facts (issue
-- 14 point 3). land_use_code keeps its name and means the planned use
-- (规划用途, 2023 class, from the 控规); current_use_code is what the land is
-- today (现状地类, from the 三调 survey, crosswalked to the 2023 classes).
-- construction_land, which decides whether new quota is needed, is derived
-- from the current use; an admin may override it only with a reason.

-- 2301 空闲地 and 1703 水库水面 are construction land in the 2023 guide.
UPDATE land_use_classes SET construction = true WHERE code IN ('2301', '1703');

ALTER TABLE parcels
  ADD COLUMN current_use_code text REFERENCES land_use_classes(code),
  ADD COLUMN construction_override boolean,
  ADD COLUMN construction_override_reason text,
  ADD CONSTRAINT parcels_construction_override_reason CHECK (
    (construction_override IS NULL) = (construction_override_reason IS NULL)
    AND coalesce(btrim(construction_override_reason) <> '', true));
COMMENT ON COLUMN parcels.land_use_code IS '规划用途: planned use, 2023 class, from the 控规';
COMMENT ON COLUMN parcels.current_use_code IS '现状地类: current use from the 三调 survey, crosswalked to the 2023 classes; NULL unknown';
COMMENT ON COLUMN parcels.construction_override IS 'manual override of the derived construction_land; needs construction_override_reason';
COMMENT ON COLUMN parcels.construction_land IS 'derived: the override if set, else the construction flag of the current-use class; as recorded only while the current use is unknown';
CREATE INDEX parcels_current_use_idx ON parcels (current_use_code text_pattern_ops);

-- Stored rows: where the flag agrees with the class, today's use was the
-- class (one code stood for both). Where it disagrees the current use is
-- unknown and the recorded flag stands (see lq_parcel_construction), so no
-- stored parcel changes its quota need.
UPDATE parcels t SET current_use_code = t.land_use_code
  FROM land_use_classes c WHERE c.code = t.land_use_code AND c.construction = t.construction_land;

-- lq_parcel_construction derives construction_land on every write: the
-- override when set, else the current-use class's flag. Only while the
-- current use is unknown (not surveyed, or an older file) does the flag as
-- recorded stand: it is then the only fact there is.
CREATE FUNCTION lq_parcel_construction() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.construction_land := CASE
    WHEN NEW.construction_override IS NOT NULL THEN NEW.construction_override
    WHEN NEW.current_use_code IS NOT NULL THEN
      (SELECT c.construction FROM land_use_classes c WHERE c.code = NEW.current_use_code)
    ELSE coalesce(NEW.construction_land, false) END;
  RETURN NEW;
END $$;
-- Named to fire before the outline and overlap triggers (name order).
CREATE TRIGGER parcels_0_construction BEFORE INSERT OR UPDATE ON parcels
  FOR EACH ROW EXECUTE FUNCTION lq_parcel_construction();

-- A class whose construction flag changes (an admin's local class, a
-- corrected flag) re-derives the parcels that use it today.
CREATE FUNCTION lq_class_construction_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE parcels SET construction_land = NEW.construction
   WHERE current_use_code = NEW.code AND construction_override IS NULL AND construction_land IS DISTINCT FROM NEW.construction;
  RETURN NULL;
END $$;
CREATE TRIGGER land_use_classes_construction AFTER UPDATE OF construction ON land_use_classes
  FOR EACH ROW WHEN (OLD.construction IS DISTINCT FROM NEW.construction)
  EXECUTE FUNCTION lq_class_construction_changed();
