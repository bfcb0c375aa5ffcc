package importer

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hangzhou-hitech/landquota/planning"
)

// maxTextLen bounds a text value (runes); longer text is a data error.
const maxTextLen = 1000

// enumLookup maps the spellings of a choice field's values, as written and
// folded by normKey, to the values; extra (a field map's spellings) wins.
func enumLookup(f *Field, extra map[string]string) map[string]string {
	m := map[string]string{}
	for _, e := range f.Enum {
		for _, s := range append([]string{e.Value}, e.Synonyms...) {
			m[s] = e.Value
			m[normKey(s)] = e.Value
		}
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// convertValue reads one source value as field f. It returns the value (nil
// for empty) or an error saying why the value cannot be read (invalid,
// kept for translation). lookup is enumLookup's map for choice fields
// (nil: built on the spot).
func convertValue(f *Field, v jsonValue, lookup map[string]string) (any, error) {
	if v.kind == '0' || (v.kind == 's' && strings.TrimSpace(v.str) == "") {
		return nil, nil
	}
	if v.kind == 'o' || v.kind == 'a' {
		return nil, invalid("expected %s, got %s", f.Kind.Title(), v.describe())
	}
	switch f.Kind {
	case Text:
		s, err := textOf(v)
		return strings.TrimSpace(s), err
	case Code, LandUse:
		return codeOf(f, v)
	case Float:
		return floatFieldOf(f, v)
	case Int:
		return intOf(v)
	case Bool:
		return boolOf(v)
	case Date:
		return dateOf(v)
	case Enum:
		return enumOf(f, v, lookup)
	case Adcode:
		return adcodeOf(v)
	}
	return nil, invalid("unsupported field")
}

// invalid is the error of a value that cannot be read.
func invalid(format string, args ...any) error {
	return planning.Errorf(planning.ErrInvalid, format, args...)
}

func codeOf(f *Field, v jsonValue) (any, error) {
	s, err := textOf(v)
	if err != nil {
		return nil, err
	}
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, "\r\n\t") {
		return nil, invalid("%q holds a line break or tab", s)
	}
	if f.Upper {
		s = strings.ToUpper(s)
	}
	if f.Pattern != nil && !f.Pattern.MatchString(s) {
		return nil, invalid("%q is not a valid %s (it must match %s)", s, f.Name, f.Pattern)
	}
	return s, nil
}

func floatFieldOf(f *Field, v jsonValue) (any, error) {
	x, err := floatOf(v, f.Percent)
	if err != nil {
		return nil, err
	}
	if f.Ranged && (x < f.Min || x > f.Max) {
		if f.Percent && x > 1 && x <= 100 {
			return nil, invalid("%g is outside %g..%g (give a fraction, %g, or write \"%g%%\")", x, f.Min, f.Max, x/100, x)
		}
		return nil, invalid("%g is outside %g..%g", x, f.Min, f.Max)
	}
	return x, nil
}

func intOf(v jsonValue) (any, error) {
	x, err := floatOf(v, false)
	if err != nil {
		return nil, err
	}
	if x != math.Trunc(x) || x < 1 || x > 1<<53 {
		return nil, invalid("%s is not a positive whole number", v.describe())
	}
	return int64(x), nil
}

func enumOf(f *Field, v jsonValue, lookup map[string]string) (any, error) {
	s, err := textOf(v)
	if err != nil {
		return nil, err
	}
	if lookup == nil {
		lookup = enumLookup(f, nil)
	}
	if to, ok := lookup[s]; ok {
		return to, nil
	}
	if to, ok := lookup[normKey(s)]; ok {
		return to, nil
	}
	return nil, invalid("%q is not one of %s", s, f.EnumValues())
}

func textOf(v jsonValue) (string, error) {
	switch v.kind {
	case 's':
		if utf8.RuneCountInString(v.str) > maxTextLen {
			return "", invalid("the text is longer than %d characters", maxTextLen)
		}
		return v.str, nil
	case 'n':
		// A DBF numeric field holding a code: 123.0 reads as "123".
		if v.num == math.Trunc(v.num) && math.Abs(v.num) < 1e15 {
			return strconv.FormatFloat(v.num, 'f', -1, 64), nil
		}
		return v.text, nil
	}
	return "", invalid("expected a text, got %s", v.describe())
}

func floatOf(v jsonValue, percent bool) (float64, error) {
	switch v.kind {
	case 'n':
		return v.num, nil
	case 's':
		s := strings.TrimSpace(v.str)
		p, pct := strings.CutSuffix(s, "%")
		if pct && percent {
			s = strings.TrimSpace(p)
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, invalid("%q is not a number", v.str)
		}
		if pct && percent {
			x /= 100
		}
		return x, nil
	}
	return 0, invalid("expected a number, got %s", v.describe())
}

// The spellings of true and false a file may use.
var (
	trueWords  = map[string]bool{"true": true, "t": true, "yes": true, "y": true, "1": true, "是": true, "有": true, "√": true}
	falseWords = map[string]bool{"false": true, "f": true, "no": true, "n": true, "0": true, "否": true, "无": true, "×": true}
)

func boolOf(v jsonValue) (any, error) {
	switch v.kind {
	case 'b':
		return v.b, nil
	case 'n':
		if v.num == 0 || v.num == 1 {
			return v.num == 1, nil
		}
	case 's':
		k := v.str
		if len(k) > 5 || (len(k) > 0 && (k[0] == ' ' || k[len(k)-1] == ' ')) || strings.ToLower(k) != k {
			k = normKey(k)
		}
		if trueWords[k] || falseWords[k] {
			return trueWords[k], nil
		}
	}
	return nil, invalid("%s is not true or false (true/false, 1/0, yes/no, 是/否)", v.describe())
}

var dateLayouts = []string{"2006-01-02", "2006/01/02", "2006/1/2", "2006-1-2", "2006.01.02", "2006.1.2", "20060102", "2006年1月2日", "2006年01月02日"}

func dateOf(v jsonValue) (any, error) {
	var s string
	switch v.kind {
	case 's':
		s = strings.TrimSpace(v.str)
	case 'n':
		if v.num != math.Trunc(v.num) {
			return nil, invalid("%s is not a date", v.describe())
		}
		s = strconv.FormatFloat(v.num, 'f', -1, 64)
	default:
		return nil, invalid("%s is not a date", v.describe())
	}
	// A timestamp keeps its own calendar day: 2024-03-01T00:00:00+08:00 is 1 March.
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		if t, err := time.Parse(time.RFC3339, strings.Replace(s, " ", "T", 1)); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
		if t, err := time.Parse("2006-01-02 15:04:05", s); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
		s = s[:10]
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				return nil, invalid("%q is not a plausible date (years 1900..2200)", s)
			}
			return t, nil
		}
	}
	return nil, invalid("%q is not a date (2024-03-01, 2024/3/1, 20240301 or 2024年3月1日)", s)
}

// adcodeOf reads an administrative code: 6 digits, as text or number. A
// longer all-digit code (a township's 9 digits, a village's 12, the 19 of
// 三调's 坐落单位代码) names its county in its first 6.
func adcodeOf(v jsonValue) (any, error) {
	s, err := textOf(v)
	if err != nil {
		return nil, err
	}
	s = strings.TrimSpace(s)
	for _, r := range s {
		if !unicode.IsDigit(r) || r > unicode.MaxASCII {
			return nil, invalid("%q is not a 6-digit administrative code", s)
		}
	}
	if len(s) < 6 {
		return nil, invalid("%q is not a 6-digit administrative code", s)
	}
	return s[:6], nil
}
