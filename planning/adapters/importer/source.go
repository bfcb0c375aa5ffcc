package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/imports"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// OpenOptions say how to read a file where the file itself does not.
type OpenOptions struct {
	Name        string // shown in the report; default: the file's base name
	SRID        int    // the coordinates' EPSG code; 0: from the file (.prj, crs member), else assumed 4490
	Encoding    string // the text encoding of a Shapefile's DBF or a CSV; "": from the .cpg, else detected
	SourceLayer string // the layer of a multi-layer source (GeoPackage), or the Shapefile in a folder or .zip
	SwapAxes    bool   // the file gives y before x
}

// Source is an open file that yields GeoJSON features, read natively or
// converted on the fly by GDAL's ogr2ogr.
type Source struct {
	Info     imports.SourceInfo
	crs      crs
	fallback encoding.Encoding
	dec      *Decoder
	peeked   []RawFeature // read ahead, handed out first
	peekErr  error        // what reading ahead ended with (io.EOF: the whole file)
	closers  []func() error
	ogr      *ogrRun
	mu       sync.Mutex // guards warnings: the reader and Close both add to them
	warnings []imports.Issue
	fields   []string
	fieldsOK bool
	complete bool // fields come from the whole file (GDAL's schema, or a GeoJSON read to its end)
}

// Reading ahead for the attribute names of a GeoJSON: features may leave
// out properties, so the names are the union over the first features.
const (
	sampleFeatures = 1000
	sampleBytes    = 8 << 20
)

// Native and GDAL formats by file extension.
var (
	nativeExt = map[string]bool{".geojson": true, ".json": true, ".geojsonl": true, ".geojsons": true, ".ndjson": true, ".jsonl": true}
	ogrExt    = map[string]string{".shp": "ESRI Shapefile", ".dbf": "ESRI Shapefile", ".gpkg": "GPKG", ".csv": "CSV", ".kml": "KML",
		".gml": "GML", ".tab": "MapInfo File", ".mif": "MapInfo File", ".fgb": "FlatGeobuf", ".sqlite": "SQLite", ".gdb": "OpenFileGDB"}
)

var spreadsheet = map[string]bool{".xlsx": true, ".xls": true, ".ods": true}

// SupportedFormats names what Open reads, for messages.
const SupportedFormats = "GeoJSON (.geojson, .json, GeoJSON sequences), Shapefile (.shp with .dbf/.shx/.prj/.cpg, a folder or a .zip of them), GeoPackage (.gpkg), CSV with a WKT column, and the other vector formats of GDAL (KML, GML, MapInfo, FlatGeobuf, FileGDB)"

func invalidf(format string, args ...any) *planning.Error {
	return planning.Errorf(planning.ErrInvalid, format, args...)
}

// Open opens path (a file, a folder holding a Shapefile, or a .zip).
func Open(ctx context.Context, path string, opt OpenOptions) (*Source, error) {
	if opt.Name == "" {
		opt.Name = filepath.Base(path)
	}
	s := &Source{Info: imports.SourceInfo{Name: opt.Name}}
	fallback, gdalEnc, err := encodingFor(opt.Encoding)
	if err != nil {
		return nil, err
	}
	s.fallback = fallback
	st, err := os.Stat(path)
	if err != nil {
		return nil, invalidf("cannot open %s: %v", opt.Name, errors.Unwrap(err))
	}
	if st.IsDir() {
		return s.openDir(ctx, path, opt, gdalEnc)
	}
	s.Info.Bytes = st.Size()
	ext := strings.ToLower(filepath.Ext(path))
	if ext == "" || (!nativeExt[ext] && ogrExt[ext] == "" && ext != ".zip" && !spreadsheet[ext]) {
		ext = sniffExt(path)
	}
	switch {
	case ext == ".zip":
		return s.openZip(ctx, path, opt, gdalEnc)
	case nativeExt[ext]:
		f, err := os.Open(path)
		if err != nil {
			return nil, invalidf("cannot open %s: %v", opt.Name, err)
		}
		s.closers = append(s.closers, f.Close)
		return s.native(f, opt)
	case spreadsheet[ext]:
		return nil, invalidf("%s is a spreadsheet: it has no outlines to import; export the layer with its geometry (GeoPackage, Shapefile, GeoJSON, or CSV with a WKT column)", opt.Name)
	case ogrExt[ext] != "":
		if ext == ".dbf" {
			path = strings.TrimSuffix(path, filepath.Ext(path)) + ".shp"
			ext = ".shp"
		}
		if ext == ".shp" {
			if err := checkShapefile(path, opt.Name); err != nil {
				return nil, err
			}
			gdalEnc = s.shapefileEncoding(readSibling(path, ".cpg"), opt.Encoding, gdalEnc)
		}
		return s.openOGR(ctx, path, ogrExt[ext], opt, gdalEnc)
	}
	return nil, invalidf("%s is not a format landquota reads; it reads %s", opt.Name, SupportedFormats)
}

// sniffExt guesses a format from the first bytes of a file.
func sniffExt(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return ".zip"
	case bytes.HasPrefix(head, []byte("SQLite format 3\x00")):
		return ".gpkg"
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n\x1e")
	if len(t) > 0 && t[0] == '{' {
		return ".geojson"
	}
	if bytes.HasPrefix(bytes.ToLower(t), []byte("wkt,")) || bytes.Contains(bytes.ToLower(t), []byte(",wkt")) {
		return ".csv"
	}
	return ""
}

// encodingFor reads --encoding: the decoder for text that is not UTF-8,
// and the name GDAL (iconv) knows it by.
func encodingFor(name string) (encoding.Encoding, string, error) {
	if strings.TrimSpace(name) == "" {
		return simplifiedchinese.GB18030, "", nil
	}
	n := strings.ToLower(strings.TrimSpace(name))
	switch {
	case imports.GBKLabel(n):
		n = "gbk"
	case n == "utf8":
		n = "utf-8"
	}
	e, err := htmlindex.Get(n)
	if err != nil {
		return nil, "", invalidf("unknown text encoding %q (for example GBK, GB18030, UTF-8, Big5)", name).WithDetail("field", "encoding")
	}
	canon, _ := htmlindex.Name(e)
	switch canon {
	case "gbk":
		// GB18030 is a superset of GBK: files labelled GBK often hold
		// characters only GB18030 encodes (㙟 in village names), which
		// GDAL's CP936 would turn into "01".
		return simplifiedchinese.GB18030, "GB18030", nil
	case "gb18030":
		return simplifiedchinese.GB18030, "GB18030", nil
	case "utf-8":
		return unicode.UTF8, "UTF-8", nil
	}
	return e, strings.ToUpper(canon), nil
}

// shapefileEncoding records where a Shapefile's text encoding comes from,
// and returns the encoding GDAL is to read it with: a .cpg naming GBK (936,
// CP936, GB2312, ...) is read as GB18030, its superset.
func (s *Source) shapefileEncoding(cpg, flag, gdalEnc string) string {
	switch {
	case flag != "":
		s.Info.Encoding, s.Info.EncodingFrom = strings.ToUpper(flag), "--encoding"
	case strings.TrimSpace(cpg) != "":
		s.Info.Encoding, s.Info.EncodingFrom = strings.TrimSpace(cpg), ".cpg"
		if imports.GBKLabel(cpg) {
			s.Info.Encoding = strings.TrimSpace(cpg) + " (read as GB18030, its superset)"
			return "GB18030"
		}
	default:
		s.Info.Encoding, s.Info.EncodingFrom = "GB18030 for text that is not UTF-8", "no .cpg: detected per value"
	}
	return gdalEnc
}

func readSibling(shp, ext string) string {
	base := strings.TrimSuffix(shp, filepath.Ext(shp))
	for _, e := range []string{ext, strings.ToUpper(ext)} {
		if b, err := os.ReadFile(base + e); err == nil && len(b) < 4096 {
			return string(b)
		}
	}
	return ""
}

func hasSibling(shp, ext string) bool {
	base := strings.TrimSuffix(shp, filepath.Ext(shp))
	for _, e := range []string{ext, strings.ToUpper(ext)} {
		if _, err := os.Stat(base + e); err == nil {
			return true
		}
	}
	return false
}

func checkShapefile(path, name string) error {
	if _, err := os.Stat(path); err != nil {
		return invalidf("%s: the .shp is missing", name)
	}
	for _, part := range []struct{ ext, what string }{{".dbf", "attributes"}, {".shx", "index of the shapes"}} {
		if !hasSibling(path, part.ext) {
			return invalidf("%s: the %s file (the %s) is missing; copy all of .shp, .shx, .dbf, .prj and .cpg together", name, part.ext, part.what)
		}
	}
	return nil
}

// openDir reads a folder that holds one Shapefile (or names it with SourceLayer).
func (s *Source) openDir(ctx context.Context, dir string, opt OpenOptions, gdalEnc string) (*Source, error) {
	if strings.EqualFold(filepath.Ext(dir), ".gdb") {
		return s.openOGR(ctx, dir, "OpenFileGDB", opt, gdalEnc)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, invalidf("cannot read the folder %s: %v", opt.Name, err)
	}
	var shps []string
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".shp") {
			shps = append(shps, e.Name())
		}
	}
	shp, err := pick(shps, opt.SourceLayer, opt.Name, "Shapefile")
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, shp)
	if err := checkShapefile(path, opt.Name+"/"+shp); err != nil {
		return nil, err
	}
	gdalEnc = s.shapefileEncoding(readSibling(path, ".cpg"), opt.Encoding, gdalEnc)
	s.Info.SourceLayer = strings.TrimSuffix(shp, filepath.Ext(shp))
	opt.SourceLayer = ""
	return s.openOGR(ctx, path, "ESRI Shapefile", opt, gdalEnc)
}

// pick chooses one of names: the only one, or the one want names.
func pick(names []string, want, where, what string) (string, error) {
	sort.Strings(names)
	if want != "" {
		for _, n := range names {
			if n == want || strings.TrimSuffix(n, filepath.Ext(n)) == want || filepath.Base(strings.TrimSuffix(n, filepath.Ext(n))) == want {
				return n, nil
			}
		}
		return "", invalidf("%s holds no %s named %q (it holds: %s)", where, what, want, strings.Join(names, ", "))
	}
	switch len(names) {
	case 0:
		return "", invalidf("%s holds no %s", where, what)
	case 1:
		return names[0], nil
	}
	return "", invalidf("%s holds %d %ss (%s): name one with --source-layer", where, len(names), what, strings.Join(names, ", "))
}

// openZip reads a .zip holding a Shapefile, a GeoPackage or a GeoJSON.
func (s *Source) openZip(ctx context.Context, path string, opt OpenOptions, gdalEnc string) (*Source, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, invalidf("%s is not a readable .zip: %v", opt.Name, err)
	}
	entries := map[string]*zip.File{}
	var shps, others []string
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "__MACOSX/") || strings.HasSuffix(f.Name, "/") {
			continue
		}
		entries[strings.ToLower(f.Name)] = f
		switch ext := strings.ToLower(filepath.Ext(f.Name)); {
		case ext == ".shp":
			shps = append(shps, f.Name)
		case ext == ".gpkg" || nativeExt[ext]:
			others = append(others, f.Name)
		}
	}
	if len(shps) == 0 && len(others) == 0 {
		zr.Close()
		return nil, invalidf("%s holds no Shapefile (.shp), GeoPackage or GeoJSON", opt.Name)
	}
	name, err := pick(append(shps, others...), opt.SourceLayer, opt.Name, "data file")
	if err != nil {
		zr.Close()
		return nil, err
	}
	ext := strings.ToLower(filepath.Ext(name))
	if nativeExt[ext] {
		f, err := entries[strings.ToLower(name)].Open()
		if err != nil {
			zr.Close()
			return nil, invalidf("%s: cannot read %s: %v", opt.Name, name, err)
		}
		s.Info.Bytes = int64(entries[strings.ToLower(name)].UncompressedSize64)
		s.closers = append(s.closers, f.Close, zr.Close)
		s.Info.SourceLayer = name
		return s.native(f, opt)
	}
	defer zr.Close()
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	vsi := "/vsizip/" + abs + "/" + name
	if ext == ".shp" {
		base := strings.ToLower(strings.TrimSuffix(name, filepath.Ext(name)))
		for _, part := range []struct{ ext, what string }{{".dbf", "attributes"}, {".shx", "index of the shapes"}} {
			if entries[base+part.ext] == nil {
				return nil, invalidf("%s: %s has no %s file (the %s); zip all of .shp, .shx, .dbf, .prj and .cpg together", opt.Name, name, part.ext, part.what)
			}
		}
		cpg := ""
		if f := entries[base+".cpg"]; f != nil && f.UncompressedSize64 < 4096 {
			if r, err := f.Open(); err == nil {
				b, _ := io.ReadAll(r)
				r.Close()
				cpg = string(b)
			}
		}
		gdalEnc = s.shapefileEncoding(cpg, opt.Encoding, gdalEnc)
		s.Info.SourceLayer = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		opt.SourceLayer = ""
		return s.openOGR(ctx, vsi, "ESRI Shapefile", opt, gdalEnc)
	}
	opt.SourceLayer = ""
	return s.openOGR(ctx, vsi, "GPKG", opt, gdalEnc)
}

// native reads GeoJSON with landquota's own decoder.
func (s *Source) native(r io.Reader, opt OpenOptions) (*Source, error) {
	s.Info.Format = "GeoJSON"
	if s.Info.Encoding == "" {
		s.Info.Encoding, s.Info.EncodingFrom = "UTF-8", "GeoJSON"
	}
	s.dec = NewDecoder(r)
	// The crs member comes before the features in every writer we know;
	// read up to the first feature to see it.
	s.peek()
	if s.peekErr != nil && s.peekErr != io.EOF {
		err := s.peekErr
		s.Close()
		return nil, err
	}
	srid, from := 0, ""
	if name := s.dec.CRS(); name != "" {
		n, ok := crsFromName(name)
		if !ok {
			s.Close()
			return nil, invalidf("%s: the GeoJSON names coordinate system %q, which landquota does not know: give --srid", opt.Name, name)
		}
		srid, from = n, "crs member"
	}
	if err := s.setCRS(opt, srid, from, ""); err != nil {
		s.Close()
		return nil, err
	}
	if s.crs.srid != 0 && !isNative(s.crs.srid) {
		s.Close()
		return nil, invalidf("%s is in EPSG:%d; landquota transforms GeoJSON from EPSG:4490, 4326, 4549 and 4528 itself: convert it with ogr2ogr -t_srs EPSG:4490, or send it as a Shapefile or GeoPackage", opt.Name, s.crs.srid)
	}
	return s, nil
}

// setCRS decides how coordinates become EPSG:4490. fileSRID is what the
// file says (0 nothing); wkt is the file's definition when GDAL read it.
func (s *Source) setCRS(opt OpenOptions, fileSRID int, from, wkt string) error {
	c := crs{swap: opt.SwapAxes}
	switch {
	case opt.SRID != 0:
		c.srid, c.from, c.declared = opt.SRID, "--srid", true
	case fileSRID != 0:
		c.srid, c.from, c.declared = fileSRID, from, true
	default:
		c.srid, c.from = geo.SRIDStore, "assumed (the file names no coordinate system)"
		if wkt != "" {
			c.from = "the file's own definition (no EPSG code)"
			c.declared = true
			c.srid = 0
		}
	}
	s.crs = c
	s.Info.SRID, s.Info.SRIDFrom = c.srid, c.from
	switch {
	case c.srid == geo.SRIDMeasure || c.srid == geo.SRIDSurvey:
		s.Info.TransformedBy = "landquota"
	case c.srid == geo.SRIDStore || c.srid == geo.SRIDWGS84:
		s.Info.TransformedBy = ""
	default:
		s.Info.TransformedBy = "GDAL"
	}
	return nil
}

// peek reads the first feature ahead.
func (s *Source) peek() {
	if len(s.peeked) > 0 || s.peekErr != nil {
		return
	}
	s.readAhead(1, 0)
}

// readAhead reads features ahead until it holds n or size bytes of them.
func (s *Source) readAhead(n, size int) {
	total := 0
	for _, f := range s.peeked {
		total += len(f.Data)
	}
	for s.peekErr == nil && len(s.peeked) < n && (size == 0 || total < size) {
		f, err := s.dec.Next()
		if err != nil {
			s.peekErr = err
			return
		}
		s.peeked = append(s.peeked, f)
		total += len(f.Data)
	}
}

// Fields lists the attribute names of the file: those of its first
// features (GeoJSON), or of the layer (GDAL). nil when the file is empty.
func (s *Source) Fields() []string {
	if s.fieldsOK {
		return s.fields
	}
	s.fieldsOK = true
	s.readAhead(sampleFeatures, sampleBytes)
	s.complete = s.peekErr == io.EOF
	if len(s.peeked) == 0 {
		return nil
	}
	fields := []string{}
	seen := map[string]bool{}
	for _, f := range s.peeked {
		var props []byte
		_ = eachMember(f.Data, func(key []byte, _ bool, val []byte) error {
			if string(key) == "properties" {
				props = val
			}
			return nil
		})
		if i := skipSpace(props, 0); i < len(props) && props[i] == '{' {
			_ = eachMember(props, func(key []byte, esc bool, _ []byte) error {
				if k := keyText(key, esc); !seen[k] {
					seen[k] = true
					fields = append(fields, k)
				}
				return nil
			})
		}
	}
	s.fields = fields
	return fields
}

// FieldsComplete reports whether Fields saw the whole file's attribute
// names (GDAL's layer schema, or a GeoJSON short enough to read ahead).
func (s *Source) FieldsComplete() bool { return s.complete }

// Next returns the next feature, or io.EOF.
func (s *Source) Next() (RawFeature, error) {
	if len(s.peeked) > 0 {
		f := s.peeked[0]
		s.peeked[0] = RawFeature{}
		s.peeked = s.peeked[1:]
		return f, nil
	}
	if s.peekErr != nil {
		return RawFeature{}, s.wrapOGR(s.peekErr)
	}
	f, err := s.dec.Next()
	return f, s.wrapOGR(err)
}

// BytesRead is how much of the input has been read.
func (s *Source) BytesRead() int64 { return s.dec.BytesRead() }

// Warnings are the findings of opening the file (GDAL's warnings among them).
func (s *Source) Warnings() []imports.Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]imports.Issue(nil), s.warnings...)
}

// Close stops the conversion (if any) and releases the file. It returns
// ogr2ogr's failure, if it failed.
func (s *Source) Close() error {
	var first error
	if s.ogr != nil {
		if err := s.ogr.stop(); err != nil {
			first = err
		}
		s.mu.Lock()
		s.warnings = append(s.warnings, s.ogr.warnings()...)
		s.mu.Unlock()
	}
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
	return first
}

// Finish waits for ogr2ogr after the last feature and reports its failure.
func (s *Source) Finish() error {
	if s.ogr == nil {
		return nil
	}
	err := s.ogr.wait()
	s.mu.Lock()
	s.warnings = append(s.warnings, s.ogr.warnings()...)
	s.mu.Unlock()
	return err
}

func (s *Source) wrapOGR(err error) error {
	if err == nil || err == io.EOF || s.ogr == nil {
		return err
	}
	if werr := s.ogr.wait(); werr != nil {
		return werr
	}
	return err
}

func (s *Source) String() string { return fmt.Sprintf("%s (%s)", s.Info.Name, s.Info.Format) }
