package allocation

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hangzhou-hitech/landquota/planning/amount"
)

// genOptions shapes a random instance.
type genOptions struct {
	districts   int
	parks       int     // park earmarks per district (at most)
	exactParks  bool    // exactly parks earmarks per district
	nested      bool    // allow sub-earmarks inside parks
	projects    int     // number of projects
	small       bool    // small round needs (brute-force tests)
	divisible   bool    // every category partial with min fraction 0
	supplyRatio float64 // available / eligible need
	limits      bool    // random floors and caps
}

// genInstance builds a realistic random instance with a fixed seed.
func genInstance(seed uint64, o genOptions) (Input, Policy) {
	rng := rand.New(rand.NewPCG(seed, seed*0x9e3779b97f4a7c15+1))
	p := DefaultPolicy(2025)
	if rng.IntN(2) == 0 {
		p.SupplyRate.Action = ActionCut
		p.SupplyRate.CutFraction = []float64{0.3, 0.5, 0.25, 1}[rng.IntN(4)]
	}
	if rng.IntN(4) == 0 {
		p.SupplyRate.ExemptCategories = []Category{LivelihoodInfrastructure}
	}
	if o.divisible {
		for i := range p.Grants {
			p.Grants[i] = GrantRule{Category: p.Grants[i].Category, Mode: PartialGrant, MinFraction: 0}
		}
	} else if o.small {
		for i := range p.Grants {
			switch rng.IntN(3) {
			case 0:
				p.Grants[i].Mode, p.Grants[i].MinFraction = AllOrNothing, 0
			case 1:
				p.Grants[i].Mode, p.Grants[i].MinFraction = PartialGrant, []float64{0, 0.3, 0.5, 0.75}[rng.IntN(4)]
			}
		}
	}
	in := Input{Year: 2025, Kind: QuotaNewConstruction}
	type acc struct {
		id       string
		district bool
	}
	var accs []acc
	for d := 0; d < o.districts; d++ {
		id := fmt.Sprintf("33%04d", 100+d*7%97)
		for _, a := range in.Accounts {
			if a.ID == id {
				id += "x"
			}
		}
		in.Accounts = append(in.Accounts, Account{
			ID: id, Kind: AccountDistrict, Name: "District " + id,
			Facts: AccountFacts{
				SupplyRate5y:       0.45 + 0.5*rng.Float64(),
				UnsuppliedDisposed: amount.FromM2(float64(rng.IntN(500_000))),
				IdleDisposed:       amount.FromM2(float64(rng.IntN(200_000))),
				TaxPerMu:           10 + 70*rng.Float64(),
				ValueAddedPerMu:    50 + 250*rng.Float64(),
			},
		})
		accs = append(accs, acc{id, true})
		np := 0
		if o.exactParks {
			np = o.parks
		} else if o.parks > 0 {
			np = rng.IntN(o.parks + 1)
		}
		for k := 0; k < np; k++ {
			pid := fmt.Sprintf("%s/P%d", id, k)
			in.Accounts = append(in.Accounts, Account{ID: pid, ParentID: id, Kind: AccountPark, Name: "Park " + pid, ReceivesTilt: rng.IntN(3) > 0})
			accs = append(accs, acc{pid, false})
			if o.nested && rng.IntN(3) == 0 {
				sid := pid + "/B"
				in.Accounts = append(in.Accounts, Account{ID: sid, ParentID: pid, Kind: AccountPark, Name: "Block " + sid})
				accs = append(accs, acc{sid, false})
			}
		}
	}
	cats := []Category{General, General, General, General, ImportantManufacturing, ImportantManufacturing, MajorIndustrial, LivelihoodInfrastructure, LivelihoodInfrastructure, AffordableHousing}
	var eligible Area
	for i := 0; i < o.projects; i++ {
		cat := cats[rng.IntN(len(cats))]
		var need Area
		if o.small {
			need = Area(100 * (1 + rng.IntN(20)))
		} else {
			mu := math.Exp(math.Log(20) + rng.NormFloat64())
			mu = math.Min(math.Max(mu, 1), 600)
			if cat == MajorIndustrial {
				mu = math.Min(mu*3, 900)
			}
			need = amount.FromM2(math.Round(mu * 10000 / 15))
		}
		if rng.IntN(50) == 0 {
			need = 0
		}
		pr := Project{
			ID:              int64(1000 + rng.IntN(1_000_000_000)),
			Name:            fmt.Sprintf("Project %d", i),
			Category:        cat,
			AccountID:       accs[rng.IntN(len(accs))].id,
			ProvincialMajor: rng.IntN(20) == 0 || (cat == MajorIndustrial && rng.IntN(3) == 0),
			NationalKey:     rng.IntN(30) == 0,
			Need:            need,
			Investment:      need.Mu() * (100 + 700*rng.Float64()),
			TaxPerMu:        5 + 95*rng.Float64(),
			Readiness:       math.Round(rng.Float64()*100) / 100,
			Eligible:        rng.IntN(12) > 0,
		}
		if o.small && rng.IntN(3) == 0 {
			// Coarse scores make ties (and equal densities) common.
			pr.TaxPerMu, pr.Readiness, pr.Investment = 50, 1, need.Mu()*500
		}
		if !pr.Eligible {
			pr.FarmlandOverlapM2 = math.Round(rng.Float64()*500000) / 100
			if rng.IntN(2) == 0 {
				pr.RedLineOverlapM2 = math.Round(rng.Float64()*100000) / 100
			}
		} else {
			eligible += need
		}
		// Unique ids.
		for _, q := range in.Projects {
			if q.ID == pr.ID {
				pr.ID++
			}
		}
		in.Projects = append(in.Projects, pr)
	}
	ratio := o.supplyRatio
	if ratio == 0 {
		ratio = 0.5
	}
	in.Available = Area(float64(eligible) * ratio)
	if o.limits {
		for _, a := range accs {
			if rng.IntN(2) == 0 {
				continue
			}
			var dneed Area
			for _, pr := range in.Projects {
				if pr.AccountID == a.id || len(pr.AccountID) > len(a.id) && pr.AccountID[:len(a.id)+1] == a.id+"/" {
					dneed += pr.Need
				}
			}
			l := AccountLimit{AccountID: a.id}
			if !a.district && rng.IntN(2) == 0 {
				l.Floor = Area(float64(dneed) * 0.3 * rng.Float64())
			}
			if rng.IntN(2) == 0 {
				c := l.Floor + Area(float64(dneed)*0.6*rng.Float64())
				if a.district {
					c += Area(float64(in.Available) * 0.3)
				}
				l.Cap = &c
			}
			if l.Floor > 0 || l.Cap != nil {
				p.Accounts = append(p.Accounts, l)
			}
		}
		for i := range in.Accounts {
			if rng.IntN(4) == 0 {
				in.Accounts[i].Held = Area(rng.IntN(200_000))
			}
		}
	}
	return in, p
}
