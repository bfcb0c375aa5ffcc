package pgtest

import (
	"os"
	"testing"
)

// Log is a file in the test's temporary directory for what a store or a
// server process under test logs: they write it from their own goroutines
// while the test reads it, and the file needs no lock between them (a
// shared bytes.Buffer would).
type Log struct{ *os.File }

// NewLog creates an empty Log that is removed when the test ends.
func NewLog(t testing.TB) *Log {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "log-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &Log{f}
}

// String is everything written so far.
func (l *Log) String() string {
	b, _ := os.ReadFile(l.Name())
	return string(b)
}
