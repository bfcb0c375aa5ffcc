-- 014_parcel_events.sql: the idle-land procedure as a parcel's history
-- (issue 14 point 1). What the stock rules compute is suspected idle land
-- (疑似闲置); an official determination (闲置土地认定书) makes it determined.
-- Rows are only appended: a mistake is corrected by a later event.
CREATE TABLE parcel_events (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  parcel_id    bigint NOT NULL REFERENCES parcels(id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('idle_determination', 'disposal_decision', 'extension_granted',
                 'fee_levied', 'land_recovered')),
  event_on     date NOT NULL,
  document     text NOT NULL CHECK (btrim(document) <> ''),
  cause        text CHECK (cause IN ('enterprise', 'government')),
  extended_to  date CHECK (extended_to > event_on),
  amount_wan   numeric(14,2) CHECK (amount_wan >= 0),
  note         text NOT NULL DEFAULT '',
  recorded_by  text NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'idle_determination') <= (cause IS NOT NULL)),
  CHECK ((kind = 'extension_granted') = (extended_to IS NOT NULL)),
  CHECK ((kind = 'fee_levied') = (amount_wan IS NOT NULL))
);
COMMENT ON TABLE parcel_events IS '闲置土地处置: 认定书, 处置决定书, 延长动工期限, 征缴闲置费, 收回 — one row per recorded step';
CREATE INDEX parcel_events_parcel_idx ON parcel_events (parcel_id, event_on, id);
