-- Layer versions for HTTP caching: every statement that changes a layer's
-- data (or a table its features read, such as class names) bumps that
-- layer's version inside the same transaction, so a version and the data
-- it describes become visible together. ETags are built from these.
CREATE TABLE layer_versions (
  layer      text PRIMARY KEY,
  version    bigint NOT NULL DEFAULT 0,
  changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO layer_versions (layer) VALUES ('districts'), ('parks'), ('protected-zones'), ('parcels');

CREATE FUNCTION lq_bump_layer_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE layer_versions SET version = version + 1, changed_at = now() WHERE layer = TG_ARGV[0];
  RETURN NULL;
END $$;

CREATE TRIGGER districts_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON districts
  FOR EACH STATEMENT EXECUTE FUNCTION lq_bump_layer_version('districts');
CREATE TRIGGER parks_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON parks
  FOR EACH STATEMENT EXECUTE FUNCTION lq_bump_layer_version('parks');
CREATE TRIGGER protected_zones_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON protected_zones
  FOR EACH STATEMENT EXECUTE FUNCTION lq_bump_layer_version('protected-zones');
CREATE TRIGGER parcels_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON parcels
  FOR EACH STATEMENT EXECUTE FUNCTION lq_bump_layer_version('parcels');
CREATE TRIGGER land_use_classes_version AFTER INSERT OR UPDATE OR DELETE ON land_use_classes
  FOR EACH STATEMENT EXECUTE FUNCTION lq_bump_layer_version('parcels');
CREATE TRIGGER parcel_statuses_version AFTER INSERT OR UPDATE OR DELETE ON parcel_statuses
  FOR EACH STATEMENT EXECUTE FUNCTION lq_bump_layer_version('parcels');

-- lq_parcel_eligible: may this outline take new construction land? It must
-- lie inside the urban development boundary (城镇开发边界) and overlap neither
-- permanent basic farmland (永久基本农田) nor the ecological red line
-- (生态保护红线), each by more than tol_m2 measured in EPSG:4549.
CREATE FUNCTION lq_parcel_eligible(g geometry, tol_m2 double precision) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT
    (EXISTS (SELECT 1 FROM protected_zones z
              WHERE z.kind = 'urban_development_boundary' AND z.geom && g AND ST_CoveredBy(g, z.geom))
     OR coalesce((SELECT ST_Area(ST_Transform(ST_Difference(g, ST_Union(z.geom)), 4549)) <= tol_m2
                    FROM protected_zones z
                   WHERE z.kind = 'urban_development_boundary' AND z.geom && g), false))
    AND NOT EXISTS (SELECT 1 FROM protected_zones z
                     WHERE z.kind IN ('permanent_basic_farmland', 'ecological_red_line')
                       AND z.geom && g AND ST_Intersects(z.geom, g)
                       AND ST_Area(ST_Transform(ST_Intersection(z.geom, g), 4549)) > tol_m2)
$$;
