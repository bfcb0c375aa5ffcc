package importer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/imports"
)

// GDAL is used through its command-line tools, ogrinfo and ogr2ogr (the
// Debian package gdal-bin): ogr2ogr writes the layer as GeoJSON to its
// standard output and landquota reads it as it comes, so nothing is
// converted to disk first.

// ErrNoGDAL is the cause of the error when a format needs GDAL and it is
// not installed.
var ErrNoGDAL = errors.New("GDAL's ogr2ogr/ogrinfo not found")

// LookGDAL finds a GDAL tool, or explains how to install it.
func LookGDAL(tool, why string) (string, error) {
	p, err := exec.LookPath(tool)
	if err != nil {
		return "", planning.Errorf(planning.ErrInvalid, "%s needs GDAL's %s, which is not installed: install the Debian package gdal-bin (sudo apt-get install gdal-bin), or use GeoJSON", why, tool).
			WithCause(ErrNoGDAL).WithDetail("package", "gdal-bin")
	}
	return p, nil
}

// ogrLayer is what ogrinfo says of one layer.
type ogrLayer struct {
	name     string
	geometry string
	count    int64
	wkt      string
	fields   []string
}

var ogrFieldLine = regexp.MustCompile(`^(.+): (String|Integer|Integer64|Real|Date|DateTime|Time|StringList|IntegerList|Integer64List|RealList|Binary)(\s|\(|$)`)

// parseOGRInfo reads the output of ogrinfo -ro -so -nomd [-al].
func parseOGRInfo(out string) []ogrLayer {
	var layers []ogrLayer
	var cur *ogrLayer
	inWKT := false
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "Layer name: "):
			layers = append(layers, ogrLayer{name: strings.TrimPrefix(line, "Layer name: ")})
			cur = &layers[len(layers)-1]
			inWKT = false
		case cur == nil:
		case strings.HasPrefix(line, "Geometry: "):
			cur.geometry = strings.TrimPrefix(line, "Geometry: ")
		case strings.HasPrefix(line, "Feature Count: "):
			cur.count, _ = strconv.ParseInt(strings.TrimPrefix(line, "Feature Count: "), 10, 64)
		case strings.HasPrefix(line, "Layer SRS WKT:"):
			inWKT = true
		case inWKT && (strings.HasPrefix(line, "Data axis to CRS axis mapping") || ogrFieldLine.MatchString(line) ||
			strings.HasPrefix(line, "FID Column") || strings.HasPrefix(line, "Geometry Column")):
			inWKT = false
			if m := ogrFieldLine.FindStringSubmatch(line); m != nil {
				cur.fields = append(cur.fields, m[1])
			}
		case inWKT:
			if strings.TrimSpace(line) != "(unknown)" {
				cur.wkt += line + "\n"
			}
		default:
			if m := ogrFieldLine.FindStringSubmatch(line); m != nil {
				cur.fields = append(cur.fields, m[1])
			}
		}
	}
	return layers
}

// openOGR reads path through ogr2ogr.
func (s *Source) openOGR(ctx context.Context, path, format string, opt OpenOptions, gdalEnc string) (*Source, error) {
	s.Info.Format = format
	if s.Info.Encoding == "" {
		switch {
		case opt.Encoding != "":
			s.Info.Encoding, s.Info.EncodingFrom = strings.ToUpper(opt.Encoding), "--encoding"
		case format == "CSV":
			s.Info.Encoding, s.Info.EncodingFrom = "GB18030 for text that is not UTF-8", "detected per value"
		default:
			s.Info.Encoding, s.Info.EncodingFrom = "UTF-8", format
		}
	}
	ogrinfo, err := LookGDAL("ogrinfo", "reading "+format)
	if err != nil {
		return nil, err
	}
	ogr2ogr, err := LookGDAL("ogr2ogr", "reading "+format)
	if err != nil {
		return nil, err
	}
	var open []string
	if format == "ESRI Shapefile" && gdalEnc != "" {
		open = append(open, "-oo", "ENCODING="+gdalEnc)
	}
	if format == "CSV" {
		open = append(open, "-oo", "GEOM_POSSIBLE_NAMES=wkt,WKT,geometry,geom,the_geom,shape", "-oo", "KEEP_GEOM_COLUMNS=NO")
	}
	args := append([]string{"-ro", "-so", "-nomd"}, open...)
	args = append(args, path)
	if opt.SourceLayer != "" {
		args = append(args, opt.SourceLayer)
	} else {
		args = append(args, "-al")
	}
	ictx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ictx, ogrinfo, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := firstLines(stderr.String(), 3)
		if msg == "" {
			msg = err.Error()
		}
		return nil, invalidf("GDAL cannot read %s: %s", opt.Name, msg)
	}
	layers := parseOGRInfo(string(out))
	names := make([]string, len(layers))
	for i, l := range layers {
		names[i] = l.name
	}
	var layer ogrLayer
	switch {
	case len(layers) == 0:
		return nil, invalidf("%s holds no vector layer", opt.Name)
	case len(layers) == 1:
		layer = layers[0]
	default:
		return nil, invalidf("%s holds %d layers (%s): name one with --source-layer", opt.Name, len(layers), strings.Join(names, ", "))
	}
	if g := strings.ToLower(layer.geometry); g != "" && !strings.Contains(g, "polygon") && !strings.Contains(g, "unknown") && g != "none" {
		return nil, invalidf("%s: layer %s holds %s features; outlines must be polygons", opt.Name, layer.name, layer.geometry)
	}
	if layer.geometry == "None" {
		return nil, invalidf("%s: layer %s has no geometry (a CSV needs a WKT column)", opt.Name, layer.name)
	}
	if s.Info.SourceLayer == "" && (opt.SourceLayer != "" || format != "ESRI Shapefile") {
		s.Info.SourceLayer = layer.name
	}
	s.Info.Estimate = layer.count
	s.fields, s.fieldsOK = layer.fields, true
	fileSRID := 0
	if layer.wkt != "" {
		fileSRID = srsFromWKT(layer.wkt)
	}
	from := "file"
	if format == "ESRI Shapefile" {
		from = ".prj"
	}
	if err := s.setCRS(opt, fileSRID, from, layer.wkt); err != nil {
		return nil, err
	}
	conv := []string{"-f", "GeoJSON", "/vsistdout/"}
	conv = append(conv, open...)
	conv = append(conv, path)
	if opt.SourceLayer != "" || format != "ESRI Shapefile" {
		conv = append(conv, layer.name)
	}
	// Every digit: GDAL's default rounds 120.20999999999998 to 120.21.
	conv = append(conv, "-lco", "RFC7946=NO", "-lco", "WRITE_NAME=NO", "-lco", "COORDINATE_PRECISION=17", "-dim", "XY")
	if !isNative(s.crs.srid) {
		// Anything else GDAL transforms; the output is then EPSG:4490.
		if opt.SRID != 0 {
			conv = append(conv, "-s_srs", "EPSG:"+strconv.Itoa(opt.SRID))
		}
		conv = append(conv, "-t_srs", "EPSG:4490")
		s.warnings = append(s.warnings, transformWarning(s.crs.srid, layer.wkt))
		s.crs = crs{srid: geo.SRIDStore, from: s.crs.from, declared: true, swap: s.crs.swap}
	}
	run, err := startOGR(ctx, ogr2ogr, conv)
	if err != nil {
		return nil, err
	}
	s.ogr = run
	s.dec = NewDecoder(run.stdout)
	return s, nil
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.TrimSpace(strings.Join(lines, "; "))
}

// ogrRun is a running ogr2ogr.
type ogrRun struct {
	cmd    *exec.Cmd
	stdout interface{ Read([]byte) (int, error) }
	stderr *capped
	once   sync.Once
	err    error
	warned bool
}

// capped keeps the first 64 KiB written to it.
type capped struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := 64<<10 - c.buf.Len(); room > 0 {
		if len(p) > room {
			c.buf.Write(p[:room])
		} else {
			c.buf.Write(p)
		}
	}
	return len(p), nil
}

func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

func startOGR(ctx context.Context, bin string, args []string) (*ogrRun, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGKILL) }
	r := &ogrRun{cmd: cmd, stderr: &capped{}}
	cmd.Stderr = r.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	r.stdout = out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting ogr2ogr: %w", err)
	}
	return r, nil
}

// wait waits for ogr2ogr to finish and explains its failure.
func (r *ogrRun) wait() error {
	r.once.Do(func() {
		if err := r.cmd.Wait(); err != nil {
			msg := firstLines(errorLines(r.stderr.String()), 3)
			if msg == "" {
				msg = err.Error()
			}
			r.err = invalidf("GDAL could not convert the file: %s", msg)
		}
	})
	return r.err
}

// stop ends ogr2ogr early (the reader gave up) or reaps it.
func (r *ogrRun) stop() error {
	if r.cmd.ProcessState == nil && r.cmd.Process != nil {
		r.cmd.Process.Signal(syscall.SIGKILL)
	}
	r.once.Do(func() { r.cmd.Wait() })
	return nil
}

func errorLines(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "ERROR") || strings.HasPrefix(l, "FAILURE") {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return s
	}
	return strings.Join(out, "\n")
}

// warnings turns ogr2ogr's warnings into report issues (a few of them).
func (r *ogrRun) warnings() []imports.Issue {
	if r.warned {
		return nil
	}
	r.warned = true
	var out []imports.Issue
	seen := map[string]bool{}
	for _, l := range strings.Split(r.stderr.String(), "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "Warning") || seen[l] || len(out) >= 10 {
			continue
		}
		seen[l] = true
		out = append(out, imports.Issue{Severity: imports.SevWarning, Kind: imports.KindGDAL}.Say(planning.Textf("GDAL: %s", l)))
	}
	return out
}

// transformWarning says that GDAL transforms the coordinates from srid (0:
// the file's own definition, wkt) to EPSG:4490, and how far off that may
// be for the old datums.
func transformWarning(srid int, wkt string) imports.Issue {
	what := planning.Textf("the file's own definition")
	if srid != 0 {
		what = planning.Textf("EPSG:%d", srid)
	}
	is := imports.Issue{Severity: imports.SevWarning, Kind: imports.KindTransform}
	if w := strings.ToUpper(wkt); strings.Contains(w, "BEIJING") || strings.Contains(w, "XIAN") || strings.Contains(w, "XI'AN") {
		return is.Say(planning.Textf("coordinates transformed from %s to EPSG:4490 by GDAL; PROJ has no official Beijing 1954 / Xian 1980 to CGCS2000 parameters, so expect errors of up to about 100 m: convert with the official parameters first", what))
	}
	return is.Say(planning.Textf("coordinates transformed from %s to EPSG:4490 by GDAL", what))
}
