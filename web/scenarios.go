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
	"github.com/hangzhou-hitech/landquota/planning/service"
)

func yearParam(r *http.Request) (int, error) {
	year, err := strconv.Atoi(chi.URLParam(r, "year"))
	if err != nil || year < 2000 || year > 2100 {
		return 0, invalidParam("year", "%q is not a plan year", chi.URLParam(r, "year"))
	}
	return year, nil
}

// getPolicy answers the latest (or ?version=) stored policy of a year with
// the list of versions; before any is stored, the documented default.
func (s *Server) getPolicy(w http.ResponseWriter, r *http.Request) error {
	year, err := yearParam(r)
	if err != nil {
		return err
	}
	version := 0
	if v := r.URL.Query().Get("version"); v != "" {
		if version, err = strconv.Atoi(v); err != nil || version < 1 {
			return invalidParam("version", "%q is not a policy version", v)
		}
	}
	versions, err := s.store.PolicyVersions(r.Context(), year)
	if err != nil {
		return err
	}
	pv, err := s.store.Policy(r.Context(), year, version)
	if planning.CodeOf(err) == planning.ErrNotFound && version == 0 {
		writeJSON(w, http.StatusOK, map[string]any{"year": year, "version": 0, "stored": false,
			"policy": allocation.DefaultPolicy(year), "versions": versions})
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"year": year, "version": pv.Version, "stored": true, "policy": pv.Policy,
		"note": pv.Note, "created_by": pv.CreatedBy, "created_at": pv.CreatedAt, "versions": versions})
	return nil
}

// putPolicy stores {"policy": {...}, "note": "..."} as the year's next
// version (admins only); old versions stay for the scenarios run on them.
func (s *Server) putPolicy(w http.ResponseWriter, r *http.Request) error {
	year, err := yearParam(r)
	if err != nil {
		return err
	}
	var req struct {
		Policy json.RawMessage `json:"policy"`
		Note   string          `json:"note"`
	}
	if err := decodeStrictJSON(r, &req); err != nil {
		return err
	}
	if len(req.Policy) == 0 {
		return planning.Errorf(planning.ErrInvalid, "policy: the policy object is missing").WithDetail("field", "policy")
	}
	pv, err := s.store.SavePolicy(r.Context(), year, req.Policy, req.Note, username(r))
	return respond(w, http.StatusCreated, pv, err)
}

func (s *Server) getScenarios(w http.ResponseWriter, r *http.Request) error {
	year, kind, err := planParams(r)
	if err != nil {
		return err
	}
	list, err := s.store.Scenarios(r.Context(), year, kind)
	return respond(w, http.StatusOK, map[string]any{"scenarios": list}, err)
}

// postScenario runs the allocation engine on the plan as it stands and
// saves the result as a draft scenario (service.Allocations.Run).
func (s *Server) postScenario(w http.ResponseWriter, r *http.Request) error {
	year, kind, err := planParams(r)
	if err != nil {
		return err
	}
	var req struct {
		Method        allocation.Method `json:"method"`
		PolicyVersion int               `json:"policy_version"`
		Name          string            `json:"name"`
	}
	if err := decodeStrictJSON(r, &req); err != nil {
		return err
	}
	sc, err := s.uc.Allocations.Run(r.Context(), service.Run{Year: year, Kind: kind, Method: req.Method,
		PolicyVersion: req.PolicyVersion, Name: req.Name, By: username(r)})
	if err != nil {
		return err
	}
	sc.Input = nil
	writeJSON(w, http.StatusCreated, sc)
	return nil
}

func (s *Server) getScenario(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", aScenario)
	if err != nil {
		return err
	}
	xlsx, err := wantsXLSX(r)
	if err != nil {
		return err
	}
	sc, err := s.store.Scenario(r.Context(), id, r.URL.Query().Get("input") == "true")
	if err != nil {
		return err
	}
	return jsonOrSheets(w, xlsx, sc, func() error {
		return sheetsDownload(w, fmt.Sprintf("分配方案 %d（%d 年度）", sc.ID, sc.Year), fmt.Sprintf("landquota-scenario-%d", sc.ID), scenarioTables(sc))
	})
}

func (s *Server) compareScenarios(w http.ResponseWriter, r *http.Request) error {
	var ids [2]int64
	for i, name := range []string{"a", "b"} { // both read before either is looked up
		var err error
		if ids[i], err = pathID(r, name, aScenario); err != nil {
			return err
		}
	}
	var sc [2]quota.Scenario
	for i, id := range ids {
		var err error
		if sc[i], err = s.store.Scenario(r.Context(), id, false); err != nil {
			return err
		}
	}
	xlsx, err := wantsXLSX(r)
	if err != nil {
		return err
	}
	cmp := quota.Compare(sc[0], sc[1])
	return jsonOrSheets(w, xlsx, cmp, func() error {
		return sheetsDownload(w, fmt.Sprintf("方案比较 %d 与 %d", sc[0].ID, sc[1].ID), fmt.Sprintf("landquota-compare-%d-%d", sc[0].ID, sc[1].ID),
			[]sheet{compareTable(cmp)})
	})
}

// approveScenario books a scenario's grants, all or none; a stale one is
// refused (service.Allocations.Approve).
func (s *Server) approveScenario(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", aScenario)
	if err != nil {
		return err
	}
	sc, err := s.uc.Allocations.Approve(r.Context(), id, username(r))
	return respond(w, http.StatusOK, sc, err)
}
