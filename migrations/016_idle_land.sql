-- 013_idle_land.sql: the handover date (交地) of supplied land (issue 14
-- point 1). Without an agreed start date the idle clock (Order No. 53) runs
-- from it; planner.Rules.Derive and the stock SQL read it.
ALTER TABLE parcels ADD COLUMN handed_over_on date
  CONSTRAINT parcels_handed_over_after_supply CHECK (handed_over_on >= supplied_on);
COMMENT ON COLUMN parcels.handed_over_on IS '交地: the day the land was handed over; starts the idle clock when no start date was agreed';
