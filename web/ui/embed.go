// Package ui serves the web map bundle built from web/ui/src into web/ui/dist
// (`make ui`, i.e. `cd web/ui && npm ci && npm run build`) and embedded into the binary.
package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/web/negotiate"
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

// asset is one file of the bundle, read once: the bundle never changes while the binary runs.
type asset struct {
	body, gz  []byte // gz: the build's precompressed twin (name.gz), nil when there is none
	etag      string // of body; the gzip variant's ends in -gz
	ctype     string
	immutable bool // the name carries a content hash (main-HASH.js)
}

// handlerFor serves fsys, whose root holds index.html and the assets (and their .gz twins).
// Hashed files are cached for a year, index.html is revalidated every time (ETag); source
// maps are not served.
func handlerFor(fsys fs.FS) http.Handler {
	assets := load(fsys)
	_, built := assets["index.html"]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" {
			name = "index.html"
		}
		if !built && name == "index.html" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusServiceUnavailable)
			if r.Method != http.MethodHead {
				_, _ = w.Write([]byte(notBuiltPage))
			}
			return
		}
		a, ok := assets[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("Vary", "Accept-Encoding")
		if a.immutable {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		body, etag := a.body, a.etag
		if a.gz != nil && negotiate.AcceptsGzip(r.Header.Get("Accept-Encoding")) {
			body, etag = a.gz, strings.TrimSuffix(a.etag, `"`)+`-gz"`
			h.Set("Content-Encoding", "gzip")
		}
		h.Set("ETag", etag)
		// ServeContent answers If-None-Match with 304, HEAD and ranges.
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
	})
}

// load reads the servable files of fsys: no hidden files, no source maps, no .gz twins
// (served in place of their originals).
func load(fsys fs.FS) map[string]*asset {
	assets := map[string]*asset{}
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || hidden(p) || strings.HasSuffix(p, ".map") || strings.HasSuffix(p, ".gz") {
			return nil
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil
		}
		sum := sha256.Sum256(body)
		a := &asset{
			body:      body,
			etag:      `"` + hex.EncodeToString(sum[:12]) + `"`,
			ctype:     mime.TypeByExtension(path.Ext(p)),
			immutable: hashed(path.Base(p)),
		}
		if a.ctype == "" {
			a.ctype = http.DetectContentType(body)
		}
		if gz, err := fs.ReadFile(fsys, p+".gz"); err == nil {
			a.gz = gz
		}
		assets[p] = a
		return nil
	})
	return assets
}

// hashed reports whether a file name carries esbuild's content hash: name-XXXXXXXX.ext.
func hashed(name string) bool {
	stem := strings.TrimSuffix(name, path.Ext(name))
	i := strings.LastIndexByte(stem, '-')
	if i < 0 || len(stem)-i-1 != 8 {
		return false
	}
	for _, c := range stem[i+1:] {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
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
