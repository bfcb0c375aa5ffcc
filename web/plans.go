package web

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/quota"
)

func (s *Server) getPlans(w http.ResponseWriter, r *http.Request) error {
	plans, err := s.store.Plans(r.Context())
	return respond(w, http.StatusOK, map[string]any{"plans": plans}, err)
}

type planRequest struct {
	Year           int              `json:"year"`
	Kind           quota.Kind       `json:"kind"`
	Name           string           `json:"name"`
	Document       *quota.Document  `json:"document"`
	AmountM2       *json.RawMessage `json:"amount_m2"`
	AmountHa       *json.RawMessage `json:"amount_hm2"`
	AmountMu       *json.RawMessage `json:"amount_mu"`
	IdempotencyKey string           `json:"idempotency_key"`
}

// postPlan opens a year's plan (admin): 201 when it is new, 200 when it
// existed (its accounts are brought up to date with the districts and
// parks as they stand).
func (s *Server) postPlan(w http.ResponseWriter, r *http.Request) error {
	var req planRequest
	if err := decodeStrictJSON(r, &req); err != nil {
		return err
	}
	o := quota.Opening{Year: req.Year, Kind: req.Kind.OrDefault(), Name: req.Name, Document: req.Document, By: username(r),
		IdempotencyKey: idempotencyKey(r, req.IdempotencyKey)}
	var err error
	if o.Issue, err = amountOf(req.AmountM2, req.AmountHa, req.AmountMu); err != nil {
		return err
	}
	plan, accounts, entry, created, err := s.store.OpenPlan(r.Context(), o)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, map[string]any{"plan": plan, "accounts": accounts, "entry": entry})
	return nil
}

// getClose previews the year end: what each account holds, carries over and
// lapses, and the 增存挂钩 adjustment per district. Nothing is booked.
func (s *Server) getClose(w http.ResponseWriter, r *http.Request) error {
	year, kind, err := planParams(r)
	if err != nil {
		return err
	}
	c, err := s.uc.YearEnd.Preview(r.Context(), year, kind)
	return respond(w, http.StatusOK, c, err)
}

// postClose books the year end (admin) and closes the plan.
func (s *Server) postClose(w http.ResponseWriter, r *http.Request) error {
	year, kind, err := planParams(r)
	if err != nil {
		return err
	}
	var req struct {
		IdempotencyKey string `json:"idempotency_key"`
	}
	if err := decodeStrictJSON(r, &req); err != nil {
		return err
	}
	c, err := s.uc.YearEnd.Close(r.Context(), year, kind, username(r))
	return respond(w, http.StatusOK, c, err)
}

type statusRequest struct {
	Status     planning.Status `json:"status"`
	ApprovedOn string          `json:"approved_on"`
	SuppliedOn string          `json:"supplied_on"`
	Reason     string          `json:"reason"`
}

// postParcelStatus moves a parcel through its lifecycle (allocator). When
// it reaches approval for conversion the database books the consumption of
// its quota in the same transaction, or refuses with 409 naming the
// shortfall (无指标不得批地); withdrawing an approval reverses it.
func (s *Server) postParcelStatus(w http.ResponseWriter, r *http.Request) error {
	var req statusRequest
	id, err := pathIDBody(r, aParcel, &req)
	if err != nil {
		return err
	}
	c := quota.StatusChange{ParcelID: id, Status: req.Status, By: username(r)}
	if err := readDays(dayField{"approved_on", req.ApprovedOn, &c.ApprovedOn}, dayField{"supplied_on", req.SuppliedOn, &c.SuppliedOn}); err != nil {
		return err
	}
	res, err := s.store.SetParcelStatus(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"parcel": res, "entries": res.Entries})
	return nil
}

// sendTables answers a plan's table as an xlsx download named after the
// plan.
func sendTables(w http.ResponseWriter, plan quota.Plan, t sheet) error {
	title := fmt.Sprintf("%d 年度%s — %s", plan.Year, plan.Kind.NameZh(), t.TitleZh)
	return sheetsDownload(w, title, fmt.Sprintf("landquota-%d-%s-%s", plan.Year, plan.Kind, t.Key), []sheet{t})
}
