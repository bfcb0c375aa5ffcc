package web_test

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/catalog"
)

// qgsNode is any element of a .qgs file.
type qgsNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []qgsNode  `xml:",any"`
}

func (n *qgsNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// all lists the elements named name under n.
func (n *qgsNode) all(name string) []*qgsNode {
	var out []*qgsNode
	for i := range n.Children {
		c := &n.Children[i]
		if c.XMLName.Local == name {
			out = append(out, c)
		}
		out = append(out, c.all(name)...)
	}
	return out
}

func (n *qgsNode) text(name string) string {
	if c := n.all(name); len(c) > 0 {
		return strings.TrimSpace(c[0].Text)
	}
	return ""
}

// TestQGISProject: the project parses as XML, points its layers at the host
// the request reached (OGC API and vector tiles), and styles parcels with
// the catalog's status colours and Chinese labels.
func TestQGISProject(t *testing.T) {
	srv := newServer(t)
	req, _ := http.NewRequest("GET", srv.URL+"/api/qgis/landquota.qgs", nil)
	req.Host = "gis.bureau.example:8443"
	req.Header.Set("X-Forwarded-Proto", "https")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), "landquota.qgs") {
		t.Fatalf("%d %v", res.StatusCode, res.Header)
	}
	var doc qgsNode
	if err := xml.Unmarshal(b, &doc); err != nil || doc.XMLName.Local != "qgis" {
		t.Fatalf("not a QGIS project: %v\n%s", err, b)
	}
	layers := map[string]*qgsNode{}
	for _, l := range doc.all("maplayer") {
		layers[l.text("id")] = l
	}
	parcels := layers["parcels_oapif"]
	if parcels == nil || parcels.text("provider") != "OAPIF" ||
		!strings.Contains(parcels.text("datasource"), "url='https://gis.bureau.example:8443/ogc'") || !strings.Contains(parcels.text("datasource"), "typename='parcels'") {
		t.Fatalf("parcels layer: %+v", parcels)
	}
	for _, id := range []string{"districts_oapif", "parks_oapif", "zones_oapif"} {
		if layers[id] == nil || !strings.Contains(layers[id].text("datasource"), "https://gis.bureau.example:8443/ogc") {
			t.Errorf("layer %s missing or elsewhere", id)
		}
	}
	tiles := layers["parcels_tiles"]
	if tiles == nil || tiles.attr("type") != "vector-tile" || !strings.Contains(tiles.text("datasource"), "url=https%3A%2F%2Fgis.bureau.example%3A8443%2Ftiles%2Fparcels%2F%7Bz%7D%2F%7Bx%7D%2F%7By%7D.mvt") {
		t.Fatalf("vector tiles layer: %+v", tiles)
	}
	// Each status in the catalog's colour, in the lifecycle's order.
	cats := parcels.all("category")
	symbols := parcels.all("symbol")
	if len(cats) != len(planning.Statuses) {
		t.Fatalf("%d categories for %d statuses", len(cats), len(planning.Statuses))
	}
	for i, c := range cats {
		var color string
		for _, p := range symbols[i].all("prop") {
			if p.attr("k") == "outline_color" {
				color = p.attr("v")
			}
		}
		hex := strings.TrimPrefix(catalog.StatusColors[c.attr("value")], "#")
		if c.attr("value") != string(planning.Statuses[i].Code) || hex == "" || color != rgbaOf(hex) {
			t.Errorf("category %d %s: QGIS %s, catalog #%s", i, c.attr("value"), color, hex)
		}
	}
	first := planning.Statuses[0]
	if cats[0].attr("label") != first.NameZh+" "+first.NameEn || parcels.all("text-style")[0].attr("fieldName") != "code" || parcels.attr("labelsEnabled") != "1" {
		t.Errorf("labels: %+v %+v", cats[0].Attrs, parcels.all("text-style"))
	}
	if got := len(tiles.all("style")); got != len(planning.Statuses)+1 { // the statuses, one label style
		t.Errorf("vector tile styles: %d", got)
	}
}

func rgbaOf(hex string) string {
	n, _ := strconv.ParseUint(hex, 16, 32)
	return fmt.Sprintf("%d,%d,%d,255", n>>16&255, n>>8&255, n&255)
}
