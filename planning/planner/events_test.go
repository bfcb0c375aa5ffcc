package planner

import (
	"errors"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
)

// Check names the first field that is wrong, and reads a good event.
func TestEventInputCheck(t *testing.T) {
	fee, neg := 12.5, -1.0
	for _, c := range []struct {
		in    EventInput
		field string
	}{
		{EventInput{Kind: "nope", EventOn: "2024-06-10", Document: "d"}, "kind"},
		{EventInput{Kind: "idle_determination", EventOn: "2024-06-10"}, "document"},
		{EventInput{Kind: "idle_determination", EventOn: "2024-06-10", Document: "d"}, "cause"},
		{EventInput{Kind: "fee_levied", EventOn: "2024-06-10", Document: "d", Cause: "government"}, "cause"},
		{EventInput{Kind: "disposal_decision", EventOn: "2024-06-10", Document: "d", Cause: "weather"}, "cause"},
		{EventInput{Kind: "extension_granted", EventOn: "2024-06-10", Document: "d", ExtendedTo: "2024-06-10"}, "extended_to"},
		{EventInput{Kind: "fee_levied", EventOn: "2024-06-10", Document: "d", ExtendedTo: "2025-01-01"}, "extended_to"},
		{EventInput{Kind: "fee_levied", EventOn: "2024-06-10", Document: "d", AmountWan: &neg}, "amount_wan"},
		{EventInput{Kind: "land_recovered", EventOn: "2024-06-10", Document: "d", AmountWan: &fee}, "amount_wan"},
	} {
		_, err := c.in.Check()
		var pe *planning.Error
		if !errors.As(err, &pe) || pe.Details["field"] != c.field {
			t.Errorf("%+v: %v, want a problem with %s", c.in, err, c.field)
		}
	}
	e, err := EventInput{Kind: " extension_granted ", EventOn: "2024-06-10", Document: " 杭高新〔2024〕1号 ", ExtendedTo: "2025-03-01", Note: " n "}.Check()
	if err != nil || e.Kind != EventExtension || e.EventOn != "2024-06-10" || e.Extended != "2025-03-01" || e.Document != "杭高新〔2024〕1号" || e.Note != "n" {
		t.Errorf("%+v, %v", e, err)
	}
	e, err = EventInput{Kind: "fee_levied", EventOn: "2024-06-10", Document: "d", AmountWan: &fee}.Check()
	if err != nil || e.AmountWan == nil || *e.AmountWan != 12.5 {
		t.Errorf("%+v, %v", e, err)
	}
}
