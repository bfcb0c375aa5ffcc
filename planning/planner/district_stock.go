package planner

// DistrictStock is one district's 增存挂钩 stock facts for a year, computed
// by the same rules and sums as the yearly report's stock table (the
// district row: the parcels in the district, whichever park they count in).
// The allocation facts and the year-end close read these.
type DistrictStock struct {
	Adcode string `json:"adcode"`
	// 批而未供 at the start of the year and the part of it supplied by the end.
	UnsuppliedStart    Area     `json:"unsupplied_start"`
	UnsuppliedDisposed Area     `json:"unsupplied_disposed"`
	UnsuppliedRate     *float64 `json:"unsupplied_disposal_rate"` // nil when there was none
	// 闲置 (either cause) at the start and the part of it no longer idle.
	IdleStart    Area     `json:"idle_start"`
	IdleDisposed Area     `json:"idle_disposed"`
	IdleRate     *float64 `json:"idle_disposal_rate"`
	// The five-year supply rate (supplied ÷ approved) ending at the year's
	// end, and whether it is under the floor.
	Approved5y Area     `json:"approved_5y"`
	Supplied5y Area     `json:"supplied_5y"`
	SupplyRate *float64 `json:"supply_rate_5y"`
	BelowFloor bool     `json:"below_floor"`
}

// BuildDistrictStock sums the groups per district the way the report's
// district rows do.
func BuildDistrictStock(r Rules, districts []DistrictInfo, groups []GroupFacts) map[string]DistrictStock {
	out := make(map[string]DistrictStock, len(districts))
	for _, d := range districts {
		var g GroupFacts
		for i := range groups {
			if groups[i].District == d.Adcode {
				g.add(&groups[i])
			}
		}
		ds := DistrictStock{Adcode: d.Adcode,
			UnsuppliedStart: AreaOf(g.UnsuppliedStart.M2), UnsuppliedDisposed: AreaOf(g.UnsuppliedDisposed.M2),
			UnsuppliedRate: ratio(g.UnsuppliedDisposed.M2, g.UnsuppliedStart.M2),
			IdleStart:      AreaOf(g.IdleStart.M2), IdleDisposed: AreaOf(g.IdleDisposed.M2),
			IdleRate:   ratio(g.IdleDisposed.M2, g.IdleStart.M2),
			Approved5y: AreaOf(g.Approved5y.M2), Supplied5y: AreaOf(g.Supplied5y.M2),
			SupplyRate: ratio(g.Supplied5y.M2, g.Approved5y.M2)}
		ds.BelowFloor = ds.SupplyRate != nil && *ds.SupplyRate < r.SupplyRateFloor
		out[d.Adcode] = ds
	}
	return out
}

// DistrictEvaluation is a district's 亩均论英雄 result for a year (万元/亩):
// 亩均税收 tax per mu and 亩均增加值 value added per mu.
type DistrictEvaluation struct {
	Year               int     `json:"year"`
	Adcode             string  `json:"adcode"`
	TaxPerMuWan        float64 `json:"tax_per_mu_wan"`
	ValueAddedPerMuWan float64 `json:"value_added_per_mu_wan"`
}
