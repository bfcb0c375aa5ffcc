package allocation

import (
	"os"
	"testing"
)

// TestStress runs the brute-force and property tests with many more seeds
// (about half a minute). Opt-in:
//
//	ALLOCATION_STRESS=1 go test -run Stress ./planning/allocation/
func TestStress(t *testing.T) {
	if os.Getenv("ALLOCATION_STRESS") == "" {
		t.Skip("set ALLOCATION_STRESS=1 to run")
	}
	t.Run("tiny", func(t *testing.T) { bruteForceTiny(t, 60000) })
	t.Run("mixed", func(t *testing.T) { bruteForceMixed(t, 4000) })
	t.Run("properties", func(t *testing.T) { propertiesRandom(t, 3000) })
	t.Run("tilt", func(t *testing.T) { tiltMonotoneDivisible(t, 2000) })
	t.Run("earmark", func(t *testing.T) { earmarkMonotone(t, 1500) })
}
