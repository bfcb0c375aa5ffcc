package importer

import (
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/hangzhou-hitech/landquota/planning"
	"golang.org/x/text/encoding"
)

// A small scanner over one JSON value that is already in memory: it walks
// an object's members and an array's elements without building maps, so a
// million features cost no more than their bytes. It never trusts its
// input: every index is checked, and malformed text is an error.

var (
	errSyntax = planning.Errorf(planning.ErrInvalid, "malformed JSON")
	// errShort says the text ends inside a value: read more and scan again.
	errShort = errors.New("JSON cut short")
)

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the index after the string that starts at b[i] == '"',
// and whether it holds escapes.
func skipString(b []byte, i int) (end int, escaped bool, err error) {
	if i >= len(b) {
		return 0, false, errShort
	}
	if b[i] != '"' {
		return 0, false, errSyntax
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '\\':
			escaped = true
			j++
		case c == '"':
			return j + 1, escaped, nil
		case c < 0x20:
			return 0, false, errSyntax
		}
	}
	return 0, false, errShort
}

// skipNumber returns the index after a JSON number at b[i], checking its
// grammar (so NaN, Infinity, 0x1F, 01 and 1. are refused). A number that
// runs to the end of b is returned whole: the caller decides.
func skipNumber(b []byte, i int) (int, error) {
	j := i
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j >= len(b):
		return 0, errShort
	case b[j] == '0':
		j++
	case b[j] >= '1' && b[j] <= '9':
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
	default:
		return 0, errSyntax
	}
	var err error
	if j < len(b) && b[j] == '.' {
		if j, err = someDigits(b, j+1); err != nil {
			return 0, err
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if j, err = someDigits(b, j); err != nil {
			return 0, err
		}
	}
	return j, nil
}

// someDigits returns the index after the digits at b[i]: a fraction or an
// exponent needs at least one (1. and 1e are refused; cut short at the
// end of b, they may go on).
func someDigits(b []byte, i int) (int, error) {
	j := i
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	switch {
	case j > i:
		return j, nil
	case j >= len(b):
		return 0, errShort
	}
	return 0, errSyntax
}

func hasPrefixAt(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}

// literal checks true/false/null at b[i].
func literal(b []byte, i int, lit string) (int, error) {
	if hasPrefixAt(b, i, lit) {
		return i + len(lit), nil
	}
	if rest := b[i:]; len(rest) < len(lit) && string(rest) == lit[:len(rest)] {
		return 0, errShort
	}
	return 0, errSyntax
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 64

// skipValue returns the index after the JSON value starting at b[i].
func skipValue(b []byte, i, depth int) (int, error) {
	if depth > maxDepth {
		return 0, planning.Errorf(planning.ErrInvalid, "JSON nested too deeply")
	}
	i = skipSpace(b, i)
	if i >= len(b) {
		return 0, errShort
	}
	switch c := b[i]; {
	case c == '"':
		end, _, err := skipString(b, i)
		return end, err
	case c == '{' || c == '[':
		close := byte('}')
		if c == '[' {
			close = ']'
		}
		j := skipSpace(b, i+1)
		if j >= len(b) {
			return 0, errShort
		}
		if b[j] == close {
			return j + 1, nil
		}
		for {
			var err error
			if c == '{' {
				if j, _, err = skipString(b, skipSpace(b, j)); err != nil {
					return 0, err
				}
				j = skipSpace(b, j)
				if j >= len(b) {
					return 0, errShort
				}
				if b[j] != ':' {
					return 0, errSyntax
				}
				j++
			}
			if j, err = skipValue(b, j, depth+1); err != nil {
				return 0, err
			}
			j = skipSpace(b, j)
			if j >= len(b) {
				return 0, errShort
			}
			if b[j] == close {
				return j + 1, nil
			}
			if b[j] != ',' {
				return 0, errSyntax
			}
			j++
		}
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return skipNumber(b, i)
	}
	return 0, errSyntax
}

// eachMember calls fn for every member of the object b holds; key is the
// raw text between the quotes, val the raw value.
func eachMember(b []byte, fn func(key []byte, escaped bool, val []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errSyntax
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for {
		i = skipSpace(b, i)
		end, esc, err := skipString(b, i)
		if err != nil {
			return err
		}
		key := b[i+1 : end-1]
		j := skipSpace(b, end)
		if j >= len(b) || b[j] != ':' {
			return errSyntax
		}
		j = skipSpace(b, j+1)
		vend, err := skipValue(b, j, 1)
		if err != nil {
			return err
		}
		if err := fn(key, esc, b[j:vend]); err != nil {
			return err
		}
		i = skipSpace(b, vend)
		if i >= len(b) {
			return errSyntax
		}
		if b[i] == '}' {
			return nil
		}
		if b[i] != ',' {
			return errSyntax
		}
		i++
	}
}

// keyText turns a raw member name into a string.
func keyText(key []byte, escaped bool) string {
	if !escaped {
		return string(key)
	}
	var s string
	if json.Unmarshal(append(append([]byte{'"'}, key...), '"'), &s) != nil {
		return string(key)
	}
	return s
}

// textDecoder turns a JSON string's bytes into text. JSON text is UTF-8,
// but GDAL passes a Shapefile's DBF bytes through unchanged when the file
// says nothing of its encoding (no .cpg, no code page in the header), so
// GBK text arrives as bytes that are not UTF-8: those are decoded with the
// fallback encoding (GB18030, a superset of GBK, unless --encoding says
// otherwise), and the decoder counts how often it had to.
type textDecoder struct {
	fallback encoding.Encoding
	used     int64 // strings decoded with the fallback
	failed   int64 // strings that were neither UTF-8 nor valid in the fallback
}

// unquote decodes the JSON string literal s (with its quotes).
func (d *textDecoder) unquote(s []byte) (string, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", errSyntax
	}
	inner := s[1 : len(s)-1]
	escaped := false
	for _, c := range inner {
		if c == '\\' {
			escaped = true
			break
		}
	}
	if !utf8.Valid(inner) {
		dec, err := d.decodeFallback(inner)
		if err != nil {
			return "", err
		}
		inner = dec
		if !escaped {
			return string(inner), nil
		}
		s = append(append([]byte{'"'}, inner...), '"')
	} else if !escaped {
		return string(inner), nil
	}
	var out string
	if err := json.Unmarshal(s, &out); err != nil {
		return "", errSyntax
	}
	return out, nil
}

func (d *textDecoder) decodeFallback(b []byte) ([]byte, error) {
	d.used++
	if d.fallback == nil {
		d.failed++
		return nil, planning.Errorf(planning.ErrInvalid, "text is not UTF-8; give the file's encoding (--encoding GBK)")
	}
	out, err := d.fallback.NewDecoder().Bytes(b)
	if err != nil || !utf8.Valid(out) {
		d.failed++
		return nil, planning.Errorf(planning.ErrInvalid, "text is neither UTF-8 nor valid in the fallback encoding; give the file's encoding (--encoding)")
	}
	return out, nil
}

// jsonValue is one decoded property value.
type jsonValue struct {
	kind byte // 's' string, 'n' number, 'b' bool, '0' null, 'o' object, 'a' array
	str  string
	num  float64
	text string // a number's text as written
	b    bool
}

func (d *textDecoder) value(raw []byte) (jsonValue, error) {
	i := skipSpace(raw, 0)
	if i >= len(raw) {
		return jsonValue{}, errSyntax
	}
	switch c := raw[i]; {
	case c == '"':
		end, _, err := skipString(raw, i)
		if err != nil {
			return jsonValue{}, err
		}
		s, err := d.unquote(raw[i:end])
		return jsonValue{kind: 's', str: s}, err
	case c == 'n':
		return jsonValue{kind: '0'}, nil
	case c == 't' || c == 'f':
		return jsonValue{kind: 'b', b: c == 't'}, nil
	case c == '{':
		return jsonValue{kind: 'o'}, nil
	case c == '[':
		return jsonValue{kind: 'a'}, nil
	default:
		end, err := skipNumber(raw, i)
		if err != nil {
			return jsonValue{}, err
		}
		t := string(raw[i:end])
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return jsonValue{}, planning.Errorf(planning.ErrInvalid, "number %s is out of range", t)
		}
		return jsonValue{kind: 'n', num: f, text: t}, nil
	}
}

func (v jsonValue) describe() planning.Text {
	switch v.kind {
	case 's':
		return planning.Textf("text %q", v.str)
	case 'n':
		return planning.Textf("number %s", v.text)
	case 'b':
		return planning.Textf("boolean %t", v.b)
	case 'o':
		return planning.Textf("an object")
	case 'a':
		return planning.Textf("an array")
	}
	return planning.Textf("null")
}
