package allocation

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/amount"
)

func TestDefaultPolicyValid(t *testing.T) {
	p := DefaultPolicy(2025)
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, f := range p.Factors {
		if f.Role == RoleShare {
			sum += f.Weight
		} else if f.Role != RoleCoefficient || f.Name.Extensive() {
			t.Errorf("factor %s has role %q", f.Name, f.Role)
		}
	}
	if p.SupplyRate.Floor != 0.60 || p.UndergroundNeedsQuota || math.Abs(sum-1) > 1e-12 || len(p.Factors) != len(FactorNames()) {
		t.Fatalf("defaults: %+v", p)
	}
}

func invalidField(t *testing.T, err error) (string, string) {
	t.Helper()
	var pe *planning.Error
	if !errors.As(err, &pe) || pe.Code != planning.ErrInvalid {
		t.Fatalf("want an invalid *planning.Error, got %v", err)
	}
	f, _ := pe.Details["field"].(string)
	return f, pe.Message
}

func TestPolicyValidate(t *testing.T) {
	cases := []struct {
		field, msg string
		edit       func(*Policy)
	}{
		{"factors[2].weight", "factors[2].weight: must be >= 0", func(p *Policy) { p.Factors[2].Weight = -0.1 }},
		{"factors", "share factors must sum to 1", func(p *Policy) { p.Factors[0].Weight = 0.1 }},
		{"factors[1].name", "unknown factor", func(p *Policy) { p.Factors[1].Name = "population" }},
		{"factors[1].name", "duplicate factor", func(p *Policy) { p.Factors[1].Name = p.Factors[0].Name }},
		{"version", "must be >= 1", func(p *Policy) { p.Version = 0 }},
		{"reserve_share", "within [0, 1]", func(p *Policy) { p.ReserveShare = 1.5 }},
		{"supply_rate.floor", "within [0, 1]", func(p *Policy) { p.SupplyRate.Floor = -0.1 }},
		{"supply_rate.action", "must be", func(p *Policy) { p.SupplyRate.Action = "stop" }},
		{"supply_rate.cut_fraction", "within [0, 1]", func(p *Policy) { p.SupplyRate.CutFraction = 2 }},
		{"supply_rate.exempt_categories[0]", "unknown category", func(p *Policy) { p.SupplyRate.ExemptCategories = []Category{"schools"} }},
		{"scoring.categories[4].category", "unknown category \"shops\"", func(p *Policy) { p.Scoring.Categories[4].Category = "shops" }},
		{"scoring.categories[0].points", "within [0, 1000]", func(p *Policy) { p.Scoring.Categories[0].Points = -1 }},
		{"scoring.tax_per_mu_reference", "must be > 0", func(p *Policy) { p.Scoring.TaxPerMuReference = 0 }},
		{"tilt[0].multiplier", "must be > 0", func(p *Policy) { p.Tilt[0].Multiplier = 0 }},
		{"tilt[1].category", "duplicate category", func(p *Policy) { p.Tilt[1].Category = p.Tilt[0].Category }},
		{"grants", "missing category \"general\"", func(p *Policy) { p.Grants = p.Grants[:4] }},
		{"grants[0].min_fraction", "must be 0 with mode", func(p *Policy) { p.Grants[0].MinFraction = 0.5 }},
		{"grants[1].mode", "must be", func(p *Policy) { p.Grants[1].Mode = "some" }},
		{"accounts[0].floor_m2", "must be <= cap_m2", func(p *Policy) {
			c := amount.FromM2(100)
			p.Accounts = []AccountLimit{{AccountID: "330108", Floor: amount.FromM2(200), Cap: &c}}
		}},
		{"accounts[1].account_id", "duplicate account", func(p *Policy) {
			p.Accounts = []AccountLimit{{AccountID: "330108"}, {AccountID: "330108"}}
		}},
		{"park_earmark.share", "within [0, 1]", func(p *Policy) { p.ParkEarmark.Share = -0.01 }},
		{"park_earmark.share", "must be <= reserve_share", func(p *Policy) { p.ParkEarmark.Share = 0.2 }},
		{"park_earmark.categories[1]", "unknown category \"parks\"", func(p *Policy) { p.ParkEarmark.Categories[1] = "parks" }},
		{"park_earmark.categories[2]", "duplicate category", func(p *Policy) { p.ParkEarmark.Categories[2] = p.ParkEarmark.Categories[0] }},
		{"carry_over.share", "carry_over.share: must be within [0, 1]", func(p *Policy) { p.CarryOver.Share, p.CarryOver.Document = 1.5, "杭规资〔2026〕1号" }},
		{"carry_over.document", "required when share > 0", func(p *Policy) { p.CarryOver.Share = 0.5 }},
		{"stock_linkage.reward_ratio", "within [0, 1]", func(p *Policy) { p.StockLinkage.RewardRatio = 2 }},
	}
	for _, c := range cases {
		p := DefaultPolicy(2025)
		c.edit(&p)
		f, msg := invalidField(t, p.Validate())
		if f != c.field || !strings.HasPrefix(msg, c.field+": ") || !strings.Contains(msg, c.msg) {
			t.Errorf("%s: got field %q message %q", c.field, f, msg)
		}
	}
	// Several problems: all listed.
	p := DefaultPolicy(2025)
	p.Version, p.ReserveShare = 0, -1
	var pe *planning.Error
	if err := p.Validate(); !errors.As(err, &pe) || len(pe.Details["problems"].([]problem)) != 2 {
		t.Fatalf("problems: %v", err)
	}
}

func TestDecodePolicy(t *testing.T) {
	p := DefaultPolicy(2026)
	c := amount.FromM2(50000.005)
	p.Accounts = []AccountLimit{{AccountID: "330111/BINFU", Floor: amount.FromM2(20000), Cap: &c}}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"cap_m2":50000.01`) || !strings.Contains(string(b), `"reserve_share":0.1`) {
		t.Fatalf("json: %s", b)
	}
	got, err := DecodePolicy(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Fatalf("round trip:\n%+v\n%+v", got, p)
	}

	bad := []struct{ json, field, msg string }{
		{`{"version":1,"factors":[{"name":"tax_per_mu","weight":1},{"name":"x","wieght":1}]}`, "factors[1].wieght", "unknown field"},
		{`{"Version":1}`, "Version", "unknown field"},
		{`{"reserve_share":"0.1"}`, "reserve_share", "expected a number, got a JSON string"},
		{`{"version":1.5}`, "version", "expected an integer"},
		{`{"accounts":[{"account_id":"x","cap_m2":"big"}]}`, "accounts[0].cap_m2", "want a number of square metres"},
		{`{"tilt":{"category":"general"}}`, "tilt", "expected an array, got a JSON object"},
		{`{"supply_rate":{"floor":0.6,"exempt":[]}}`, "supply_rate.exempt", "unknown field"},
		{`[]`, "", "must be a JSON object"},
		{`{"version":1} {}`, "", "more than one JSON value"},
		{`{"version":`, "", "JSON"},
	}
	for _, c := range bad {
		_, err := DecodePolicy([]byte(c.json))
		f, msg := invalidField(t, err)
		if f != c.field || !strings.Contains(msg, c.msg) {
			t.Errorf("%s: field %q message %q", c.json, f, msg)
		}
	}
	// A policy stored before the earmark and year-end rules existed takes
	// their defaults: no earmark, the three earmark categories, withholding
	// below the floor, nothing carried over.
	old := DefaultPolicy(2026)
	ob, _ := json.Marshal(old)
	var generic map[string]any
	if err := json.Unmarshal(ob, &generic); err != nil {
		t.Fatal(err)
	}
	delete(generic, "park_earmark")
	delete(generic, "carry_over")
	delete(generic, "stock_linkage")
	ob, _ = json.Marshal(generic)
	got, err = DecodePolicy(ob)
	if err != nil {
		t.Fatal(err)
	}
	if got.ParkEarmark.Share != 0 || !reflect.DeepEqual(got.ParkEarmark.Categories, DefaultEarmarkCategories()) ||
		!got.StockLinkage.WithholdBelowFloor || got.StockLinkage.RewardRatio != 0 || got.CarryOver.Share != 0 {
		t.Fatalf("defaults of an old policy: %+v %+v %+v", got.ParkEarmark, got.CarryOver, got.StockLinkage)
	}
	generic["carry_over"] = map[string]any{"share": 1.2, "document": "杭规资〔2026〕1号"}
	ob, _ = json.Marshal(generic)
	if _, err := DecodePolicy(ob); err == nil || err.Error() != "carry_over.share: must be within [0, 1]" {
		t.Errorf("carry_over above 1: %v", err)
	}
	// A well-formed policy that does not validate.
	p.Factors[0].Weight = 0.4
	b, _ = json.Marshal(p)
	if f, _ := invalidField(t, func() error { _, err := DecodePolicy(b); return err }()); f != "factors" {
		t.Errorf("validation through decode: %q", f)
	}
}

func TestArea(t *testing.T) {
	for _, c := range []struct {
		m2   float64
		want Area
	}{
		{1.005, 101}, {-1.005, -101}, {0.125, 13}, {2.675, 268}, {0.004, 0}, {0.005, 1}, {666.6666666, 66667}, {1e9, MaxArea}, {0, 0},
	} {
		if got := amount.FromM2(c.m2); got != c.want {
			t.Errorf("amount.FromM2(%v) = %d, want %d", c.m2, got, c.want)
		}
	}
	h := AreaPerHectare
	if h.Mu() != 15 || h.Hectares() != 1 || h.M2() != 10000 {
		t.Errorf("units: %v %v %v", h.Mu(), h.Hectares(), h.M2())
	}
	if s := amount.FromM2(123456.78).String(); s != "12.35 hm² (185.19 mu)" {
		t.Errorf("String: %s", s)
	}
	if s := amount.FormatHaMu(amount.FromM2(666.67), true); s != "0.07 公顷（1.00 亩）" {
		t.Errorf("zh: %s", s)
	}
	for _, a := range []Area{0, 1, -1, 12345, -12345, MaxArea} {
		b, _ := json.Marshal(a)
		var back Area
		if err := json.Unmarshal(b, &back); err != nil || back != a {
			t.Errorf("json %d -> %s -> %d (%v)", a, b, back, err)
		}
	}
	var a Area
	if err := json.Unmarshal([]byte("1.5e3"), &a); err != nil || a != 150000 {
		t.Errorf("exponent: %d %v", a, err)
	}
	if err := json.Unmarshal([]byte(`"12"`), &a); err == nil {
		t.Error("string accepted as area")
	}
}

// Roles: shares only for areas, coefficients and thresholds only for
// ratios, a threshold only with its role; errors name the JSON path.
func TestFactorRolesValidate(t *testing.T) {
	thr := 20.0
	rate := 1.2
	cases := []struct {
		field, msg string
		edit       func(*Policy)
	}{
		{"factors[3].role", "is a ratio", func(p *Policy) { p.Factors[3].Role = RoleShare }},
		{"factors[0].role", "is an area", func(p *Policy) { p.Factors[0].Role = RoleCoefficient }},
		{"factors[2].role", "is an area", func(p *Policy) { p.Factors[2].Role, p.Factors[2].Threshold = RoleThreshold, &thr }},
		{"factors[4].role", "must be", func(p *Policy) { p.Factors[4].Role = "bonus" }},
		{"factors[4].threshold", "required with role", func(p *Policy) { p.Factors[4].Role = RoleThreshold }},
		{"factors[4].threshold", "only a factor with role", func(p *Policy) { p.Factors[4].Threshold = &thr }},
		{"factors[3].threshold", "within [0, 1]", func(p *Policy) { p.Factors[3].Role, p.Factors[3].Threshold = RoleThreshold, &rate }},
		{"factors[5].weight", "must be <= 1", func(p *Policy) { p.Factors[5].Weight = 2 }},
		{"factors", "at least one share factor", func(p *Policy) { p.Factors = p.Factors[3:] }},
		{"factors", "share factors must sum to 1", func(p *Policy) { p.Factors[1].Weight = 0.5 }},
	}
	for _, c := range cases {
		p := DefaultPolicy(2025)
		c.edit(&p)
		f, msg := invalidField(t, p.Validate())
		if f != c.field || !strings.Contains(msg, c.msg) || !strings.HasPrefix(msg, c.field+": ") {
			t.Errorf("%s: field %q message %q", c.field, f, msg)
		}
	}
	// Coefficient exponents are not shares: they need not sum to anything.
	p := DefaultPolicy(2025)
	p.Factors[3].Weight, p.Factors[4].Role, p.Factors[4].Threshold = 0, RoleThreshold, &thr
	if err := p.Validate(); err != nil {
		t.Error(err)
	}
}

// A policy stored before roles decodes: ratios become coefficients with
// their weight as exponent, the share weights are rescaled to sum to 1,
// and the decoded policy names every role.
func TestDecodeLegacyFactors(t *testing.T) {
	body := func(factors string) []byte {
		b, _ := json.Marshal(DefaultPolicy(2025))
		var g map[string]any
		if err := json.Unmarshal(b, &g); err != nil {
			t.Fatal(err)
		}
		var fs any
		if err := json.Unmarshal([]byte(factors), &fs); err != nil {
			t.Fatal(err)
		}
		g["factors"] = fs
		b, _ = json.Marshal(g)
		return b
	}
	// The default factors of the earlier engine.
	p, err := DecodePolicy(body(`[{"name":"supply_rate_5y","weight":0.2},{"name":"unsupplied_disposed","weight":0.2},
		{"name":"idle_disposed","weight":0.1},{"name":"tax_per_mu","weight":0.2},{"name":"project_need","weight":0.3}]`))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		role FactorRole
		w    float64
	}{{RoleCoefficient, 0.2}, {RoleShare, 0.2 / 0.6}, {RoleShare, 0.1 / 0.6}, {RoleCoefficient, 0.2}, {RoleShare, 0.3 / 0.6}}
	for i, w := range want {
		if f := p.Factors[i]; f.Role != w.role || math.Abs(f.Weight-w.w) > 1e-12 {
			t.Errorf("factors[%d] = %+v, want %v %v", i, f, w.role, w.w)
		}
	}
	b, _ := json.Marshal(p)
	if !strings.Contains(string(b), `{"name":"supply_rate_5y","role":"coefficient","weight":0.2}`) {
		t.Errorf("re-encoded: %s", b)
	}
	// Ratios only: the split falls back on project need.
	p, err = DecodePolicy(body(`[{"name":"supply_rate_5y","weight":0.5},{"name":"tax_per_mu","weight":0.5}]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Factors) != 3 || p.Factors[2] != (Factor{Name: FactorProjectNeed, Role: RoleShare, Weight: 1}) {
		t.Errorf("ratios only: %+v", p.Factors)
	}
	// Weights that did not sum to 1 were never valid: not rescaled.
	_, err = DecodePolicy(body(`[{"name":"supply_rate_5y","weight":0.2},{"name":"project_need","weight":0.3}]`))
	if f, msg := invalidField(t, err); f != "factors" || !strings.Contains(msg, "got 0.3") {
		t.Errorf("invalid legacy weights: %q %q", f, msg)
	}
	// Once one factor names a role the policy is not legacy: the others'
	// roles are inferred and nothing is rescaled.
	p, err = DecodePolicy(body(`[{"name":"project_need","weight":0.6},{"name":"idle_disposed","role":"share","weight":0.4},
		{"name":"tax_per_mu","weight":0.3},{"name":"supply_rate_5y","role":"threshold","weight":1,"threshold":0.6}]`))
	if err != nil {
		t.Fatal(err)
	}
	if p.Factors[0].Role != RoleShare || p.Factors[0].Weight != 0.6 || p.Factors[2].Role != RoleCoefficient || *p.Factors[3].Threshold != 0.6 {
		t.Errorf("mixed: %+v", p.Factors)
	}
	_, err = DecodePolicy(body(`[{"name":"project_need","role":"share","weight":1,"threshold":"high"}]`))
	if f, msg := invalidField(t, err); f != "factors[0].threshold" || !strings.Contains(msg, "expected a number") {
		t.Errorf("threshold string: %q %q", f, msg)
	}
}
