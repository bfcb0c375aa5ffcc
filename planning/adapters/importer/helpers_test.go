package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning/imports"
	"github.com/paulmach/orb"
)

// feature writes a GeoJSON Feature with a Polygon of ring and props.
func feature(ring orb.Ring, props map[string]any) string {
	coords, _ := json.Marshal([][][2]float64{toPairs(ring)})
	p, _ := json.Marshal(props)
	return fmt.Sprintf(`{"type":"Feature","properties":%s,"geometry":{"type":"Polygon","coordinates":%s}}`, p, coords)
}

func toPairs(r orb.Ring) [][2]float64 {
	out := make([][2]float64, len(r))
	for i, p := range r {
		out[i] = [2]float64{p[0], p[1]}
	}
	return out
}

func collection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

// decodeAll reads every feature of a GeoJSON text.
func decodeAll(t *testing.T, text string) ([]RawFeature, error) {
	t.Helper()
	d := NewDecoder(strings.NewReader(text))
	var out []RawFeature
	for {
		f, err := d.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, f)
	}
}

// captureStore keeps the rows an import hands over and writes nothing.
type captureStore struct {
	rows []*Row
}

func (c *captureStore) ImportRows(_ context.Context, req imports.Request, _ *imports.Mapping, rows Rows, rep *imports.Report, _ *imports.Progress) (imports.Outcome, error) {
	for rows.Next() {
		c.rows = append(c.rows, rows.Row())
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if req.DryRun {
		return imports.OutcomeDryRun, nil
	}
	if rep.Errors() > 0 {
		return imports.OutcomeRefused, nil
	}
	return imports.OutcomeCommitted, nil
}

// importText runs an import of a GeoJSON text into a captureStore.
func importText(t *testing.T, layer imports.Layer, text string, open OpenOptions, req Request) (*imports.Report, *captureStore, error) {
	t.Helper()
	path := t.TempDir() + "/in.geojson"
	if err := writeFile(path, text); err != nil {
		t.Fatal(err)
	}
	src, err := Open(context.Background(), path, open)
	if err != nil {
		return nil, nil, err
	}
	req.Layer = layer
	st := &captureStore{}
	rep, err := Import(context.Background(), st, src, req, nil)
	return rep, st, err
}

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o644) }

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
