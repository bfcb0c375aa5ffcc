package migrations

import (
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// raiseMessage finds MESSAGE = '...' or MESSAGE = format('...' '...', in a
// RAISE: the text the schema's own checks write, with %s for each value.
var raiseMessage = regexp.MustCompile(`MESSAGE\s*=\s*(?:format\(\s*)?((?:'(?:[^']|'')*'\s*)+)`)
var sqlString = regexp.MustCompile(`'((?:[^']|'')*)'`)

var raised = sync.OnceValue(func() []string {
	seen := map[string]bool{}
	names, _ := fs.Glob(files, "*.sql")
	for _, n := range names {
		b, _ := fs.ReadFile(files, n)
		for _, m := range raiseMessage.FindAllStringSubmatch(string(b), -1) {
			var sb strings.Builder
			for _, part := range sqlString.FindAllStringSubmatch(m[1], -1) {
				sb.WriteString(strings.ReplaceAll(part[1], "''", "'"))
			}
			seen[sb.String()] = true
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
})

// RaisedMessages lists the message templates the schema's checks raise
// (format() templates with %s), so the Go side can translate them.
func RaisedMessages() []string { return raised() }
