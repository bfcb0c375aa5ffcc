-- One function answers "how does this outline meet the protected lines":
-- lq_planner_conflicts (007). The two earlier ones asked the same question
-- in slower forms (the zone as the second argument of the spatial tests, so
-- PostGIS could not prepare it); their callers now use lq_planner_conflicts.
DROP FUNCTION lq_parcel_eligible(geometry, double precision);
DROP FUNCTION lq_outline_conflicts(geometry);
