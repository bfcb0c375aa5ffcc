package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"
)

// multipartBody builds a form with a file part and option parts.
func multipartBody(t *testing.T, filename string, file []byte, opts ...string) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for i := 0; i+1 < len(opts); i += 2 {
		w.WriteField(opts[i], opts[i+1])
	}
	if filename != "" {
		fw, _ := w.CreateFormFile("file", filename)
		fw.Write(file)
	}
	w.Close()
	return &b, w.FormDataContentType()
}

func polygonJSON(mp orb.MultiPolygon) string {
	var rings []string
	for _, r := range mp[0] {
		var pts []string
		for _, p := range r {
			pts = append(pts, fmt.Sprintf("[%v,%v]", p[0], p[1]))
		}
		rings = append(rings, "["+strings.Join(pts, ",")+"]")
	}
	return `{"type":"Polygon","coordinates":[` + strings.Join(rings, ",") + `]}`
}

func parcelFeature(code, landUse string, mp orb.MultiPolygon) string {
	return fmt.Sprintf(`{"type":"Feature","properties":{"code":%q,"land_use":%q,"status":"reserve"},"geometry":%s}`, code, landUse, polygonJSON(mp))
}

func fc(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

// importEnv is a server with a district and an admin, an allocator and a viewer.
func importEnv(t *testing.T) (*authEnv, map[string]string) {
	t.Helper()
	e := newAuthEnv(t)
	if err := e.store.InsertDistrict(context.Background(), planning.District{Adcode: "330108", NameZh: "滨江区", Outline: square(-5000, -5000, 10000)}); err != nil {
		t.Fatal(err)
	}
	tok := map[string]string{}
	for name, role := range map[string]planning.Role{"admin1": planning.RoleAdmin, "alloc1": planning.RoleAllocator, "viewer1": planning.RoleViewer} {
		tok[name] = "Bearer " + e.token(e.user(name, role))
	}
	return e, tok
}

func (e *authEnv) parcelCount() int {
	e.t.Helper()
	var n int
	if err := e.store.Pool().QueryRow(context.Background(), "SELECT count(*) FROM parcels").Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestImportUploads(t *testing.T) {
	e, tok := importEnv(t)
	body := fc(parcelFeature("W-1", "100101", square(0, 0, 50)), parcelFeature("W-2", "0802", square(100, 0, 50)))
	// Raw body, waiting for the verdict.
	r := e.send("POST", "/api/imports?layer=parcels&wait=true&filename=w.geojson", strings.NewReader(body),
		"Authorization", tok["admin1"], "Content-Type", "application/geo+json")
	if r.StatusCode != 201 || r.body["outcome"] != "committed" || str(r.body, "source", "name") != "w.geojson" {
		t.Fatalf("raw upload: %d %s", r.StatusCode, r.raw)
	}
	if e.parcelCount() != 2 {
		t.Fatal("not written")
	}
	// Multipart, in the background: 202, then the status.
	upd := fc(parcelFeature("W-1", "100102", square(0, 0, 50)), parcelFeature("W-3", "0901", square(200, 0, 50)))
	rd, ct := multipartBody(t, "更新.geojson", []byte(upd), "layer", "parcels", "mode", "upsert", "field_map", `{"fields":{"park":""}}`)
	r = e.send("POST", "/api/imports", rd, "Authorization", tok["admin1"], "Content-Type", ct)
	if r.StatusCode != 202 || r.Header.Get("Location") == "" {
		t.Fatalf("multipart: %d %s", r.StatusCode, r.raw)
	}
	loc := r.Header.Get("Location")
	deadline := time.Now().Add(30 * time.Second)
	for {
		r = e.send("GET", loc, nil, "Authorization", tok["admin1"])
		st := str(r.body, "status")
		if st != "queued" && st != "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("import still %s", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r.StatusCode != 200 || str(r.body, "status") != "committed" || str(r.body, "progress", "phase") != "done" {
		t.Fatalf("status: %d %s", r.StatusCode, r.raw)
	}
	counts := r.body["report"].(map[string]any)["counts"].(map[string]any)
	if counts["inserted"] != 1.0 || counts["updated"] != 1.0 || counts["unchanged"] != 0.0 {
		t.Errorf("counts %v", counts)
	}
	// Listed, and the committed ones come from the log after a restart too.
	r = e.send("GET", "/api/imports", nil, "Authorization", tok["admin1"])
	if r.StatusCode != 200 || len(r.body["this_server"].([]any)) != 2 || len(r.body["committed"].([]any)) != 2 {
		t.Errorf("list: %s", r.raw)
	}
	if r := e.send("GET", "/api/imports/nope", nil, "Authorization", tok["admin1"]); r.StatusCode != 404 {
		t.Errorf("unknown import: %d", r.StatusCode)
	}
	// A dry run of a refused file is a 200 with the report; the real thing a 400.
	bad := fc(parcelFeature("W-9", "100101", square(10, 10, 50)))
	r = e.send("POST", "/api/imports?layer=parcels&wait=true&dry_run=true", strings.NewReader(bad), "Authorization", tok["admin1"])
	if r.StatusCode != 200 || r.body["outcome"] != "dry_run" || r.body["counts"].(map[string]any)["errors"] != 1.0 {
		t.Errorf("dry run: %d %s", r.StatusCode, r.raw)
	}
	r = e.send("POST", "/api/imports?layer=parcels&wait=true", strings.NewReader(bad), "Authorization", tok["admin1"])
	if r.StatusCode != 400 || str(r.body, "error", "details", "report", "outcome") != "refused" ||
		!strings.Contains(r.errorMessage(), "1 overlap") {
		t.Errorf("refused: %d %s", r.StatusCode, r.raw)
	}
	if e.parcelCount() != 3 {
		t.Errorf("%d parcels", e.parcelCount())
	}
}

func TestImportNeedsAnAdmin(t *testing.T) {
	e, tok := importEnv(t)
	body := fc(parcelFeature("A", "100101", square(0, 0, 50)))
	if r := e.send("POST", "/api/imports?layer=parcels", strings.NewReader(body)); r.StatusCode != 401 {
		t.Errorf("anonymous: %d", r.StatusCode)
	}
	for _, who := range []string{"viewer1", "alloc1"} {
		if r := e.send("POST", "/api/imports?layer=parcels", strings.NewReader(body), "Authorization", tok[who]); r.StatusCode != 403 {
			t.Errorf("%s: %d", who, r.StatusCode)
		}
		if r := e.send("GET", "/api/imports", nil, "Authorization", tok[who]); r.StatusCode != 403 {
			t.Errorf("%s lists: %d", who, r.StatusCode)
		}
	}
	if e.parcelCount() != 0 {
		t.Error("written")
	}
}

// TestImportBadInput: every kind of bad upload is a 4xx JSON error, never
// a 500, and nothing is written.
func TestImportBadInput(t *testing.T) {
	e, tok := importEnv(t)
	good := parcelFeature("OK", "100101", square(0, 0, 50))
	sq := square(500, 0, 50)[0][0]
	open := fmt.Sprintf(`{"type":"Feature","properties":{"code":"U","land_use":"100101","status":"reserve"},"geometry":{"type":"Polygon","coordinates":[[[%v,%v],[%v,%v],[%v,%v],[%v,%v]]]}}`,
		sq[0][0], sq[0][1], sq[1][0], sq[1][1], sq[2][0], sq[2][1], sq[3][0], sq[3][1])
	// A polygon of a million vertices.
	var huge strings.Builder
	huge.WriteString(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"BIG","land_use":"100101","status":"reserve"},"geometry":{"type":"Polygon","coordinates":[[`)
	const nv = 1_000_000
	for i := 0; i <= nv; i++ {
		a := 2 * math.Pi * float64(i%nv) / nv
		if i > 0 {
			huge.WriteByte(',')
		}
		fmt.Fprintf(&huge, "[%.7f,%.7f]", 120.21+0.001*math.Cos(a), 30.19+0.001*math.Sin(a))
	}
	huge.WriteString(`]]}}]}`)
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("a.shp")
	w.Write([]byte("x"))
	zw.Close()
	cases := []struct {
		name, query, contentType, body, want string
	}{
		{"malformed JSON", "layer=parcels&wait=true", "", fc(good)[:60], "ends in the middle"},
		{"NaN", "layer=parcels&wait=true", "", fc(good, good, strings.Replace(good, "120.", "NaN", 1)), "NaN"},
		{"Infinity", "layer=parcels&wait=true", "", fc(strings.Replace(good, "30.", "-Infinity", 1)), "NaN and Infinity"},
		{"unclosed ring", "layer=parcels&wait=true", "", fc(good, open), "1 invalid_geometry"},
		{"a million vertices", "layer=parcels&wait=true", "", huge.String(), "1 invalid_geometry"},
		{"wrong type", "layer=parcels&wait=true", "", fc(strings.Replace(good, `"code":"OK"`, `"code":{"a":1}`, 1)), "1 bad_value"},
		{"unknown option", "layer=parcels&colour=red", "", fc(good), "unknown option"},
		{"no layer", "wait=true", "", fc(good), "say which layer"},
		{"bad layer", "layer=roads", "", fc(good), "unknown layer"},
		{"bad srid", "layer=parcels&srid=banana", "", fc(good), "not a coordinate system"},
		{"bad bool", "layer=parcels&dry_run=maybe", "", fc(good), "not true or false"},
		{"bad field map", "layer=parcels&field_map=" + urlEncode(`{"fields":{"kode":"x"}}`), "", fc(good), `has no field`},
		{"field map of the wrong type", "layer=parcels&field_map=" + urlEncode(`{"fields":["code"]}`), "", fc(good), "expected an object"},
		{"field map not JSON", "layer=parcels&field_map=" + urlEncode(`{"fields":`), "", fc(good), "field map"},
		{"empty file", "layer=parcels", "", "", "empty"},
		{"not a format", "layer=parcels&filename=notes.txt", "text/plain", "hello", "not a format"},
		{"top-level array", "layer=parcels&filename=a.json", "", "[" + good + "]", "expected a JSON object"},
		{"shapefile without dbf", "layer=parcels&filename=a.zip", "application/zip", zipped.String(), ".dbf"},
		{"multipart without boundary", "layer=parcels", "multipart/form-data", "x", "boundary"},
	}
	for _, c := range cases {
		headers := []string{"Authorization", tok["admin1"]}
		if c.contentType != "" {
			headers = append(headers, "Content-Type", c.contentType)
		}
		r := e.send("POST", "/api/imports?"+c.query, strings.NewReader(c.body), headers...)
		if r.StatusCode < 400 || r.StatusCode >= 500 || r.errorCode() == "" || !strings.Contains(r.raw, c.want) {
			t.Errorf("%s: %d %s; want a 4xx with %q", c.name, r.StatusCode, clipText(r.raw), c.want)
		}
	}
	// Multipart refusals.
	for name, parts := range map[string][]string{
		"unknown part":  {"layer", "parcels", "colour", "red"},
		"huge option":   {"layer", "parcels", "field_map", strings.Repeat(" ", 1<<20+1)},
		"two of layer":  {"layer", "parcels", "layer", "parks"},
		"no file":       nil,
		"bad encoding":  {"layer", "parcels", "encoding", "klingon"},
		"bad mode":      {"layer", "parcels", "mode", "merge"},
		"bad scheme":    {"layer", "parcels", "land_use_scheme", "gb1"},
		"bad max":       {"layer", "parcels", "max_issues", "0"},
		"bad crosswalk": {"layer", "parcels", "crosswalk", "0906"},
	} {
		file := "in.geojson"
		if name == "no file" {
			file, parts = "", []string{"layer", "parcels"}
		}
		rd, ct := multipartBody(t, file, []byte(fc(good)), parts...)
		r := e.send("POST", "/api/imports", rd, "Authorization", tok["admin1"], "Content-Type", ct)
		if r.StatusCode != 400 || r.errorCode() != "invalid" {
			t.Errorf("%s: %d %s", name, r.StatusCode, clipText(r.raw))
		}
	}
	if e.parcelCount() != 0 {
		t.Errorf("%d parcels written", e.parcelCount())
	}
}

func urlEncode(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func clipText(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

func TestExportDownloads(t *testing.T) {
	e, tok := importEnv(t)
	body := fc(parcelFeature("滨江-1", "100101", square(0, 0, 50)), parcelFeature("R-2", "070102", square(100, 0, 50)))
	if r := e.send("POST", "/api/imports?layer=parcels&wait=true", strings.NewReader(body), "Authorization", tok["admin1"]); r.StatusCode != 201 {
		t.Fatalf("import: %d %s", r.StatusCode, r.raw)
	}
	get := func(q string) *http.Response {
		t.Helper()
		res, err := http.Get(e.url + "/api/exports/parcels" + q)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	read := func(res *http.Response) []byte {
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return b
	}
	res := get("?format=geojson&land_use=1001")
	b := read(res)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/geo+json" ||
		res.Header.Get("Content-Disposition") != `attachment; filename="parcels.geojson"` || !strings.Contains(string(b), "滨江-1") || strings.Contains(string(b), "R-2") {
		t.Errorf("geojson: %d %v %s", res.StatusCode, res.Header, clipText(string(b)))
	}
	res = get("?format=csv&srid=4549")
	if b := read(res); res.StatusCode != 200 || !strings.HasPrefix(string(b), "\ufeffid,code") || !strings.Contains(res.Header.Get("Content-Disposition"), "parcels-4549.csv") {
		t.Errorf("csv: %d %s", res.StatusCode, clipText(string(b)))
	}
	res = get("?format=xlsx")
	b = read(res)
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil || res.Header.Get("Content-Length") == "" {
		t.Fatalf("xlsx: %v %v", err, res.Header)
	}
	if rows, _ := f.GetRows("地块"); len(rows) != 3 || rows[0][1] != "地块编号" {
		t.Errorf("xlsx rows %v", rows)
	}
	if _, err := exec.LookPath("ogr2ogr"); err == nil {
		res = get("?format=shp&srid=4528&encoding=GBK")
		b = read(res)
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil || len(zr.File) != 5 || res.Header.Get("Content-Type") != "application/zip" {
			t.Errorf("shp: %v %d files", err, len(zr.File))
		}
		res = get("?format=gpkg")
		if b := read(res); !bytes.HasPrefix(b, []byte("SQLite format 3")) {
			t.Errorf("gpkg: %d %q", res.StatusCode, clipText(string(b)))
		}
	}
	for q, want := range map[string]int{
		"?format=pdf":             400,
		"?srid=3857":              400,
		"?colour=red":             400,
		"?status=sold":            400,
		"?land_use=99":            400,
		"?encoding=GBK":           400,
		"?precision=99":           400,
		"?bbox=1,2,3":             400,
		"?format=csv&format=xlsx": 400,
		"?bbox=-1e15,-1e15,1e15,1e15&bbox-crs=EPSG:4549": 400,
	} {
		res := get(q)
		b := read(res)
		var body map[string]any
		if res.StatusCode != want || json.Unmarshal(b, &body) != nil || body["error"] == nil {
			t.Errorf("GET exports%s: %d %s", q, res.StatusCode, clipText(string(b)))
		}
	}
	res, _ = http.Get(e.url + "/api/exports/roads")
	if read(res); res.StatusCode != 404 {
		t.Errorf("unknown layer: %d", res.StatusCode)
	}
	res, _ = http.Get(e.url + "/api/exports/parks?status=reserve")
	if read(res); res.StatusCode != 400 {
		t.Errorf("filter on parks: %d", res.StatusCode)
	}
}
