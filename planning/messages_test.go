package planning

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/migrations"
)

// The catalog cannot drift from the code: every constant message format the
// Go sources (planning/, web/, cmd/) hand to Errorf, Textf, a function that
// passes its format on to them, or an Error literal's Message must have a
// Chinese entry with the same verbs, and every entry must still be used.

// untranslated lists the non-constant Error messages that are not ours to
// translate, with why.
var untranslated = map[string]string{
	"planning/errors.go":         "Errorf's own literal, from a constant format",
	"planning/pgstore/errors.go": "the database's own message (a check written in SQL), passed on as it is",
	"web/imports.go":             "the import report's summary, shown with its issues",
}

// templated are the files that may pass a non-constant format, with where
// their formats come from (and are checked).
var templated = map[string]string{
	"planning/pgstore/errors.go": "the schema's RAISE messages (migrations.RaisedMessages), each a message site below",
}

// notMessages are functions with a (format string, args ...any) signature
// whose text is not an error message for a person in a request.
var notMessages = map[string]string{
	"planning/errors.go:Errorf":                 "the root: it keeps the format for translation",
	"planning/errors.go:Textf":                  "the root: it keeps the format for translation",
	"planning/adapters/importer/ogr.go:openOGR": "format is the GDAL driver name",
	"planning/pgstore/imports.go:exec":          "SQL and its arguments",
	"planning/pgstore/replica.go:Exec":          "SQL and its arguments",
	"planning/pgstore/replica.go:Query":         "SQL and its arguments",
	"planning/pgstore/replica.go:QueryRow":      "SQL and its arguments",
	"planning/pgstore/replica.go:queryReplica":  "SQL and its arguments",
	"web/openapi.go:get":                        "an OpenAPI operation's media type and parameters",
}

type msgSite struct {
	format string
	pos    string
}

func TestMessagesHaveChinese(t *testing.T) {
	sites, problems := collectMessages(t, "..", []string{"planning", "web", "cmd"})
	raised := migrations.RaisedMessages()
	for _, m := range raised {
		sites = append(sites, msgSite{format: m, pos: "migrations (RAISE)"})
	}
	if len(raised) < 10 {
		t.Errorf("found only %d RAISE messages in the migrations", len(raised))
	}
	used := map[string]bool{}
	for _, s := range sites {
		used[s.format] = true
		zh, ok := messagesZh[s.format]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: no Chinese for %q", s.pos, s.format))
			continue
		}
		if a, b := verbsOf(s.format), verbsOf(zh); a != b {
			problems = append(problems, fmt.Sprintf("%s: the Chinese of %q has verbs %s, the English %s", s.pos, s.format, b, a))
		}
	}
	for en := range messagesZh {
		if !used[en] {
			problems = append(problems, fmt.Sprintf("messages_zh.go: stale entry %q (no code writes it)", en))
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
	if len(sites) < 300 {
		t.Errorf("found only %d message sites: the walk missed the sources", len(sites))
	}
}

var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*(\d+)?(\.\d*)?(\[\d+\])?([a-zA-Z%])`)

// verbsOf describes which argument each verb formats and how, e.g.
// "1:s 2:d"; explicit indexes are resolved as fmt does.
func verbsOf(format string) string {
	var out []string
	next := 1
	for _, m := range verbRE.FindAllStringSubmatch(format, -1) {
		if m[5] == "%" {
			continue
		}
		for _, ix := range []string{m[1], m[4]} {
			if ix != "" {
				next, _ = strconv.Atoi(ix[1 : len(ix)-1])
			}
		}
		flags := strings.TrimPrefix(m[0], "%")
		flags = regexp.MustCompile(`\[\d+\]`).ReplaceAllString(flags, "")
		out = append(out, fmt.Sprintf("%d:%s", next, flags))
		next++
	}
	sort.Strings(out)
	return "[" + strings.Join(out, " ") + "]"
}

type srcFile struct {
	rel  string
	pkg  string // directory
	file *ast.File
}

// collectMessages parses every non-test Go file under dirs.
func collectMessages(t *testing.T, root string, dirs []string) (sites []msgSite, problems []string) {
	t.Helper()
	fset := token.NewFileSet()
	var files []srcFile
	for _, d := range dirs {
		err := filepath.WalkDir(filepath.Join(root, d), func(path string, de fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if de.IsDir() && (de.Name() == "node_modules" || de.Name() == "testdata") {
				return filepath.SkipDir
			}
			if de.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			files = append(files, srcFile{rel: filepath.ToSlash(rel), pkg: filepath.ToSlash(filepath.Dir(rel)), file: f})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// String constants per package, for formats named by a constant.
	consts := map[string]map[string]string{}
	for _, f := range files {
		if consts[f.pkg] == nil {
			consts[f.pkg] = map[string]string{}
		}
		for _, decl := range f.file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) {
						if s, ok := constString(vs.Values[i], nil); ok {
							consts[f.pkg][n.Name] = s
						}
					}
				}
			}
		}
	}
	// Format functions: Errorf and Textf, then whatever passes its format
	// parameter on to one of them (found until nothing new turns up).
	type fn struct {
		scope  string // "" for every package, else a package or file
		name   string
		format string // the format parameter's name
		index  int
		method bool
		body   *ast.BlockStmt
		where  string
	}
	var candidates []*fn
	addCandidate := func(scope, name string, method bool, ft *ast.FuncType, body *ast.BlockStmt, where string) {
		params := ft.Params.List
		if len(params) < 2 || body == nil {
			return
		}
		last := params[len(params)-1]
		if el, ok := last.Type.(*ast.Ellipsis); !ok || !isAny(el.Elt) {
			return
		}
		var names []*ast.Ident
		var types []ast.Expr
		for _, p := range params {
			for _, n := range p.Names {
				names = append(names, n)
				types = append(types, p.Type)
			}
		}
		i := len(names) - 2
		if id, ok := types[i].(*ast.Ident); !ok || id.Name != "string" {
			return
		}
		candidates = append(candidates, &fn{scope: scope, name: name, format: names[i].Name, index: i, method: method, body: body, where: where})
	}
	for _, f := range files {
		for _, decl := range f.file.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok {
				scope := f.pkg
				if fd.Recv == nil && fd.Name.IsExported() {
					scope = ""
				}
				addCandidate(scope, fd.Name.Name, fd.Recv != nil, fd.Type, fd.Body, f.rel+":"+fd.Name.Name)
			}
		}
		ast.Inspect(f.file, func(n ast.Node) bool {
			if as, ok := n.(*ast.AssignStmt); ok && len(as.Lhs) == 1 && len(as.Rhs) == 1 {
				if id, ok := as.Lhs[0].(*ast.Ident); ok {
					if fl, ok := as.Rhs[0].(*ast.FuncLit); ok {
						addCandidate(f.rel, id.Name, false, fl.Type, fl.Body, f.rel+":"+id.Name)
					}
				}
			}
			return true
		})
	}
	formatters := []*fn{{name: "Errorf", index: 1}, {name: "Textf", index: 0}}
	lookup := func(f srcFile, call *ast.CallExpr) *fn {
		var name string
		selector := false
		switch c := call.Fun.(type) {
		case *ast.Ident:
			name = c.Name
		case *ast.SelectorExpr:
			if x, ok := c.X.(*ast.Ident); ok && (x.Name == "fmt" || x.Name == "t" || x.Name == "b") {
				return nil
			}
			name, selector = c.Sel.Name, true
		default:
			return nil
		}
		var found *fn
		for _, w := range formatters {
			if w.method && !selector || !w.method && selector && w.scope != "" {
				continue // a method is called on a value; a plain function by name, or as pkg.Name when exported
			}
			if w.name == name && (w.scope == "" || w.scope == f.pkg || w.scope == f.rel) && (found == nil || len(w.scope) > len(found.scope)) {
				found = w
			}
		}
		return found
	}
	fileOf := map[*fn]srcFile{}
	for _, f := range files {
		for _, c := range candidates {
			if strings.HasPrefix(c.where, f.rel+":") {
				fileOf[c] = f
			}
		}
	}
	isFormatter := map[*fn]bool{}
	for grew := true; grew; {
		grew = false
		for _, c := range candidates {
			if isFormatter[c] {
				continue
			}
			ast.Inspect(c.body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || isFormatter[c] {
					return !isFormatter[c]
				}
				if w := lookup(fileOf[c], call); w != nil && w.index < len(call.Args) {
					if id, ok := call.Args[w.index].(*ast.Ident); ok && id.Name == c.format {
						isFormatter[c] = true
						formatters = append(formatters, c)
						grew = true
					}
				}
				return true
			})
		}
	}
	for _, c := range candidates {
		if !isFormatter[c] {
			if _, ok := notMessages[c.where]; !ok {
				problems = append(problems, fmt.Sprintf("%s formats a message itself: pass its format to planning.Errorf or planning.Textf so it can be translated", c.where))
			}
		}
	}
	paramOf := func(f srcFile, pos token.Pos) string { // the format parameter of the formatter around pos
		for _, c := range formatters {
			if c.body != nil && fileOf[c].rel == f.rel && c.body.Pos() <= pos && pos < c.body.End() {
				return c.format
			}
		}
		return ""
	}
	for _, f := range files {
		ast.Inspect(f.file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				w := lookup(f, n)
				if w == nil || w.index >= len(n.Args) {
					return true
				}
				arg := n.Args[w.index]
				pos := fset.Position(arg.Pos()).String()
				if s, ok := constString(arg, consts[f.pkg]); ok {
					sites = append(sites, msgSite{format: s, pos: pos})
				} else if id, ok := arg.(*ast.Ident); (!ok || id.Name != paramOf(f, arg.Pos())) && templated[f.rel] == "" {
					problems = append(problems, fmt.Sprintf("%s: the format given to %s is not a constant: keep the text in a constant format and pass the variable parts as arguments", pos, w.name))
				}
			case *ast.CompositeLit:
				if !isErrorType(n.Type) {
					return true
				}
				for _, el := range n.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					if k, ok := kv.Key.(*ast.Ident); !ok || k.Name != "Message" {
						continue
					}
					pos := fset.Position(kv.Value.Pos()).String()
					if s, ok := constString(kv.Value, consts[f.pkg]); ok {
						if verbsOf(s) != "[]" {
							problems = append(problems, fmt.Sprintf("%s: an Error literal's Message is not formatted: use Errorf for %q", pos, s))
						}
						sites = append(sites, msgSite{format: s, pos: pos})
					} else if _, ok := untranslated[f.rel]; !ok {
						problems = append(problems, fmt.Sprintf("%s: an Error's Message is not a constant: build it with planning.Errorf", pos))
					}
				}
			}
			return true
		})
	}
	return sites, problems
}

func isAny(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "any"
	case *ast.InterfaceType:
		return len(e.Methods.List) == 0
	}
	return false
}

func isErrorType(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "Error"
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		return ok && x.Name == "planning" && e.Sel.Name == "Error"
	}
	return false
}

// constString evaluates a string literal, a constant of the package or a
// sum of them.
func constString(e ast.Expr, consts map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.Ident:
		s, ok := consts[e.Name]
		return s, ok
	case *ast.ParenExpr:
		return constString(e.X, consts)
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			a, ok1 := constString(e.X, consts)
			b, ok2 := constString(e.Y, consts)
			return a + b, ok1 && ok2
		}
	}
	return "", false
}

func TestVerbsOf(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"%s is %d", "%s 为 %d", true},
		{"%s is %d", "%d 为 %s", false},
		{"x %d at zoom %d", "缩放级别 %[2]d 的 x %[1]d", true},
		{"%q of %s", "%[2]s 的 %[1]s", false},
		{"%.2f m²", "%.2f 平方米", true},
		{"%.2f m²", "%v 平方米", false},
		{"100%% of %s", "%s 的全部", true},
		{"%s and %s", "%s", false},
	} {
		if got := verbsOf(c.a) == verbsOf(c.b); got != c.same {
			t.Errorf("verbsOf(%q) = %s, verbsOf(%q) = %s: same %v, want %v", c.a, verbsOf(c.a), c.b, verbsOf(c.b), got, c.same)
		}
	}
}

func TestErrorIn(t *testing.T) {
	inner := Errorf(ErrInvalid, "must be > 0")
	e := Errorf(ErrInvalid, "%s: %s", "amount", inner)
	if got := e.In(LangZh); got != "amount：须 > 0" {
		t.Errorf("zh: %q", got)
	}
	if got := e.In(LangEn); got != "amount: must be > 0" || e.Message != got {
		t.Errorf("en: %q, Message %q", got, e.Message)
	}
	x := Errorf(ErrInvalid, "a format no catalog has: %d", 7)
	if got := x.In(LangZh); got != "a format no catalog has: 7" {
		t.Errorf("a missing entry must fall back to English: %q", got)
	}
	e.Message += " (and more)" // changed after it was built: the English keeps what was added
	if got := e.In(LangZh); got != e.Message {
		t.Errorf("changed message: %q", got)
	}
	lost := ConnectionLost(nil)
	if got := lost.In(LangZh); got == lost.Message || !strings.Contains(got, "幂等键") {
		t.Errorf("a constant Message literal: %q", got)
	}
	for tag, want := range map[string]Lang{"zh": LangZh, "zh-CN": LangZh, "ZH-hans": LangZh, "en": LangEn, "en-GB": LangEn, "de": LangEn, "": LangEn, "zhx": LangEn} {
		if got := ParseLang(tag); got != want {
			t.Errorf("ParseLang(%q) = %s, want %s", tag, got, want)
		}
	}
}
