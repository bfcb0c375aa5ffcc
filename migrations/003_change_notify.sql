-- 003_change_notify.sql
--
-- Tell listeners (the map's tile cache) what changed. Every statement that
-- writes a geography table sends ONE notification on channel
-- 'landquota_changes' when its transaction commits, never one per row:
--
--   {"layer": "parcels", "op": "insert", "bbox": [minLon, minLat, maxLon, maxLat]}
--
-- layer is the map layer name (planning.LayerNames), bbox the ST_Extent
-- (EPSG:4490) of the rows the statement touched: the new rows of an INSERT,
-- the old and the new rows of an UPDATE (a moved outline dirties both
-- places), the old rows of a DELETE. TRUNCATE sends "bbox": null, meaning
-- "anywhere in the layer". A statement that touched no row sends nothing.
-- Parcel features also show the names of their land-use class and status, so
-- any write to land_use_classes or parcel_statuses sends a whole-layer
-- notification for parcels.
--
-- The extent comes from statement-level AFTER triggers over transition tables
-- (REFERENCING NEW TABLE / OLD TABLE), so a COPY of a million rows pays one
-- aggregate over rows PostgreSQL has already collected, not a trigger call per
-- row. PostgreSQL allows transition tables only on single-event triggers,
-- hence one trigger per event. NOTIFY payloads within one transaction that are
-- identical are delivered once.

CREATE FUNCTION lq_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  e box2d;
BEGIN
  IF TG_NARGS > 1 AND TG_ARGV[1] = 'whole-layer' THEN
    e := NULL;
  ELSIF TG_OP = 'INSERT' THEN
    SELECT ST_Extent(geom) INTO e FROM lq_new_rows;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT ST_Extent(geom) INTO e FROM (SELECT geom FROM lq_new_rows UNION ALL SELECT geom FROM lq_old_rows) x;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT ST_Extent(geom) INTO e FROM lq_old_rows;
  END IF;
  IF e IS NULL AND TG_OP <> 'TRUNCATE' AND NOT (TG_NARGS > 1 AND TG_ARGV[1] = 'whole-layer') THEN
    RETURN NULL; -- the statement touched no row
  END IF;
  PERFORM pg_notify('landquota_changes', json_build_object(
    'layer', TG_ARGV[0],
    'op', lower(TG_OP),
    'bbox', CASE WHEN e IS NULL THEN NULL
                 ELSE json_build_array(ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)) END)::text);
  RETURN NULL;
END $$;
COMMENT ON FUNCTION lq_notify_change() IS
  'statement trigger: pg_notify(''landquota_changes'', {layer, op, bbox}) with the extent of the rows changed; '
  'arguments: the layer name, and ''whole-layer'' to always send bbox null';

CREATE TRIGGER districts_notify_insert AFTER INSERT ON districts REFERENCING NEW TABLE AS lq_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('districts');
CREATE TRIGGER districts_notify_update AFTER UPDATE ON districts REFERENCING NEW TABLE AS lq_new_rows OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('districts');
CREATE TRIGGER districts_notify_delete AFTER DELETE ON districts REFERENCING OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('districts');
CREATE TRIGGER districts_notify_truncate AFTER TRUNCATE ON districts
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('districts');

CREATE TRIGGER parks_notify_insert AFTER INSERT ON parks REFERENCING NEW TABLE AS lq_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('parks');
CREATE TRIGGER parks_notify_update AFTER UPDATE ON parks REFERENCING NEW TABLE AS lq_new_rows OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('parks');
CREATE TRIGGER parks_notify_delete AFTER DELETE ON parks REFERENCING OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('parks');
CREATE TRIGGER parks_notify_truncate AFTER TRUNCATE ON parks
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('parks');

CREATE TRIGGER protected_zones_notify_insert AFTER INSERT ON protected_zones REFERENCING NEW TABLE AS lq_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('protected-zones');
CREATE TRIGGER protected_zones_notify_update AFTER UPDATE ON protected_zones REFERENCING NEW TABLE AS lq_new_rows OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('protected-zones');
CREATE TRIGGER protected_zones_notify_delete AFTER DELETE ON protected_zones REFERENCING OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('protected-zones');
CREATE TRIGGER protected_zones_notify_truncate AFTER TRUNCATE ON protected_zones
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('protected-zones');

CREATE TRIGGER parcels_notify_insert AFTER INSERT ON parcels REFERENCING NEW TABLE AS lq_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('parcels');
CREATE TRIGGER parcels_notify_update AFTER UPDATE ON parcels REFERENCING NEW TABLE AS lq_new_rows OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('parcels');
CREATE TRIGGER parcels_notify_delete AFTER DELETE ON parcels REFERENCING OLD TABLE AS lq_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('parcels');
CREATE TRIGGER parcels_notify_truncate AFTER TRUNCATE ON parcels
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('parcels');

CREATE TRIGGER land_use_classes_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON land_use_classes
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('parcels', 'whole-layer');
CREATE TRIGGER parcel_statuses_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON parcel_statuses
  FOR EACH STATEMENT EXECUTE FUNCTION lq_notify_change('parcels', 'whole-layer');
