package planning

import "testing"

func TestConversionApprovedFollowsLifecycle(t *testing.T) {
	// Order of docs/DOMAIN.md §5: 储备 after 征收, planned first.
	want := []Status{StatusPlanned, StatusFiled, StatusApproved, StatusExpropriated, StatusReserve,
		StatusSupplied, StatusUnderConstruction, StatusCompleted, StatusInProduction, StatusLowEfficiency, StatusRedevelopment}
	if len(Statuses) != len(want) {
		t.Fatalf("%d statuses, want %d", len(Statuses), len(want))
	}
	for i, s := range want {
		if Statuses[i].Code != s {
			t.Errorf("status %d = %s, want %s", i, Statuses[i].Code, s)
		}
		if got, exp := s.ConversionApproved(), i >= 2; got != exp {
			t.Errorf("%s.ConversionApproved() = %v, want %v", s, got, exp)
		}
	}
	if Status("bogus").ConversionApproved() {
		t.Error("an unknown status must not count as approved")
	}
}
