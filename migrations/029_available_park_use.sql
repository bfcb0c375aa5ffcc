-- Free land of a planned use in a park (issue 17: "free industrial land in
-- Binxiao, any size, nearest first"). parcels_available_park_idx (park,
-- area) finds every free parcel of the park and the heap then drops those
-- of other uses: on the 10,000,000-parcel seed 6,309 read for 2,085 kept.
-- The search adds the land-use prefix as a range on this index
-- (pgstore.searchWhere), so only the parcels of that use are read; area_m2
-- last keeps an area floor (">= 50 亩") answered in the index.
CREATE INDEX parcels_available_park_use_idx ON parcels (park_code, land_use_code text_pattern_ops, area_m2)
  WHERE status IN ('approved', 'expropriated', 'reserve') AND park_code IS NOT NULL;
