-- 017_line_exceptions.sql: protected-line exceptions and the tolerance as
-- policy (issue 14 point 5). 单独选址 infrastructure (roads, utilities) may
-- lie outside the urban development boundary; national major projects the
-- State Council approved may occupy permanent basic farmland or the
-- ecological red line. Each exception is recorded with its document.
ALTER TABLE parcels
  ADD COLUMN line_exception text CHECK (line_exception IN ('single_site_infrastructure', 'state_council_major_project')),
  ADD COLUMN line_exception_document text,
  ADD CONSTRAINT parcels_line_exception_document CHECK (
    (line_exception IS NULL) = (line_exception_document IS NULL)
    AND coalesce(btrim(line_exception_document) <> '', true));
COMMENT ON COLUMN parcels.line_exception IS '单独选址 infrastructure (outside the boundary allowed) or a State Council major project (farmland and red line allowed)';
COMMENT ON COLUMN parcels.line_exception_document IS 'the approving document (文号) of the exception';

-- The overlap below which a parcel still counts as clear of a protected
-- line (shared edges, survey slivers): policy data, one row.
CREATE TABLE eligibility_policy (
  one          boolean PRIMARY KEY DEFAULT true CHECK (one),
  tolerance_m2 double precision NOT NULL CHECK (tolerance_m2 >= 0 AND tolerance_m2 <= 10000),
  note         text NOT NULL DEFAULT '',
  updated_at   timestamptz NOT NULL DEFAULT now()
);
INSERT INTO eligibility_policy (tolerance_m2, note) VALUES (1, '1 m²: shared edges and survey slivers are not conflicts');
