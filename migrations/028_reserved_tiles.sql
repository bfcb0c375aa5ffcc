-- Reserved for the tiles branch (028): this placeholder keeps 030 reachable on
-- the import branch alone; drop it when merging after tiles.
SELECT 1;
