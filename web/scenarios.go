package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/quota"
)

func (s *Server) mountScenarios(r chi.Router) {
	r.Get("/policies/{year}", s.getPolicy)
	r.Put("/policies/{year}", s.putPolicy)
	r.Get("/plans/{year}/scenarios", s.getScenarios)
	r.Post("/plans/{year}/scenarios", s.postScenario)
	r.Get("/scenarios/{id}", s.getScenario)
	r.Get("/scenarios/{a}/compare/{b}", s.compareScenarios)
	r.Post("/scenarios/{id}/approve", s.approveScenario)
}

func yearParam(r *http.Request) (int, error) {
	year, err := strconv.Atoi(chi.URLParam(r, "year"))
	if err != nil || year < 2000 || year > 2100 {
		return 0, invalidParam("year", "%q is not a plan year", chi.URLParam(r, "year"))
	}
	return year, nil
}

// getPolicy answers the latest (or ?version=) stored policy of a year with
// the list of versions; before any is stored, the documented default.
func (s *Server) getPolicy(w http.ResponseWriter, r *http.Request) {
	year, err := yearParam(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	version := 0
	if v := r.URL.Query().Get("version"); v != "" {
		if version, err = strconv.Atoi(v); err != nil || version < 1 {
			writeError(w, r, s.log, invalidParam("version", "%q is not a policy version", v))
			return
		}
	}
	versions, err := s.store.PolicyVersions(r.Context(), year)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	pv, err := s.store.Policy(r.Context(), year, version)
	if planning.CodeOf(err) == planning.ErrNotFound && version == 0 {
		writeJSON(w, http.StatusOK, map[string]any{"year": year, "version": 0, "stored": false,
			"policy": allocation.DefaultPolicy(year), "versions": versions})
		return
	}
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"year": year, "version": pv.Version, "stored": true, "policy": pv.Policy,
		"note": pv.Note, "created_by": pv.CreatedBy, "created_at": pv.CreatedAt, "versions": versions})
}

// putPolicy stores {"policy": {...}, "note": "..."} as the year's next
// version (admins only); old versions stay for the scenarios run on them.
func (s *Server) putPolicy(w http.ResponseWriter, r *http.Request) {
	if err := planning.Require(r.Context(), planning.RoleAdmin); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	year, err := yearParam(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	var req struct {
		Policy json.RawMessage `json:"policy"`
		Note   string          `json:"note"`
	}
	if err := decodeStrictJSON(r, &req); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if len(req.Policy) == 0 {
		writeError(w, r, s.log, planning.Errorf(planning.ErrInvalid, "policy: the policy object is missing").WithDetail("field", "policy"))
		return
	}
	pv, err := s.store.SavePolicy(r.Context(), year, req.Policy, req.Note, username(r))
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusCreated, pv)
}

func (s *Server) getScenarios(w http.ResponseWriter, r *http.Request) {
	year, kind, err := planParams(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	list, err := s.store.Scenarios(r.Context(), year, kind)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"scenarios": list})
}

// postScenario runs the allocation engine on the plan as it stands and
// saves the result as a draft scenario.
func (s *Server) postScenario(w http.ResponseWriter, r *http.Request) {
	if err := planning.Require(r.Context(), planning.RoleAllocator); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	year, kind, err := planParams(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	var req struct {
		Method        allocation.Method `json:"method"`
		PolicyVersion int               `json:"policy_version"`
		Name          string            `json:"name"`
	}
	if err := decodeStrictJSON(r, &req); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if req.Method == "" {
		req.Method = allocation.MethodPriority
	}
	if !req.Method.Valid() {
		writeError(w, r, s.log, planning.Errorf(planning.ErrInvalid, "method: %q is not priority or optimal", req.Method).WithDetail("field", "method"))
		return
	}
	pv, err := s.store.Policy(r.Context(), year, req.PolicyVersion)
	if err != nil {
		if planning.CodeOf(err) == planning.ErrNotFound {
			err = planning.Errorf(planning.ErrNotFound, "%s; an admin stores one with PUT /api/policies/%d", err, year)
		}
		writeError(w, r, s.log, err)
		return
	}
	in, mark, err := s.store.AllocationInput(r.Context(), year, kind, pv.Policy)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	res, err := allocation.Run(in, pv.Policy, req.Method)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	sc, err := s.store.SaveScenario(r.Context(), quota.Scenario{Year: year, Kind: kind, PolicyVersion: pv.Version,
		Method: req.Method, Name: req.Name, LedgerMark: mark, CreatedBy: username(r), Input: &in, Result: res})
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	sc.Input = nil
	writeJSON(w, http.StatusCreated, sc)
}

func scenarioID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil {
		return 0, planning.Errorf(planning.ErrNotFound, "no scenario %q", chi.URLParam(r, name))
	}
	return id, nil
}

func (s *Server) getScenario(w http.ResponseWriter, r *http.Request) {
	id, err := scenarioID(r, "id")
	xlsx := false
	if err == nil {
		xlsx, err = wantsXLSX(r)
	}
	if err == nil {
		var sc quota.Scenario
		if sc, err = s.store.Scenario(r.Context(), id, r.URL.Query().Get("input") == "true"); err == nil {
			if xlsx {
				s.sendSheets(w, r, fmt.Sprintf("分配方案 %d（%d 年度）", sc.ID, sc.Year), fmt.Sprintf("landquota-scenario-%d", sc.ID), scenarioTables(sc))
				return
			}
			writeJSON(w, http.StatusOK, sc)
			return
		}
	}
	writeError(w, r, s.log, err)
}

func (s *Server) compareScenarios(w http.ResponseWriter, r *http.Request) {
	var sc [2]quota.Scenario
	for i, name := range []string{"a", "b"} {
		id, err := scenarioID(r, name)
		if err == nil {
			sc[i], err = s.store.Scenario(r.Context(), id, false)
		}
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
	}
	xlsx, err := wantsXLSX(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	cmp := quota.Compare(sc[0], sc[1])
	if xlsx {
		s.sendSheets(w, r, fmt.Sprintf("方案比较 %d 与 %d", sc[0].ID, sc[1].ID), fmt.Sprintf("landquota-compare-%d-%d", sc[0].ID, sc[1].ID),
			[]sheet{compareTable(cmp)})
		return
	}
	writeJSON(w, http.StatusOK, cmp)
}

func (s *Server) approveScenario(w http.ResponseWriter, r *http.Request) {
	if err := planning.Require(r.Context(), planning.RoleAllocator); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	id, err := scenarioID(r, "id")
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	sc, err := s.store.ApproveScenario(r.Context(), id, username(r))
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, sc)
}
