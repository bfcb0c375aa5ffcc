package quota

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/amount"
)

// Year end (年终结转). Closing a plan takes what every account holds and
// splits it by the policy's carry-over share: the carried part leaves the
// closed plan as a carry_over entry and arrives in the same account of the
// next year's plan as a carry_in entry; the rest lapses (作废) with an entry
// saying so. Then 增存挂钩: each district of the city is rewarded in the
// next plan for the stock land (批而未供 and 闲置) it disposed of in the
// closed year, measured by the same rules as the yearly report; a district
// whose 5-year supply rate is below the floor carries nothing over and gets
// no reward when the policy withholds. The closed plan takes no more
// bookings.

// CloseRules are the year-end parts of a year's policy.
type CloseRules struct {
	CarryOverShare     float64 // 0..1 of what each account holds
	Document           string  // the document approving the carry-over
	RewardRatio        float64 // reward = ratio × disposed stock land
	WithholdBelowFloor bool    // below the supply-rate floor: no carry-over, no reward
	SupplyRateFloor    float64
}

// DistrictStock are a district's 增存挂钩 facts of the closed year, from the
// yearly report's stock rules.
type DistrictStock struct {
	District           string
	NameZh, NameEn     string
	UnsuppliedDisposed amount.Area // 批而未供 disposed (supplied) in the year
	IdleDisposed       amount.Area // 闲置 disposed in the year
	SupplyRate5y       *float64
}

// CloseAccount is what one account holds at year end and where it goes.
type CloseAccount struct {
	Code     string      `json:"code"`
	Kind     AccountKind `json:"kind"`
	NameZh   string      `json:"name_zh"`
	NameEn   string      `json:"name_en"`
	District string      `json:"district,omitempty"`
	HeldM2   amount.Area `json:"held_m2"`
	CarryM2  amount.Area `json:"carry_m2"`
	LapseM2  amount.Area `json:"lapse_m2"`
	Withheld bool        `json:"withheld,omitempty"`
}

// LinkageRow is one district's 增存挂钩 adjustment for the next year.
type LinkageRow struct {
	District      string      `json:"district"`
	NameZh        string      `json:"name_zh"`
	NameEn        string      `json:"name_en"`
	DisposedM2    amount.Area `json:"disposed_m2"`
	SupplyRate5y  *float64    `json:"supply_rate_5y"`
	RewardM2      amount.Area `json:"reward_m2"`
	Withheld      bool        `json:"withheld"`
	ExplanationZh string      `json:"explanation_zh"`
	ExplanationEn string      `json:"explanation_en"`
}

// CloseTotals add up a closing.
type CloseTotals struct {
	HeldM2   amount.Area `json:"held_m2"`
	CarryM2  amount.Area `json:"carry_m2"`
	LapseM2  amount.Area `json:"lapse_m2"`
	RewardM2 amount.Area `json:"reward_m2"`
}

// Closing is the preview of a year end, and once done its record.
type Closing struct {
	Year           int            `json:"year"`
	Kind           Kind           `json:"kind"`
	NextYear       int            `json:"next_year"`
	CarryOverShare float64        `json:"carry_over_share"`
	Document       string         `json:"document"`
	Accounts       []CloseAccount `json:"accounts"`
	Linkage        []LinkageRow   `json:"linkage"`
	Totals         CloseTotals    `json:"totals"`
	Closed         bool           `json:"closed"`
}

// PlanClose computes a year end from the accounts of the closing plan and
// the districts' stock facts. The carried part is rounded down to the
// hundredth of a m², so carried + lapsed == held exactly.
func PlanClose(year int, kind Kind, accounts []Account, stock []DistrictStock, r CloseRules) Closing {
	c := Closing{Year: year, Kind: kind, NextYear: year + 1, CarryOverShare: r.CarryOverShare, Document: r.Document,
		Accounts: []CloseAccount{}, Linkage: []LinkageRow{}}
	below := map[string]bool{}
	for _, d := range stock {
		below[d.District] = r.WithholdBelowFloor && d.SupplyRate5y != nil && *d.SupplyRate5y < r.SupplyRateFloor
	}
	for _, a := range accounts {
		if a.HeldM2 <= 0 {
			continue
		}
		ca := CloseAccount{Code: a.Code, Kind: a.Kind, NameZh: a.NameZh, NameEn: a.NameEn, District: a.District, HeldM2: a.HeldM2}
		carry := share(a.HeldM2, r.CarryOverShare)
		if below[a.District] {
			carry, ca.Withheld = 0, true
		}
		ca.CarryM2, ca.LapseM2 = carry, a.HeldM2-carry
		c.Accounts = append(c.Accounts, ca)
		c.Totals.HeldM2 += ca.HeldM2
		c.Totals.CarryM2 += ca.CarryM2
		c.Totals.LapseM2 += ca.LapseM2
	}
	sort.SliceStable(c.Accounts, func(i, j int) bool { return accountOrder(c.Accounts[i]) < accountOrder(c.Accounts[j]) })
	for _, d := range stock {
		disposed := d.UnsuppliedDisposed + d.IdleDisposed
		row := LinkageRow{District: d.District, NameZh: d.NameZh, NameEn: d.NameEn, DisposedM2: disposed, SupplyRate5y: d.SupplyRate5y}
		rate := "无近五年批地"
		rateEn := "no land approved in five years"
		if d.SupplyRate5y != nil {
			rate = fmt.Sprintf("五年供地率 %.1f%%", *d.SupplyRate5y*100)
			rateEn = fmt.Sprintf("five-year supply rate %.1f%%", *d.SupplyRate5y*100)
		}
		switch {
		case below[d.District]:
			row.Withheld = true
			row.ExplanationZh = fmt.Sprintf("%s，低于 %.0f%% 下限：不予结转、不予奖励（增存挂钩）", rate, r.SupplyRateFloor*100)
			row.ExplanationEn = fmt.Sprintf("%s, below the %.0f%% floor: nothing carried over, no reward (增存挂钩)", rateEn, r.SupplyRateFloor*100)
		default:
			row.RewardM2 = share(disposed, r.RewardRatio)
			row.ExplanationZh = fmt.Sprintf("%d 年消化批而未供 %.2f 公顷、处置闲置 %.2f 公顷，按 %.0f%% 奖励 %.2f 公顷（%.2f 亩）；%s",
				year, d.UnsuppliedDisposed.Rounded(amount.Hectare), d.IdleDisposed.Rounded(amount.Hectare), r.RewardRatio*100,
				row.RewardM2.Rounded(amount.Hectare), row.RewardM2.Rounded(amount.Mu), rate)
			row.ExplanationEn = fmt.Sprintf("in %d it supplied %.2f hm² of approved-unsupplied land and disposed of %.2f hm² of idle land: %.0f%% of that, %.2f hm² (%.2f mu), is its reward; %s",
				year, d.UnsuppliedDisposed.Rounded(amount.Hectare), d.IdleDisposed.Rounded(amount.Hectare), r.RewardRatio*100,
				row.RewardM2.Rounded(amount.Hectare), row.RewardM2.Rounded(amount.Mu), rateEn)
		}
		c.Linkage = append(c.Linkage, row)
		c.Totals.RewardM2 += row.RewardM2
	}
	return c
}

// share is the policy's share of an amount, rounded down to the hundredth
// of a m². The share is read as the decimal the policy states (0.3, not
// the float just below it), so 30% of 10 m² is exactly 3 m².
func share(a amount.Area, s float64) amount.Area {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(s, 'g', -1, 64))
	if !ok { // NaN or Inf: the policy's validation refuses them
		return 0
	}
	r.Mul(r, new(big.Rat).SetInt64(int64(a)))
	return amount.Area(new(big.Int).Div(r.Num(), r.Denom()).Int64()) // Div floors for a positive denominator
}

// accountOrder lists the tree top down: city, reserve, districts, parks,
// projects, each by code.
func accountOrder(a CloseAccount) string {
	rank := map[AccountKind]string{AccountCity: "0", AccountReserve: "1", AccountDistrict: "2", AccountPark: "3", AccountProject: "4"}
	return rank[a.Kind] + a.Code
}

// CloseRulesOf reads the year-end rules from a year's policy.
func CloseRulesOf(pol allocation.Policy) CloseRules {
	return CloseRules{CarryOverShare: pol.CarryOver.Share, Document: pol.CarryOver.Document,
		RewardRatio: pol.StockLinkage.RewardRatio, WithholdBelowFloor: pol.StockLinkage.WithholdBelowFloor,
		SupplyRateFloor: pol.SupplyRate.Floor}
}

// Closable refuses to close a plan closed already.
func (p *Plan) Closable() error {
	if p.State == PlanClosed {
		day := ""
		if p.ClosedAt != nil {
			day = p.ClosedAt.Format(time.DateOnly)
		}
		return planning.Errorf(planning.ErrConflict, "the %d %s plan is already closed (on %s by %s)",
			p.Year, p.Kind, day, p.ClosedBy).WithDetail("state", string(p.State))
	}
	return nil
}
