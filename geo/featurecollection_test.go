package geo

import (
	"bufio"
	"strings"
	"testing"
)

// The collection's bytes are what clients and exports compare against:
// the web layout on one line, the export's a feature a line.
func TestFeatureCollectionBytes(t *testing.T) {
	f1, f2 := `{"type":"Feature","id":1}`, `{"type":"Feature","id":2}`
	for _, c := range []struct {
		name     string
		lines    bool
		members  []string
		features []string
		tail     string
		want     string
	}{
		{"web empty", false, nil, nil, `,"numberReturned":0`, `{"type":"FeatureCollection","features":[],"numberReturned":0}` + "\n"},
		{"web two", false, nil, []string{f1, f2}, `,"next":null`, `{"type":"FeatureCollection","features":[` + f1 + `,` + f2 + `],"next":null}` + "\n"},
		{"export empty", true, []string{`"name":"parks"`}, nil, "", `{"type":"FeatureCollection","name":"parks","features":[` + "\n\n]}\n"},
		{"export two", true, []string{`"name":"parcels"`, `"crs":{"type":"name"}`}, []string{f1, f2}, "",
			`{"type":"FeatureCollection","name":"parcels","crs":{"type":"name"},"features":[` + "\n" + f1 + ",\n" + f2 + "\n]}\n"},
	} {
		var b strings.Builder
		fc := StartFeatureCollection(bufio.NewWriter(&b), c.lines, c.members...)
		for _, f := range c.features {
			if err := fc.Feature([]byte(f)); err != nil {
				t.Fatal(err)
			}
		}
		if err := fc.End(c.tail); err != nil {
			t.Fatal(err)
		}
		if b.String() != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, b.String(), c.want)
		}
	}
}
