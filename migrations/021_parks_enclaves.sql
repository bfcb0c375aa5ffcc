-- 018_parks_enclaves.sql: one zone, many parks (一区多园) and science
-- enclaves (科创飞地) (issue 14 point 6). A park may have sub-parks and
-- blocks (parent_code). An enclave in Beijing, Shanghai, Shenzhen or
-- abroad is a site for statistics: a location, floor area and lease, and
-- no quota account (quota is only drawn where the land lies). Its outline
-- is stored in WGS84 / CGCS2000 degrees wherever it is, and measured in the
-- UTM zone it lies in, never in EPSG:4549 (which overstates Shenzhen by
-- about 1%).
ALTER TABLE parks ADD COLUMN parent_code text REFERENCES parks(code)
  CONSTRAINT parks_parent_not_self CHECK (parent_code <> code);
COMMENT ON COLUMN parks.parent_code IS '一区多园: the park this sub-park or block belongs to';

-- lq_utm_srid is the WGS84 UTM zone (EPSG 326xx north, 327xx south) of a point.
CREATE FUNCTION lq_utm_srid(p geometry) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN ST_Y(p) >= 0 THEN 32600 ELSE 32700 END
       + least(60, greatest(1, floor((ST_X(p) + 180) / 6)::int + 1))
$$;

CREATE TABLE enclaves (
  code           text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,31}$'),
  name_zh        text NOT NULL CHECK (name_zh <> ''),
  name_en        text NOT NULL DEFAULT '',
  home_park      text REFERENCES parks(code),
  city           text NOT NULL CHECK (city <> ''),
  country        text NOT NULL DEFAULT 'CN' CHECK (country ~ '^[A-Z]{2}$'),
  location       geometry(Point, 4326) NOT NULL,
  site           geometry(MultiPolygon, 4326),
  site_area_m2   double precision,
  floor_area_m2  double precision NOT NULL CHECK (floor_area_m2 > 0),
  lease_start_on date,
  lease_end_on   date CHECK (lease_end_on > lease_start_on),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (site IS NULL OR (ST_IsValid(site) AND NOT ST_IsEmpty(site)))
);
COMMENT ON TABLE enclaves IS '科创飞地: leased floor space in other cities or abroad; statistics only, no quota account';

CREATE FUNCTION lq_enclave_measured() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.site_area_m2 := CASE WHEN NEW.site IS NULL THEN NULL
    ELSE ST_Area(ST_Transform(NEW.site, lq_utm_srid(ST_PointOnSurface(NEW.site)))) END;
  NEW.updated_at := now();
  RETURN NEW;
END $$;
CREATE TRIGGER enclaves_measured BEFORE INSERT OR UPDATE ON enclaves
  FOR EACH ROW EXECUTE FUNCTION lq_enclave_measured();
