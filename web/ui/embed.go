// Package ui serves the web map bundle built from web/ui/src into web/ui/dist
// (`make ui`, i.e. `cd web/ui && npm ci && npm run build`) and embedded into the binary.
package ui

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
	"unicode/utf8"
)

//go:embed all:dist
var dist embed.FS

const notBuiltPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>landquota: UI not built</title></head>
<body style="font-family: system-ui, sans-serif; margin: 3em;">
<h1>UI bundle not built</h1>
<p>UI bundle not built: run <code>make ui</code> (or <code>make run</code>), then restart the server.</p>
<p>界面尚未构建：请运行 <code>make ui</code>（或 <code>make run</code>）后重启服务。</p>
</body>
</html>
`

// Handler serves the embedded bundle, index.html at "/". Mount it at the site root (or behind
// http.StripPrefix). When the bundle was not built, "/" answers 503 with a short explanation.
func Handler() http.Handler {
	sub, err := fs.Sub(dist, "dist")
	if err != nil { // cannot happen: "dist" is a valid path
		panic(err)
	}
	return handlerFor(sub)
}

// handlerFor serves fsys, whose root holds index.html and the assets.
func handlerFor(fsys fs.FS) http.Handler {
	_, err := fs.Stat(fsys, "index.html")
	built := err == nil
	files := http.FileServer(http.FS(fsys))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !built && (r.URL.Path == "/" || r.URL.Path == "" || r.URL.Path == "/index.html") {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusServiceUnavailable)
			if r.Method != http.MethodHead {
				_, _ = w.Write([]byte(notBuiltPage))
			}
			return
		}
		if hidden(r.URL.Path) || !utf8.ValidString(r.URL.Path) { // e.g. dist/.gitkeep; no file has a name that is not UTF-8
			http.NotFound(w, r)
			return
		}
		// The bundle is small and its file names carry no hash: let browsers revalidate
		// every time (http.FileServer answers If-Modified-Since / If-None-Match).
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}

// hidden reports whether a path has a segment starting with a dot.
func hidden(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}
