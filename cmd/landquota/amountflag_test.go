package main

import (
	"flag"
	"io"
	"testing"
)

// --issue-hm2 and --hm2 read the typed decimal exactly, and stay unset
// (no issue) when not given.
func TestHectaresFlag(t *testing.T) {
	fs := flag.NewFlagSet("plan open", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var issue, other hectaresFlag
	fs.Var(&issue, "issue-hm2", "")
	fs.Var(&other, "hm2", "")
	if err := fs.Parse([]string{"--issue-hm2", "0.3"}); err != nil {
		t.Fatal(err)
	}
	if issue.a == nil || *issue.a != 300_000 || issue.String() != "0.3" {
		t.Errorf("0.3 hm² read as %v", issue.a)
	}
	if other.a != nil || other.value() != 0 {
		t.Errorf("an unset flag holds %v", other.a)
	}
	if err := fs.Parse([]string{"--hm2", "1/3"}); err == nil {
		t.Error("a fraction was taken as hectares")
	}
}
