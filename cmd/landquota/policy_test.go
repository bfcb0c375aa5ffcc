package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
)

// TestPolicyTolerance: `landquota policy tolerance` shows the policy, sets
// only the figures given, refuses a bad one naming it (in Chinese under a
// Chinese LANG) and changes nothing then.
func TestPolicyTolerance(t *testing.T) {
	db := pgtest.URL(t)
	out := must(t, db, "policy", "tolerance")
	if !strings.Contains(out, "area_tolerance_m2  1 m²") || !strings.Contains(out, "sliver_width_m     0.5 m") || !strings.Contains(out, "the migrations") {
		t.Fatalf("show:\n%s", out)
	}
	out = must(t, db, "policy", "tolerance", "--area-m2", "3", "--note", "survey seams")
	if !strings.Contains(out, "3 m²") || !strings.Contains(out, "0.5 m") || !strings.Contains(out, "survey seams") || !strings.Contains(out, "set by             cli") {
		t.Fatalf("set the area:\n%s", out)
	}
	out = must(t, db, "policy", "tolerance", "--sliver-width-m", "0")
	if !strings.Contains(out, "3 m²") || !strings.Contains(out, "0 (off)") {
		t.Fatalf("switch the width off:\n%s", out)
	}
	for _, bad := range [][]string{{"--sliver-width-m", "-1"}, {"--sliver-width-m", "NaN"}, {"--area-m2", "1e308"}} {
		out, err := landquota(t, db, append([]string{"policy", "tolerance"}, bad...)...)
		field := map[string]string{"--sliver-width-m": "sliver_width_m", "--area-m2": "area_tolerance_m2"}[bad[0]]
		if err == nil || !strings.Contains(out, field) {
			t.Errorf("%v: %v\n%s", bad, err, out)
		}
	}
	cmd := exec.Command(binary, "policy", "tolerance", "--area-m2", "-2")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db, "LANG=zh_CN.UTF-8")
	if zh, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(zh), "不在 0 至 10000 平方米之间") {
		t.Errorf("Chinese: %v\n%s", err, zh)
	}
	if out := must(t, db, "policy", "tolerance"); !strings.Contains(out, "3 m²") || !strings.Contains(out, "0 (off)") {
		t.Errorf("after the refusals:\n%s", out)
	}
}
