package web

import (
	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/planning"
)

// apiRoute is one endpoint under /api, declared once: the least role that
// may call it, the bound of the JSON body it reads, and its handler.
type apiRoute struct {
	method, pattern string
	role            planning.Role // "": anyone (the handler may ask more, e.g. by what is booked)
	body            int64         // the largest JSON body it reads, in bytes; 0: it reads none
	h               handlerFunc
}

const (
	anyone planning.Role = ""
	noBody int64         = 0
)

// apiRoutes is the API apart from login and users (auth.go) and uploads
// (imports.go). Reads are public, like the map layers; the planners' two
// POSTs only read too (their bodies carry a drawn shape).
func (s *Server) apiRoutes() []apiRoute {
	admin, allocator := planning.RoleAdmin, planning.RoleAllocator
	return []apiRoute{
		{"GET", "/meta", anyone, noBody, s.meta},
		{"GET", "/layers/{layer}", anyone, noBody, s.layer},
		{"GET", "/tiles/stats", anyone, noBody, s.tileStats},

		// The planning year (plans.go, quota.go): plans opened with their
		// document, the ledger, grants to projects, the year end, and the
		// parcel approvals that consume quota.
		{"GET", "/plans", anyone, noBody, s.getPlans},
		{"POST", "/plans", admin, maxJSONBody, s.postPlan},
		{"GET", "/plans/{year}", anyone, noBody, s.getPlan},
		{"GET", "/plans/{year}/accounts", anyone, noBody, s.getAccounts},
		{"GET", "/plans/{year}/ledger", anyone, noBody, s.getLedger},
		{"POST", "/plans/{year}/ledger", allocator, maxJSONBody, s.postLedger},
		{"POST", "/plans/{year}/ledger/{id}/reverse", allocator, maxJSONBody, s.postReverse},
		{"GET", "/plans/{year}/close", anyone, noBody, s.getClose},
		{"POST", "/plans/{year}/close", admin, maxJSONBody, s.postClose},
		{"POST", "/parcels/{id}/status", allocator, maxJSONBody, s.postParcelStatus},
		{"POST", "/grants", allocator, maxJSONBody, s.postGrant},
		{"GET", "/projects", anyone, noBody, s.getProjects},
		{"POST", "/projects", allocator, maxJSONBody, s.postProject},
		{"GET", "/projects/{id}", anyone, noBody, s.getProject},
		{"PUT", "/projects/{id}/parcels", allocator, maxJSONBody, s.putProjectParcels},

		// Allocation policies and scenarios (scenarios.go).
		{"GET", "/policies/{year}", anyone, noBody, s.getPolicy},
		{"PUT", "/policies/{year}", admin, maxJSONBody, s.putPolicy},
		{"GET", "/plans/{year}/scenarios", anyone, noBody, s.getScenarios},
		{"POST", "/plans/{year}/scenarios", allocator, maxJSONBody, s.postScenario},
		{"GET", "/scenarios/{id}", anyone, noBody, s.getScenario},
		{"GET", "/scenarios/{a}/compare/{b}", anyone, noBody, s.compareScenarios},
		{"POST", "/scenarios/{id}/approve", allocator, noBody, s.approveScenario},

		// The planners' questions (search.go, stock.go, reports.go).
		{"POST", "/parcels/search", anyone, maxJSONBody, s.searchParcels},
		{"POST", "/eligibility", anyone, maxJSONBody, s.eligibility},
		{"GET", "/stock", anyone, noBody, s.stockLayer},
		{"GET", "/stock/summary", anyone, noBody, s.stockSummary},
		{"GET", "/reports/{year}", anyone, noBody, s.yearReport},

		// Facts an admin records (events.go, classes.go, enclaves.go,
		// affordable.go, eligibility_policy.go).
		{"GET", "/parcels/{id}/events", anyone, noBody, s.parcelEvents},
		{"POST", "/parcels/{id}/events", admin, maxJSONBody, s.addParcelEvent},
		{"GET", "/land-use-classes/local", anyone, noBody, localClasses.get(s)},
		{"POST", "/land-use-classes", admin, maxJSONBody, localClasses.post(s)},
		{"GET", "/enclaves", anyone, noBody, enclaves.get(s)},
		{"POST", "/enclaves", admin, maxJSONBody, enclaves.post(s)},
		{"GET", "/affordable-housing/{year}", anyone, noBody, s.withAffordable(affordableTarget)},
		{"PUT", "/affordable-housing/{year}", admin, maxJSONBody, s.withAffordable(setAffordableTarget)},
		{"GET", "/eligibility/policy", anyone, noBody, s.withTolerancePolicy(tolerancePolicy)},
		{"PUT", "/eligibility/policy", admin, maxPolicyBody, s.withTolerancePolicy(setTolerancePolicy)},
	}
}

// mountRoutes adds routes to r, each behind its role check and, when it
// reads a body, with its bound (handleJSON).
func (s *Server) mountRoutes(r chi.Router, routes []apiRoute) {
	for _, rt := range routes {
		h := s.handle(rt.h)
		if rt.body > 0 {
			h = s.handleJSON(rt.body, rt.h)
		}
		if rt.role != anyone {
			r.With(s.requireRole(rt.role)).Method(rt.method, rt.pattern, h)
		} else {
			r.Method(rt.method, rt.pattern, h)
		}
	}
}
