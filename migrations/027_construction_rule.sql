-- One home for the construction-land rule of 015: the override when set,
-- else the current-use class's flag, else (current use unknown) the flag
-- as recorded. The row trigger and the bulk import's INSERT (which runs
-- with the triggers off, planning/pgstore/imports.go) both ask it.
CREATE FUNCTION lq_construction_of(override boolean, current_use text, recorded boolean) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN override IS NOT NULL THEN override
    WHEN current_use IS NOT NULL THEN (SELECT c.construction FROM land_use_classes c WHERE c.code = current_use)
    ELSE coalesce(recorded, false) END
$$;
COMMENT ON FUNCTION lq_construction_of(boolean, text, boolean) IS 'parcels.construction_land derived: override, else the current-use class''s flag, else as recorded';

CREATE OR REPLACE FUNCTION lq_parcel_construction() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.construction_land := lq_construction_of(NEW.construction_override, NEW.current_use_code, NEW.construction_land);
  RETURN NEW;
END $$;
