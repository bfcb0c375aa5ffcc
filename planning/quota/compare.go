package quota

import (
	"sort"
	"strconv"

	"github.com/hangzhou-hitech/landquota/planning/allocation"
)

// Comparison sets two scenarios side by side: per district, per park and
// per project, what each granted and the difference (B − A).
type Comparison struct {
	ScenarioA int64        `json:"scenario_a"`
	ScenarioB int64        `json:"scenario_b"`
	Totals    CompareRow   `json:"totals"`
	Districts []CompareRow `json:"districts"`
	Parks     []CompareRow `json:"parks"`
	Projects  []CompareRow `json:"projects"` // only those whose grant or outcome differ
}

// CompareRow is one line of a comparison.
type CompareRow struct {
	ID       string             `json:"id"`
	Name     string             `json:"name"`
	GrantedA allocation.Area    `json:"granted_a"`
	GrantedB allocation.Area    `json:"granted_b"`
	Delta    allocation.Area    `json:"delta"`
	OutcomeA allocation.Outcome `json:"outcome_a,omitempty"`
	OutcomeB allocation.Outcome `json:"outcome_b,omitempty"`
}

// Compare lines up two scenarios' results.
func Compare(a, b Scenario) Comparison {
	c := Comparison{ScenarioA: a.ID, ScenarioB: b.ID}
	c.Totals = CompareRow{ID: "total", Name: "合计 / total", GrantedA: a.Result.Granted, GrantedB: b.Result.Granted,
		Delta: b.Result.Granted - a.Result.Granted}
	accounts := map[string]*CompareRow{}
	kinds := map[string]allocation.AccountKind{}
	for i, r := range []allocation.Result{a.Result, b.Result} {
		for _, t := range r.Accounts {
			row := accounts[t.AccountID]
			if row == nil {
				row = &CompareRow{ID: t.AccountID, Name: t.Name}
				accounts[t.AccountID] = row
				kinds[t.AccountID] = t.Kind
			}
			if i == 0 {
				row.GrantedA = t.Granted
			} else {
				row.GrantedB = t.Granted
			}
		}
	}
	for id, row := range accounts {
		row.Delta = row.GrantedB - row.GrantedA
		if kinds[id] == allocation.AccountDistrict {
			c.Districts = append(c.Districts, *row)
		} else {
			c.Parks = append(c.Parks, *row)
		}
	}
	projects := map[int64]*CompareRow{}
	var order []int64
	for i, r := range []allocation.Result{a.Result, b.Result} {
		for _, d := range r.Decisions {
			row := projects[d.ProjectID]
			if row == nil {
				row = &CompareRow{Name: d.Name}
				projects[d.ProjectID] = row
				order = append(order, d.ProjectID)
			}
			if i == 0 {
				row.GrantedA, row.OutcomeA = d.Granted, d.Outcome
			} else {
				row.GrantedB, row.OutcomeB = d.Granted, d.Outcome
			}
		}
	}
	sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
	for _, id := range order {
		row := projects[id]
		row.ID = "P" + strconv.FormatInt(id, 10)
		row.Delta = row.GrantedB - row.GrantedA
		if row.Delta != 0 || row.OutcomeA != row.OutcomeB {
			c.Projects = append(c.Projects, *row)
		}
	}
	byID := func(rows []CompareRow) {
		sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	}
	byID(c.Districts)
	byID(c.Parks)
	return c
}
