package web

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/quota"
)

// planParams reads the year from the path and the quota kind from ?kind=.
func planParams(r *http.Request) (int, quota.Kind, error) {
	year, err := yearParam(r)
	if err != nil {
		return 0, "", err
	}
	kind := quota.Kind(r.URL.Query().Get("kind")).OrDefault()
	if !kind.Valid() {
		return 0, "", invalidParam("kind", "unknown quota kind %q (new_construction, linkage, farmland_balance)", kind)
	}
	return year, kind, nil
}

// getPlan answers a plan with its accounts; getAccounts the accounts
// alone; both as xlsx on ?format=xlsx.
func (s *Server) getPlan(w http.ResponseWriter, r *http.Request) error {
	return s.planAnswer(w, r, true)
}

func (s *Server) getAccounts(w http.ResponseWriter, r *http.Request) error {
	return s.planAnswer(w, r, false)
}

func (s *Server) planAnswer(w http.ResponseWriter, r *http.Request, withPlan bool) error {
	year, kind, err := planParams(r)
	if err != nil {
		return err
	}
	xlsx, err := wantsXLSX(r)
	if err != nil {
		return err
	}
	plan, accounts, err := s.store.Plan(r.Context(), year, kind)
	if err != nil {
		return err
	}
	body := map[string]any{"accounts": accounts}
	if withPlan {
		body["plan"] = plan
	}
	return jsonOrSheets(w, xlsx, body, func() error { return sendTables(w, plan, accountsTable(accounts)) })
}

func (s *Server) getLedger(w http.ResponseWriter, r *http.Request) error {
	year, kind, err := planParams(r)
	if err != nil {
		return err
	}
	v := r.URL.Query()
	after := int64(0)
	limit, err := countParam(v, "limit", 5000, 200)
	if err != nil {
		return err
	}
	if x := v.Get("after"); x != "" {
		if after, err = strconv.ParseInt(x, 10, 64); err != nil || after < 0 {
			return invalidParam("after", "%q is not an entry id", x)
		}
	}
	xlsx, err := wantsXLSX(r)
	if err != nil {
		return err
	}
	if xlsx && v.Get("limit") == "" {
		limit = 100000 // a download holds the whole ledger
	}
	entries, err := s.store.Ledger(r.Context(), year, kind, v.Get("account"), after, limit)
	if err != nil {
		return err
	}
	body := map[string]any{"entries": entries}
	if len(entries) == limit {
		body["next"] = withParam(r.URL, "after", strconv.FormatInt(entries[len(entries)-1].ID, 10))
	}
	return jsonOrSheets(w, xlsx, body, func() error {
		plan, _, err := s.store.Plan(r.Context(), year, kind)
		if err != nil {
			return err
		}
		return sendTables(w, plan, ledgerTable(entries))
	})
}

// idempotencyKey takes the key from the body or the Idempotency-Key header.
func idempotencyKey(r *http.Request, body string) string {
	if body != "" {
		return body
	}
	return r.Header.Get("Idempotency-Key")
}

type ledgerRequest struct {
	Entry          quota.EntryKind  `json:"entry"`
	From           string           `json:"from"`
	To             string           `json:"to"`
	AmountM2       *json.RawMessage `json:"amount_m2"`
	AmountHa       *json.RawMessage `json:"amount_hm2"`
	AmountMu       *json.RawMessage `json:"amount_mu"`
	Reason         string           `json:"reason"`
	Document       *quota.Document  `json:"document"`
	IdempotencyKey string           `json:"idempotency_key"`
}

// roleFor is the role that may book (and so reverse) entries of a kind:
// province-level moves are admins'.
func roleFor(k quota.EntryKind) planning.Role {
	if k.ProvinceLevel() {
		return planning.RoleAdmin
	}
	return planning.RoleAllocator
}

func (s *Server) postLedger(w http.ResponseWriter, r *http.Request) error {
	year, kind, err := planParams(r)
	if err != nil {
		return err
	}
	var req ledgerRequest
	if err := decodeStrictJSON(r, &req); err != nil {
		return err
	}
	if err := planning.Require(r.Context(), roleFor(req.Entry)); err != nil {
		return err
	}
	a, err := amountOf(req.AmountM2, req.AmountHa, req.AmountMu)
	if err == nil && a == nil {
		err = planning.Errorf(planning.ErrInvalid, "amount: give exactly one of amount_m2, amount_hm2, amount_mu").WithDetail("field", "amount")
	}
	if err != nil {
		return err
	}
	e, err := s.store.Book(r.Context(), quota.Booking{Year: year, Kind: kind, Entry: req.Entry, From: req.From, To: req.To,
		AmountM2: *a, Reason: req.Reason, By: username(r), IdempotencyKey: idempotencyKey(r, req.IdempotencyKey), Document: req.Document})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

type reverseRequest struct {
	Reason         string `json:"reason"`
	IdempotencyKey string `json:"idempotency_key"`
}

func (s *Server) postReverse(w http.ResponseWriter, r *http.Request) error {
	year, kind, err := planParams(r)
	if err != nil {
		return err
	}
	var req reverseRequest
	id, err := pathIDBody(r, aLedgerEntry, &req)
	if err != nil {
		return err
	}
	// Reversing an entry needs the role that may book it.
	orig, err := s.store.Entry(r.Context(), year, kind, id)
	if err == nil {
		err = planning.Require(r.Context(), roleFor(orig.Kind))
	}
	if err != nil {
		return err
	}
	e, err := s.store.Reverse(r.Context(), year, kind, id, req.Reason, username(r), idempotencyKey(r, req.IdempotencyKey))
	return respond(w, http.StatusCreated, e, err)
}

// username is who is acting, for the ledger's "who".
func username(r *http.Request) string {
	if p := planning.PrincipalFrom(r.Context()); p != nil {
		return p.User.Username
	}
	return ""
}

type grantRequest struct {
	Year           int              `json:"year"`
	Kind           quota.Kind       `json:"kind"`
	ProjectID      int64            `json:"project_id"`
	Action         string           `json:"action"` // grant | release
	AmountM2       *json.RawMessage `json:"amount_m2"`
	AmountHa       *json.RawMessage `json:"amount_hm2"`
	AmountMu       *json.RawMessage `json:"amount_mu"`
	Reason         string           `json:"reason"`
	OverrideReason string           `json:"override_reason"`
	IdempotencyKey string           `json:"idempotency_key"`
}

// postGrant grants quota to a project from the account above it (its park
// earmark, or its district), or releases it back: the manual path the map
// uses when an official picks parcels by hand. Without an amount, a grant
// is the project's outstanding need.
func (s *Server) postGrant(w http.ResponseWriter, r *http.Request) error {
	var req grantRequest
	if err := decodeStrictJSON(r, &req); err != nil {
		return err
	}
	req.Kind = req.Kind.OrDefault()
	if req.Action != "grant" && req.Action != "release" {
		return planning.Errorf(planning.ErrInvalid, "action: %q must be grant or release", req.Action).WithDetail("field", "action")
	}
	a, err := amountOf(req.AmountM2, req.AmountHa, req.AmountMu) // nil: the project's outstanding need, or all it holds
	if err != nil {
		return err
	}
	e, err := s.uc.Grants.Grant(r.Context(), quota.Grant{Year: req.Year, Kind: req.Kind, ProjectID: req.ProjectID,
		Release: req.Action == "release", Amount: a, Reason: req.Reason, By: username(r),
		IdempotencyKey: idempotencyKey(r, req.IdempotencyKey), OverrideReason: req.OverrideReason,
		Admin: planning.Require(r.Context(), planning.RoleAdmin) == nil})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (s *Server) getProjects(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.store.Projects(r.Context(), r.URL.Query().Get("district"))
	return respond(w, http.StatusOK, map[string]any{"projects": ps}, err)
}

func (s *Server) getProject(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", aProject)
	if err != nil {
		return err
	}
	p, err := s.store.Project(r.Context(), id)
	return respond(w, http.StatusOK, p, err)
}

func (s *Server) postProject(w http.ResponseWriter, r *http.Request) error {
	var p quota.Project
	if err := decodeStrictJSON(r, &p); err != nil {
		return err
	}
	p.ID, p.Need = 0, quota.Need{}
	p, err := s.store.CreateProject(r.Context(), p)
	return respond(w, http.StatusCreated, p, err)
}

func (s *Server) putProjectParcels(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		ParcelIDs []int64 `json:"parcel_ids"`
	}
	id, err := pathIDBody(r, aProject, &req)
	if err != nil {
		return err
	}
	p, err := s.store.SetProjectParcels(r.Context(), id, req.ParcelIDs)
	return respond(w, http.StatusOK, p, err)
}
