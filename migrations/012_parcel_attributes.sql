-- What a parcel file says of a parcel beyond the fields landquota models:
-- its name (地块名称 / 项目名称), its owner (权属单位名称, QSDWMC) and remarks
-- (备注, BZ) as columns, and every other attribute the file carries (DLMC,
-- ZLDWMC, ...) as a JSON object, so that an export gives back what was
-- imported. Existing parcels get no name and an empty object.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE parcels
  ADD COLUMN name text,
  ADD COLUMN owner text,
  ADD COLUMN remarks text,
  ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object');

-- The text a search by name finds a parcel by: name, owner and code.
CREATE FUNCTION lq_parcel_text(name text, owner text, code text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN coalesce(name, '') || ' ' || coalesce(owner, '') || ' ' || code;

-- Substring search (ILIKE '%滨江%') by trigrams.
CREATE INDEX parcels_text_trgm_idx ON parcels USING gin (lq_parcel_text(name, owner, code) gin_trgm_ops);
