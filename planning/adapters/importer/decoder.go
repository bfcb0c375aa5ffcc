package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/hangzhou-hitech/landquota/planning"
)

// RawFeature is one feature as it appears in the file: its position and
// its JSON text, not yet looked at.
type RawFeature struct {
	Index int64 // 1-based
	Data  []byte
}

// MaxFeatureBytes bounds one feature's JSON text; a bigger one is refused
// before it is held in memory whole.
const MaxFeatureBytes = 256 << 20

// Decoder reads GeoJSON features one at a time from a FeatureCollection,
// a lone Feature, or a sequence of Features (newline-delimited GeoJSON or
// RFC 8142 GeoJSON Text Sequences). Memory holds one feature at a time,
// whatever the size of the file.
//
// The members before the features (type, crs, name ...) are read with
// encoding/json's tokenizer; the features themselves are cut out of the
// stream by a small scanner that checks their syntax in the same pass,
// three times faster than decoding each into a json.RawMessage.
type Decoder struct {
	r     *guardReader
	dec   *json.Decoder
	sp    *splitter // takes over from dec at the features
	state int       // 0 start, 1 in the features array, 2 after it, 3 a sequence of features, 4 done
	index int64
	crs   string
	typ   string
	lone  map[string]json.RawMessage // members of a top-level Feature
	first []byte                     // that Feature rebuilt, until Next returns it
	err   error
	limit int // MaxFeatureBytes; smaller in tests
}

// NewDecoder reads from r.
func NewDecoder(r io.Reader) *Decoder {
	g := &guardReader{r: bufio.NewReaderSize(r, 256<<10)}
	return &Decoder{r: g, dec: json.NewDecoder(g), limit: MaxFeatureBytes}
}

// CRS is the name in the top-level "crs" member, if it came before the
// features ("" otherwise).
func (d *Decoder) CRS() string { return d.crs }

// BytesRead is how far the decoder has read (for progress).
func (d *Decoder) BytesRead() int64 { return d.r.n.Load() }

// inputError builds the error for a file that cannot be read further.
func (d *Decoder) inputError(err error) error {
	var pe *planning.Error
	if errors.As(err, &pe) {
		return err
	}
	var syn *json.SyntaxError
	var e *planning.Error
	switch {
	case errors.Is(err, errFeatureTooBig):
		e = planning.Errorf(planning.ErrInvalid, "feature %d is larger than %d MiB of JSON: split or simplify it", d.index+1, d.limit>>20)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, errShort):
		e = planning.Errorf(planning.ErrInvalid, "the GeoJSON ends in the middle (after %d complete features): the file is cut short", d.index)
	case errors.As(err, &syn):
		e = planning.Errorf(planning.ErrInvalid, "not valid JSON at byte %d (after %d complete features): %v", syn.Offset, d.index, syn)
		if bytes.Contains([]byte(syn.Error()), []byte("'N'")) || bytes.Contains([]byte(syn.Error()), []byte("'I'")) {
			e = planning.Errorf(planning.ErrInvalid, "not valid JSON at byte %d (after %d complete features): %v (NaN and Infinity are not JSON numbers)", syn.Offset, d.index, syn)
		}
	default:
		var ue *json.UnmarshalTypeError
		if !errors.As(err, &ue) {
			return planning.Errorf(planning.ErrInvalid, "cannot read the file: %v", err).WithCause(err)
		}
		if ue.Field == "" {
			e = planning.Errorf(planning.ErrInvalid, "not GeoJSON: expected a JSON object, got %s (after %d complete features)", ue.Value, d.index)
		} else {
			e = planning.Errorf(planning.ErrInvalid, "not GeoJSON: %s: expected %s, got a JSON %s (after %d complete features)", ue.Field, ue.Type, ue.Value, d.index)
		}
	}
	return e.WithCause(err).WithDetail("feature", d.index+1)
}

func (d *Decoder) fail(format string, args ...any) error {
	return planning.Errorf(planning.ErrInvalid, format, args...).WithDetail("feature", d.index+1)
}

// Next returns the next feature, or io.EOF after the last.
func (d *Decoder) Next() (RawFeature, error) {
	if d.err != nil {
		return RawFeature{}, d.err
	}
	f, err := d.next()
	if err == io.EOF {
		d.state = 4
		return f, err
	}
	if err != nil {
		d.err = d.inputError(err)
		d.state = 4
		return RawFeature{}, d.err
	}
	return f, nil
}

func (d *Decoder) next() (RawFeature, error) {
	for {
		switch d.state {
		case 0:
			if err := d.start(); err != nil {
				return RawFeature{}, err
			}
		case 1:
			c, err := d.sp.peek()
			if err != nil {
				return RawFeature{}, shortIfEOF(err)
			}
			if c == ']' {
				d.sp.skip(1)
				d.state = 2
				continue
			}
			if d.index > 0 {
				if c != ',' {
					return RawFeature{}, d.sp.syntax("expected ',' or ']' after feature %d", d.index)
				}
				d.sp.skip(1)
			}
			return d.feature()
		case 2:
			return RawFeature{}, d.tail()
		case 3:
			if d.first != nil {
				raw := d.first
				d.first = nil
				d.index++
				return RawFeature{Index: d.index, Data: raw}, nil
			}
			if _, err := d.sp.peek(); err == io.EOF {
				return RawFeature{}, io.EOF
			} else if err != nil {
				return RawFeature{}, err
			}
			return d.feature()
		default:
			return RawFeature{}, io.EOF
		}
	}
}

func shortIfEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (d *Decoder) feature() (RawFeature, error) {
	raw, err := d.sp.value()
	if err != nil {
		return RawFeature{}, err
	}
	d.index++
	return RawFeature{Index: d.index, Data: bytes.Clone(raw)}, nil
}

// start reads up to the features array, or through a lone Feature.
func (d *Decoder) start() error {
	tok, err := d.dec.Token()
	if err == io.EOF {
		return d.fail("the file is empty: expected a GeoJSON FeatureCollection")
	}
	if err != nil {
		return err
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return d.fail("not GeoJSON: expected a JSON object (a FeatureCollection or Features), found %v", describeToken(tok))
	}
	d.lone = map[string]json.RawMessage{}
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			if err := d.dec.Decode(&d.typ); err != nil {
				return err
			}
			if d.typ != "FeatureCollection" && d.typ != "Feature" {
				return d.fail("expected a GeoJSON FeatureCollection or Feature, got type %q", d.typ)
			}
		case "crs":
			var c struct {
				Properties struct {
					Name string `json:"name"`
				} `json:"properties"`
			}
			if err := d.dec.Decode(&c); err != nil {
				return err
			}
			d.crs = c.Properties.Name
		case "features":
			if d.typ == "Feature" || len(d.lone) > 0 {
				return d.fail("a Feature cannot hold features")
			}
			tok, err := d.dec.Token()
			if err != nil {
				return err
			}
			if delim, ok := tok.(json.Delim); !ok || delim != '[' {
				return d.fail("\"features\" must be an array, found %v", describeToken(tok))
			}
			d.handOver()
			d.state = 1
			return nil
		case "geometry", "properties", "id":
			var raw json.RawMessage
			if err := d.dec.Decode(&raw); err != nil {
				return err
			}
			d.lone[key] = raw
		default:
			var skip json.RawMessage
			if err := d.dec.Decode(&skip); err != nil {
				return err
			}
		}
	}
	if _, err := d.dec.Token(); err != nil { // }
		return err
	}
	// The first object closed without a features array: a lone Feature,
	// perhaps the first of a sequence.
	if d.typ != "Feature" {
		if d.typ == "" {
			return d.fail("not GeoJSON: the object has no \"type\" and no \"features\"")
		}
		return d.fail("the FeatureCollection has no \"features\" array")
	}
	d.lone["type"] = json.RawMessage(`"Feature"`)
	d.first = rebuild(d.lone)
	d.handOver()
	d.state = 3
	return nil
}

// handOver passes the rest of the input from the tokenizer to the splitter.
func (d *Decoder) handOver() {
	d.sp = &splitter{r: io.MultiReader(d.dec.Buffered(), d.r), limit: d.limit, offset: d.dec.InputOffset()}
	d.r.boundary = -1 // the splitter bounds features itself
}

// tail reads the members after the features array and checks that
// nothing follows the FeatureCollection.
func (d *Decoder) tail() error {
	for {
		c, err := d.sp.peek()
		if err != nil {
			return shortIfEOF(err)
		}
		switch c {
		case '}':
			d.sp.skip(1)
			if d.typ != "FeatureCollection" {
				if d.typ == "" {
					return d.fail("the object has features but no \"type\": \"FeatureCollection\"")
				}
				return d.fail("expected type FeatureCollection, got %q", d.typ)
			}
			if _, err := d.sp.peek(); err != io.EOF {
				if err != nil {
					return err
				}
				return d.sp.syntax("unexpected data after the FeatureCollection")
			}
			return io.EOF
		case ',':
			d.sp.skip(1)
			key, err := d.sp.take(func(b []byte) (int, error) {
				end, _, err := skipString(b, skipSpace(b, 0))
				return end, err
			})
			if err != nil {
				return err
			}
			if c, err := d.sp.peek(); err != nil || c != ':' {
				return d.sp.syntax("expected ':' after a member name")
			}
			d.sp.skip(1)
			val, err := d.sp.value()
			if err != nil {
				return err
			}
			if string(bytes.TrimSpace(key)) == `"type"` {
				var t textDecoder
				v, err := t.value(val)
				if err != nil || v.kind != 's' {
					return d.fail("the FeatureCollection's type must be a text")
				}
				d.typ = v.str
			}
		default:
			return d.sp.syntax("expected ',' or '}' after the features")
		}
	}
}

// splitter cuts JSON values out of a stream.
type splitter struct {
	r      io.Reader
	buf    []byte
	start  int
	end    int
	eof    bool
	rerr   error
	limit  int
	offset int64 // input offset of buf[0]
}

// fill reads more input, keeping buf[start:end].
func (s *splitter) fill() error {
	if s.eof {
		if s.rerr != nil {
			return s.rerr
		}
		return io.EOF
	}
	if s.start > 0 {
		n := copy(s.buf, s.buf[s.start:s.end])
		s.offset += int64(s.start)
		s.start, s.end = 0, n
	}
	if s.end == len(s.buf) {
		if s.end >= s.limit {
			return errFeatureTooBig
		}
		size := max(2*len(s.buf), 1<<20)
		nb := make([]byte, size)
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	n, err := s.r.Read(s.buf[s.end:])
	s.end += n
	if err != nil {
		s.eof = true
		if err != io.EOF {
			s.rerr = err
		}
		if n == 0 {
			return s.fill()
		}
	}
	return nil
}

// peek returns the next byte that is not white space (io.EOF at the end).
func (s *splitter) peek() (byte, error) {
	for {
		for s.start < s.end && isSpace(s.buf[s.start]) {
			s.start++
		}
		if s.start < s.end {
			return s.buf[s.start], nil
		}
		if err := s.fill(); err != nil {
			return 0, err
		}
	}
}

func (s *splitter) skip(n int) { s.start += n }

// take cuts the next piece that scan recognises, reading until it is whole.
// The bytes are valid until the next call.
func (s *splitter) take(scan func([]byte) (int, error)) ([]byte, error) {
	for {
		n, err := scan(s.buf[s.start:s.end])
		if err == nil {
			if n > s.limit {
				return nil, errFeatureTooBig
			}
			b := s.buf[s.start : s.start+n]
			s.start += n
			return b, nil
		}
		if err != errShort {
			return nil, s.syntax("%v", err)
		}
		if s.end-s.start > s.limit {
			return nil, errFeatureTooBig
		}
		if err := s.fill(); err != nil {
			return nil, shortIfEOF(err)
		}
	}
}

// value cuts the next JSON value.
func (s *splitter) value() ([]byte, error) {
	if _, err := s.peek(); err != nil {
		return nil, shortIfEOF(err)
	}
	return s.take(func(b []byte) (int, error) {
		end, err := skipValue(b, 0, 0)
		if err == nil && end == len(b) && b[0] != '{' && b[0] != '[' && b[0] != '"' && !s.eof {
			return 0, errShort // a number or literal may go on
		}
		return end, err
	})
}

// syntax reports malformed input at the current position.
func (s *splitter) syntax(format string, args ...any) error {
	pos := s.offset + int64(s.start)
	msg := planning.Textf(format, args...)
	rest := s.buf[s.start:s.end]
	if i := bytes.IndexAny(rest, "NI"); i >= 0 && (bytes.Contains(rest, []byte("NaN")) || bytes.Contains(rest, []byte("Infinity"))) {
		msg = planning.Textf("%s (NaN and Infinity are not JSON numbers)", msg)
	}
	return planning.Errorf(planning.ErrInvalid, "not valid JSON near byte %d: %s", pos, msg).WithDetail("byte", pos)
}

func rebuild(m map[string]json.RawMessage) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for _, k := range []string{"type", "id", "geometry", "properties"} {
		if v, ok := m[k]; ok {
			if !first {
				b.WriteByte(',')
			}
			first = false
			b.WriteString(`"` + k + `":`)
			b.Write(v)
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}

func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return "'" + t.String() + "'"
	case string:
		return fmt.Sprintf("the text %q", t)
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}

var errFeatureTooBig = errors.New("feature too big")

// guardReader counts the bytes read and, while the tokenizer reads (before
// the features), refuses to read far beyond the last value boundary. It
// also turns the record separators of RFC 8142 (0x1E) into newlines,
// which JSON takes as white space (a raw 0x1E cannot occur inside a JSON
// string).
type guardReader struct {
	r        io.Reader
	n        atomic.Int64
	boundary int64 // -1: no guard
}

func (g *guardReader) Read(p []byte) (int, error) {
	if g.boundary >= 0 && g.n.Load()-g.boundary > MaxFeatureBytes {
		return 0, errFeatureTooBig
	}
	n, err := g.r.Read(p)
	for i := bytes.IndexByte(p[:n], 0x1e); i >= 0; {
		p[i] = '\n'
		j := bytes.IndexByte(p[i+1:n], 0x1e)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	g.n.Add(int64(n))
	return n, err
}
