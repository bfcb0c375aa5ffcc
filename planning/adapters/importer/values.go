package importer

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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
// for empty) or a message saying why the value cannot be read. lookup is
// enumLookup's map for choice fields (nil: built on the spot).
func convertValue(f *Field, v jsonValue, lookup map[string]string) (any, string) {
	if v.kind == '0' || (v.kind == 's' && strings.TrimSpace(v.str) == "") {
		return nil, ""
	}
	if v.kind == 'o' || v.kind == 'a' {
		return nil, fmt.Sprintf("expected %s, got %s", f.Kind, v.describe())
	}
	switch f.Kind {
	case Text:
		s, msg := textOf(v)
		if msg != "" {
			return nil, msg
		}
		return strings.TrimSpace(s), ""
	case Code, LandUse:
		s, msg := textOf(v)
		if msg != "" {
			return nil, msg
		}
		s = strings.TrimSpace(s)
		if strings.ContainsAny(s, "\r\n\t") {
			return nil, fmt.Sprintf("%q holds a line break or tab", s)
		}
		if f.Upper {
			s = strings.ToUpper(s)
		}
		if f.Pattern != nil && !f.Pattern.MatchString(s) {
			return nil, fmt.Sprintf("%q is not a valid %s (it must match %s)", s, f.Name, f.Pattern)
		}
		return s, ""
	case Float:
		x, msg := floatOf(v, f.Percent)
		if msg != "" {
			return nil, msg
		}
		if f.Ranged && (x < f.Min || x > f.Max) {
			hint := ""
			if f.Percent && x > 1 && x <= 100 {
				hint = fmt.Sprintf(" (give a fraction, %g, or write \"%g%%\")", x/100, x)
			}
			return nil, fmt.Sprintf("%g is outside %g..%g%s", x, f.Min, f.Max, hint)
		}
		return x, ""
	case Int:
		x, msg := floatOf(v, false)
		if msg != "" {
			return nil, msg
		}
		if x != math.Trunc(x) || x < 1 || x > 1<<53 {
			return nil, fmt.Sprintf("%s is not a positive whole number", v.describe())
		}
		return int64(x), ""
	case Bool:
		return boolOf(v)
	case Date:
		return dateOf(v)
	case Enum:
		s, msg := textOf(v)
		if msg != "" {
			return nil, msg
		}
		if lookup == nil {
			lookup = enumLookup(f, nil)
		}
		if to, ok := lookup[s]; ok {
			return to, ""
		}
		if to, ok := lookup[normKey(s)]; ok {
			return to, ""
		}
		return nil, fmt.Sprintf("%q is not one of %s", s, f.enumValues())
	case Adcode:
		return adcodeOf(v)
	}
	return nil, "unsupported field"
}

func textOf(v jsonValue) (string, string) {
	switch v.kind {
	case 's':
		if utf8.RuneCountInString(v.str) > maxTextLen {
			return "", fmt.Sprintf("the text is longer than %d characters", maxTextLen)
		}
		return v.str, ""
	case 'n':
		// A DBF numeric field holding a code: 123.0 reads as "123".
		if v.num == math.Trunc(v.num) && math.Abs(v.num) < 1e15 {
			return strconv.FormatFloat(v.num, 'f', -1, 64), ""
		}
		return v.text, ""
	}
	return "", "expected a text, got " + v.describe()
}

func floatOf(v jsonValue, percent bool) (float64, string) {
	switch v.kind {
	case 'n':
		return v.num, ""
	case 's':
		s := strings.TrimSpace(v.str)
		p, pct := strings.CutSuffix(s, "%")
		if pct && percent {
			s = strings.TrimSpace(p)
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, fmt.Sprintf("%q is not a number", v.str)
		}
		if pct && percent {
			x /= 100
		}
		return x, ""
	}
	return 0, "expected a number, got " + v.describe()
}

func boolOf(v jsonValue) (any, string) {
	switch v.kind {
	case 'b':
		return v.b, ""
	case 'n':
		switch v.num {
		case 0:
			return false, ""
		case 1:
			return true, ""
		}
	case 's':
		k := v.str
		if len(k) > 5 || (len(k) > 0 && (k[0] == ' ' || k[len(k)-1] == ' ')) || strings.ToLower(k) != k {
			k = normKey(k)
		}
		switch k {
		case "true", "t", "yes", "y", "1", "是", "有", "√":
			return true, ""
		case "false", "f", "no", "n", "0", "否", "无", "×":
			return false, ""
		}
	}
	return nil, fmt.Sprintf("%s is not true or false (true/false, 1/0, yes/no, 是/否)", v.describe())
}

var dateLayouts = []string{"2006-01-02", "2006/01/02", "2006/1/2", "2006-1-2", "2006.01.02", "2006.1.2", "20060102", "2006年1月2日", "2006年01月02日"}

func dateOf(v jsonValue) (any, string) {
	var s string
	switch v.kind {
	case 's':
		s = strings.TrimSpace(v.str)
	case 'n':
		if v.num != math.Trunc(v.num) {
			return nil, fmt.Sprintf("%s is not a date", v.describe())
		}
		s = strconv.FormatFloat(v.num, 'f', -1, 64)
	default:
		return nil, fmt.Sprintf("%s is not a date", v.describe())
	}
	// A timestamp keeps its own calendar day: 2024-03-01T00:00:00+08:00 is 1 March.
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		if t, err := time.Parse(time.RFC3339, strings.Replace(s, " ", "T", 1)); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), ""
		}
		if t, err := time.Parse("2006-01-02 15:04:05", s); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), ""
		}
		s = s[:10]
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				return nil, fmt.Sprintf("%q is not a plausible date (years 1900..2200)", s)
			}
			return t, ""
		}
	}
	return nil, fmt.Sprintf("%q is not a date (2024-03-01, 2024/3/1, 20240301 or 2024年3月1日)", s)
}

// adcodeOf reads an administrative code: 6 digits, as text or number. A
// longer all-digit code (a township's 9 digits, a village's 12, the 19 of
// 三调's 坐落单位代码) names its county in its first 6.
func adcodeOf(v jsonValue) (any, string) {
	s, msg := textOf(v)
	if msg != "" {
		return nil, msg
	}
	s = strings.TrimSpace(s)
	for _, r := range s {
		if !unicode.IsDigit(r) || r > unicode.MaxASCII {
			return nil, fmt.Sprintf("%q is not a 6-digit administrative code", s)
		}
	}
	if len(s) < 6 {
		return nil, fmt.Sprintf("%q is not a 6-digit administrative code", s)
	}
	return s[:6], ""
}
