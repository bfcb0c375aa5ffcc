package quota

import (
	"time"

	"github.com/hangzhou-hitech/landquota/planning/allocation"
)

// PolicyVersion is one stored version of a year's policy.
type PolicyVersion struct {
	Year      int               `json:"year"`
	Version   int               `json:"version"`
	Policy    allocation.Policy `json:"policy"`
	Note      string            `json:"note"`
	CreatedBy string            `json:"created_by"`
	CreatedAt time.Time         `json:"created_at"`
}

// Scenario is a saved run of the allocation engine.
type Scenario struct {
	ID            int64             `json:"id"`
	Year          int               `json:"year"`
	Kind          Kind              `json:"kind"`
	PolicyVersion int               `json:"policy_version"`
	Method        allocation.Method `json:"method"`
	Name          string            `json:"name"`
	Status        string            `json:"status"`
	LedgerMark    int64             `json:"ledger_mark"`
	Stale         bool              `json:"stale"` // the ledger moved since it ran
	CreatedBy     string            `json:"created_by"`
	CreatedAt     time.Time         `json:"created_at"`
	ApprovedBy    string            `json:"approved_by,omitempty"`
	ApprovedAt    *time.Time        `json:"approved_at,omitempty"`
	Input         *allocation.Input `json:"input,omitempty"`
	Result        allocation.Result `json:"result"`
}
