package planning

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// percent reads its own JSON, so the decoder lets it judge itself.
type percent int

func (p *percent) UnmarshalJSON(b []byte) error {
	n, err := strconv.Atoi(string(b))
	if err != nil || n < 0 || n > 100 {
		return errors.New("want a whole percent from 0 to 100")
	}
	*p = percent(n)
	return nil
}

// lenient decodes itself leniently, as the planner's nested request
// objects do; a wrong type inside still gets its whole path.
type lenient struct {
	Min float64 `json:"min"`
}

func (l *lenient) UnmarshalJSON(b []byte) error {
	type plain lenient
	return json.Unmarshal(b, (*plain)(l))
}

type decodeBase struct {
	ID int64 `json:"id"`
}

type decodeItem struct {
	Name  string  `json:"name"`
	Share percent `json:"share"`
}

type decodeTarget struct {
	decodeBase
	Label  string            `json:"label"`
	Ratio  *float64          `json:"ratio"`
	On     bool              `json:"on"`
	Items  []decodeItem      `json:"items"`
	Tags   map[string]string `json:"tags"`
	Any    any               `json:"any"`
	Range  lenient           `json:"range"`
	hidden int
}

func TestDecodeJSONNamesTheProblem(t *testing.T) {
	for _, c := range []struct {
		body, field, msg string
	}{
		{``, "", "the body is empty; send a JSON object"},
		{`   `, "", "the body is empty"},
		{`{"label":"a",`, "", "the body ends in the middle of the JSON"},
		{`{"label" "a"}`, "", "the body is not valid JSON (at byte 10)"},
		{`{} {}`, "", "the body holds more than one JSON value; send one object"},
		{`{} x`, "", "more than one JSON value"},
		{`[1]`, "", "the body must be a JSON object, not a JSON array"},
		{`null`, "", "the body must be a JSON object, not null"},
		{`{"lable":"a"}`, "lable", `unknown field "lable"; the fields are id, label, ratio, on, items, tags, any, range`},
		{`{"Label":"a"}`, "Label", `unknown field "Label"`},
		{`{"items":[{"name":"a"},{"name":"b","shar":1}]}`, "items[1].shar", `unknown field "items[1].shar"; the fields are name, share`},
		{`{"label":7}`, "label", "field label: expected a string, got a JSON number"},
		{`{"on":"yes"}`, "on", "field on: expected true or false, got a JSON string"},
		{`{"ratio":"0.5"}`, "ratio", "field ratio: expected a number, got a JSON string"},
		{`{"id":1.5}`, "id", "field id: expected an integer, got 1.5"},
		{`{"items":{}}`, "items", "field items: expected an array, got a JSON object"},
		{`{"tags":{"a":1}}`, "tags.a", "field tags.a: expected a string, got a JSON number"},
		{`{"range":{"min":"ten"}}`, "range.min", "field range.min: expected a number, got a JSON string"},
		{`{"items":[{"share":101}]}`, "items[0].share", "field items[0].share: want a whole percent"},
	} {
		var v decodeTarget
		err := DecodeJSON(strings.NewReader(c.body), 64, Textf("the body"), &v)
		var pe *Error
		if !errors.As(err, &pe) || pe.Code != ErrInvalid {
			t.Errorf("%.40q: %v, want an invalid *Error", c.body, err)
			continue
		}
		field, _ := pe.Details["field"].(string)
		if field != c.field || !strings.Contains(pe.Message, c.msg) {
			t.Errorf("%.40q: field %q message %q; want field %q saying %q", c.body, field, pe.Message, c.field, c.msg)
		}
	}
}

// More than the bound is too_large (HTTP 413), naming the bound, whatever
// the JSON would have been.
func TestDecodeJSONRefusesMoreThanItsBound(t *testing.T) {
	var v decodeTarget
	err := DecodeJSON(strings.NewReader(`{"label":"`+strings.Repeat("x", 100)+`"}`), 64, Textf("the body"), &v)
	var pe *Error
	if !errors.As(err, &pe) || pe.Code != ErrTooLarge || pe.Message != "the body is larger than 64 bytes" || pe.Details["limit"] != int64(64) {
		t.Fatalf("%v (%+v), want too_large naming 64 bytes", err, pe)
	}
	if v.Label != "" {
		t.Errorf("an oversize body set label %q", v.Label)
	}
}

func TestDecodeJSONReadsAndKeepsDefaults(t *testing.T) {
	v := decodeTarget{Label: "default", hidden: 3}
	body := `{"id":7,"ratio":0.25,"on":true,"items":[{"name":"a","share":40}],"tags":{"k":"v"},"any":[1,{"x":null}]}`
	if err := DecodeJSON(strings.NewReader(body), 0, Textf("the body"), &v); err != nil {
		t.Fatal(err)
	}
	if v.ID != 7 || v.Label != "default" || v.Ratio == nil || *v.Ratio != 0.25 || !v.On || len(v.Items) != 1 || v.Items[0].Share != 40 ||
		v.Tags["k"] != "v" || v.Any == nil || v.hidden != 3 {
		t.Fatalf("decoded %+v", v)
	}
}
