package procstat

import (
	"os"
	"runtime"
	"testing"
)

func TestKiB(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	pid := os.Getpid()
	rss, hwm := KiB(pid, "VmRSS"), KiB(pid, "VmHWM")
	if rss <= 0 || hwm < rss {
		t.Fatalf("VmRSS %d KiB, VmHWM %d KiB: want 0 < RSS <= peak", rss, hwm)
	}
	// A prefix of a field is not the field ("Vm" must not read VmPeak).
	if n := KiB(pid, "Vm"); n != 0 {
		t.Errorf("field Vm: %d, want 0", n)
	}
	if n := KiB(-1, "VmRSS"); n != 0 {
		t.Errorf("no such process: %d, want 0", n)
	}
}
