-- Reserved for the search branch (029): this placeholder keeps 030 reachable on
-- the import branch alone; drop it when merging after search.
SELECT 1;
