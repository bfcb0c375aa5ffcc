package pgstore

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestStoreImportsNoAdapter keeps the dependency pointing adapter → domain
// ← store: the store reads the import vocabulary from planning/imports and
// never imports an adapter (the importer) or the web layer.
func TestStoreImportsNoAdapter(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(path, "/planning/adapters/") || strings.HasSuffix(path, "/landquota/web") {
				t.Errorf("%s imports %s: the store depends on the domain packages only", name, path)
			}
		}
	}
}
