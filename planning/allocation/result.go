package allocation

// Outcome is what a project gets.
type Outcome string

const (
	OutcomeGranted Outcome = "granted" // the full need (or no quota needed)
	OutcomePartial Outcome = "partial" // less than the need, at least the minimum partial grant
	OutcomeRefused Outcome = "refused" // cannot get quota this year under the rules (ineligible, suspended)
	OutcomeWaiting Outcome = "waiting" // eligible, but the pool, a cap or the grant rules left nothing for it
)

// Rules that decide a project (Decision.DecidedBy).
const (
	RuleGranted             = "granted"                // full need granted
	RuleNoQuotaNeeded       = "no_quota_needed"        // need 0: built on existing construction land
	RuleIneligible          = "ineligible"             // parcels outside the boundary or on farmland / red line
	RuleSupplyRateSuspended = "supply_rate_suspended"  // 增存挂钩: district suspended, project not exempt
	RuleSupplyRateCut       = "supply_rate_cut"        // 增存挂钩: the ordinary projects' share of a cut district ran out
	RuleAccountExhausted    = "account_exhausted"      // the district pool (and any floor kept for its park) ran out
	RuleAccountCap          = "account_cap"            // the cap of its park earmark was reached
	RuleAllOrNothing        = "all_or_nothing"         // some quota left, less than the full need of an all-or-nothing project
	RuleBelowMinPartial     = "below_min_partial"      // some quota left, less than the minimum partial grant
	RuleNotSelected         = "not_selected"           // optimal only: fits, but a zero score adds nothing
	RuleEarmarkExhausted    = "park_earmark_exhausted" // topped up from the cooperation-park earmark until it ran out
)

// ScoreComponent is one term of a project's policy score. Points add up;
// the "tilt" component is a multiplier applied to their sum.
type ScoreComponent struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Note   string  `json:"note"`
	NoteZh string  `json:"note_zh"`
}

// Decision is the outcome for one project with its explanation.
type Decision struct {
	ProjectID int64    `json:"project_id"`
	Name      string   `json:"name"`
	Category  Category `json:"category"`
	AccountID string   `json:"account_id"`
	// DistrictID is the district whose pool the project draws on.
	DistrictID string  `json:"district_id"`
	Outcome    Outcome `json:"outcome"`
	Need       Area    `json:"need"`
	Granted    Area    `json:"granted"`
	// EarmarkGranted is the part of Granted that came from the
	// cooperation-park earmark (合作园专项), on top of the district pool.
	EarmarkGranted Area `json:"earmark_granted"`
	// Score is the policy score (3 decimals); Components explain it.
	Score      float64          `json:"score"`
	Components []ScoreComponent `json:"components"`
	// Rank is the position in its account (score descending, then project
	// id); PoolRank the position among the projects competing for the
	// district pool (0 when the project did not compete).
	Rank     int `json:"rank"`
	PoolRank int `json:"pool_rank"`
	// Exempt: a national key project (or exempt category) in a district
	// below the 增存挂钩 floor, exempt from the cut and from park floors/caps.
	Exempt        bool   `json:"exempt,omitempty"`
	DecidedBy     string `json:"decided_by"`
	ExplanationZh string `json:"explanation_zh"`
	ExplanationEn string `json:"explanation_en"`
}

// AccountTotal sums one account. District rows hold the quota: Pool is what
// the factor split gave the district, Granted everything its projects (its
// parks' included) received, the park earmark included (Earmark), Left
// what the pool did not grant (Pool − (Granted − Earmark)), which goes
// back to the reserve.
// Park rows are earmarks inside their district and must not be added to it
// again: Pool is the floor kept for the park (after any 增存挂钩 cut),
// Granted what the park's projects (sub-parks included) received, Left the
// unused part of the floor.
type AccountTotal struct {
	AccountID string      `json:"account_id"`
	ParentID  string      `json:"parent_id"`
	Kind      AccountKind `json:"kind"`
	Name      string      `json:"name"`
	// Need is the total need of the account's projects (sub-parks included).
	Need    Area `json:"need"`
	Pool    Area `json:"pool"`
	Granted Area `json:"granted"`
	Left    Area `json:"left"`
	// Earmark is the part of Granted that the account's projects (sub-parks
	// included) received from the cooperation-park earmark.
	Earmark Area `json:"earmark"`
	// Exempt is the part of Granted that went to exempt projects outside
	// the park's floor and cap (增存挂钩 exemption).
	Exempt Area `json:"exempt,omitempty"`
	// Floor and Cap are the effective limits of this run (Cap is the room
	// left under the policy cap after Held); nil Cap means no cap.
	Floor Area  `json:"floor"`
	Cap   *Area `json:"cap,omitempty"`
	Held  Area  `json:"held"`
	// FactorShare is the district's share of the distributable quota by
	// the factor method (0 for parks).
	FactorShare float64  `json:"factor_share"`
	Projects    int      `json:"projects"`
	Notes       []string `json:"notes"`
	NotesZh     []string `json:"notes_zh"`
}

// Result is the outcome of one run. Granted + ReturnedToReserve + Reserve
// == Available, always.
type Result struct {
	Method        Method `json:"method"`
	Year          int    `json:"year"`
	PolicyVersion int    `json:"policy_version"`
	Available     Area   `json:"available"`
	// Reserve is what stays at city level (预留): reserve_share of the
	// available quota less the park earmark.
	Reserve Area `json:"reserve"`
	// ParkEarmark is the part of the reserve_share taken for the parks that
	// receive the tilt (合作园专项): min(reserve, round(Available × share)).
	ParkEarmark Area `json:"park_earmark"`
	// Distributable = Available − Reserve − ParkEarmark, split between
	// districts.
	Distributable Area `json:"distributable"`
	// Granted includes what came from the park earmark.
	Granted Area `json:"granted"`
	// ReturnedToReserve is quota left unused: district pools not granted
	// (including cut quota and unused park floors), what district caps
	// kept out of the split and the unused part of the park earmark.
	ReturnedToReserve Area `json:"returned_to_reserve"`
	// ScoreWeightedHectares is Σ score × granted hm², the quantity the
	// optimal method maximises (comparable between methods).
	ScoreWeightedHectares float64 `json:"score_weighted_hectares"`
	// Exact is false when the optimal method's search stopped at its work
	// budget in some district: the result is then the best allocation
	// found, and GapBound (score × hm², the unit of ScoreWeightedHectares)
	// is a proven bound on how far the true optimum can lie above it.
	// Priority runs are exact with gap 0: they do not optimise.
	Exact     bool           `json:"exact"`
	GapBound  float64        `json:"gap_bound_score_hm2"`
	Decisions []Decision     `json:"decisions"`
	Accounts  []AccountTotal `json:"accounts"`
	Notes     []string       `json:"notes"`
	NotesZh   []string       `json:"notes_zh"`
}
