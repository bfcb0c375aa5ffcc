-- The protected-line tolerance gets a route and a command (PUT
-- /api/eligibility/policy, `landquota policy tolerance`): the policy row
-- keeps who set it beside when, and a change of it is a change of the
-- parcels layer as served. The layers' `eligible` filter (GeoJSON, OGC
-- items, exports) reads the policy when it runs, so their ETags, made from
-- layer_versions, must move with it; the tiles do not show eligibility and
-- are left alone (no notification).

ALTER TABLE eligibility_policy ADD COLUMN updated_by text NOT NULL DEFAULT '';
COMMENT ON COLUMN eligibility_policy.updated_by IS 'who set the tolerance last: a username, cli, or empty when only the migrations did';

CREATE TRIGGER eligibility_policy_version AFTER UPDATE ON eligibility_policy
  FOR EACH STATEMENT EXECUTE FUNCTION lq_bump_layer_version('parcels');
