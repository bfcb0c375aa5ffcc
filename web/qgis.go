package web

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/template"

	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/catalog"
	"github.com/paulmach/orb"
)

// A QGIS project (.qgs) of the bureau's map, built for the host the
// request reached: the four layers over OGC API - Features and the parcels
// as vector tiles, styled as the web map (status colours, Chinese labels)
// with the catalog's titles, colours and field aliases, so a planner opens
// the same map in QGIS in one step:
//
//	GET /api/qgis/landquota.qgs

var qgisZoneNames = map[planning.ZoneKind]string{
	planning.ZoneFarmland: "永久基本农田 Permanent basic farmland", planning.ZoneRedLine: "生态保护红线 Ecological red line",
	planning.ZoneDevBoundary: "城镇开发边界 Urban development boundary",
}

// qgisCategory is one class of a categorised style.
type qgisCategory struct {
	Value, Label, Fill, Outline string
	FillStyle                   string // solid, no, b_diagonal
}

// qgisLayer is one layer of the project.
type qgisLayer struct {
	ID, Name, Type, Geometry, Provider, Source string
	Attr                                       string // the field the categories are of; "" for one symbol
	Categories                                 []qgisCategory
	Single                                     qgisCategory
	Label                                      string // the field labelled; "" for none
	LabelMaxScale                              int
	Checked                                    bool
	Aliases                                    []qgisAlias // the attribute table's column titles
}

// qgisAlias titles one field in QGIS's attribute table and forms.
type qgisAlias struct {
	Index       int
	Field, Name string
}

// qgisTitle is a collection's title in the layer tree.
func qgisTitle(collection string) string {
	cat, _ := catalog.Find(collection)
	return cat.TitleZh + " " + cat.TitleEn
}

// qgisAliases titles the collection's properties with the catalog's labels.
func qgisAliases(collection string) []qgisAlias {
	cat, _ := catalog.Find(collection)
	var out []qgisAlias
	for i, c := range cat.ColumnsIn(catalog.Feature) {
		out = append(out, qgisAlias{Index: i, Field: c.Name, Name: c.Zh + " " + c.En})
	}
	return out
}

func (s *Server) mountQGIS(r chi.Router) {
	r.Get("/api/qgis/landquota.qgs", s.handle(s.qgisProject))
	r.Head("/api/qgis/landquota.qgs", s.handle(s.qgisProject))
}

// rgba turns #rrggbb into QGIS's "r,g,b,a".
func rgba(hex string, alpha int) string {
	n, _ := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	return fmt.Sprintf("%d,%d,%d,%d", n>>16&255, n>>8&255, n&255, alpha)
}

func (s *Server) qgisProject(w http.ResponseWriter, r *http.Request) error {
	ext, err := s.geo.Extent(r.Context())
	if err != nil {
		return err
	}
	base := baseURL(r)
	oapif := func(collection string) string {
		// QGIS's OAPIF data source: the landing page and the collection.
		return fmt.Sprintf("pagingEnabled='true' preferCoordinatesForWfsT11='false' restrictToRequestBBOX='1' srsname='EPSG:4490' typename='%s' url='%s/ogc' version='OGC_API_FEATURES'", collection, base)
	}
	var statuses []qgisCategory
	for _, st := range planning.Statuses {
		c := catalog.StatusColors[string(st.Code)]
		statuses = append(statuses, qgisCategory{Value: string(st.Code), Label: st.NameZh + " " + st.NameEn, Fill: rgba(c, 153), Outline: rgba(c, 255), FillStyle: "solid"})
	}
	var zones []qgisCategory
	for _, k := range []planning.ZoneKind{planning.ZoneFarmland, planning.ZoneRedLine, planning.ZoneDevBoundary} {
		c := catalog.ZoneColors[string(k)]
		style := map[planning.ZoneKind]string{planning.ZoneFarmland: "b_diagonal", planning.ZoneRedLine: "solid", planning.ZoneDevBoundary: "no"}[k]
		zones = append(zones, qgisCategory{Value: string(k), Label: qgisZoneNames[k], Fill: rgba(c, 40), Outline: rgba(c, 255), FillStyle: style})
	}
	tiles := url.Values{"type": {"xyz"}, "url": {base + "/tiles/parcels/{z}/{x}/{y}.mvt"}, "zmin": {"0"}, "zmax": {"22"}}
	layers := []qgisLayer{
		{ID: "districts_oapif", Name: qgisTitle("districts"), Type: "vector", Geometry: "Polygon", Provider: "OAPIF", Source: oapif("districts"), Aliases: qgisAliases("districts"),
			Single: qgisCategory{Fill: "0,0,0,0", Outline: rgba(catalog.DistrictColor, 255), FillStyle: "no"}, Label: "name_zh", LabelMaxScale: 0, Checked: true},
		{ID: "parks_oapif", Name: qgisTitle("parks"), Type: "vector", Geometry: "Polygon", Provider: "OAPIF", Source: oapif("parks"), Aliases: qgisAliases("parks"),
			Single: qgisCategory{Fill: rgba(catalog.ParkColor, 25), Outline: rgba(catalog.ParkColor, 255), FillStyle: "solid"}, Label: "name_zh", Checked: true},
		{ID: "zones_oapif", Name: qgisTitle("protected-zones"), Type: "vector", Geometry: "Polygon", Provider: "OAPIF", Source: oapif("protected-zones"), Aliases: qgisAliases("protected-zones"),
			Attr: "kind", Categories: zones, Checked: true},
		{ID: "parcels_oapif", Name: qgisTitle("parcels"), Type: "vector", Geometry: "Polygon", Provider: "OAPIF", Source: oapif("parcels"), Aliases: qgisAliases("parcels"),
			Attr: "status", Categories: statuses, Label: "code", LabelMaxScale: 5000, Checked: true},
		{ID: "parcels_tiles", Name: "地块（矢量切片）Parcels, vector tiles", Type: "vector-tile", Geometry: "Polygon", Source: tiles.Encode(),
			Attr: "status", Categories: statuses, Label: "code", LabelMaxScale: 5000},
	}
	// The canvas opens on the districts, in EPSG:4549 (metres, as surveyors read them).
	lo, hi := geo.To4549(ext.Min), geo.To4549(ext.Max)
	if ext.IsEmpty() || ext == (orb.Bound{}) {
		lo, hi = geo.To4549(orb.Point{120.0, 30.0}), geo.To4549(orb.Point{120.4, 30.3})
	}
	var buf bytes.Buffer
	err = qgsTemplate.Execute(&buf, map[string]any{"Layers": layers, "Base": base,
		"Extent": [4]string{metres(lo[0]), metres(lo[1]), metres(hi[0]), metres(hi[1])}, "Version": s.cfg.Version})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-qgis-project; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="landquota.qgs"`)
	w.Write(buf.Bytes())
	return nil
}

// metres writes a coordinate in metres to the centimetre.
func metres(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// xmlText escapes s for an XML attribute or text.
func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

const (
	qgisCRS4549 = `<spatialrefsys><wkt></wkt><proj4>+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs</proj4><srsid>0</srsid><srid>4549</srid><authid>EPSG:4549</authid><description>CGCS2000 / 3-degree Gauss-Kruger CM 120E</description><projectionacronym>tmerc</projectionacronym><ellipsoidacronym>EPSG:1024</ellipsoidacronym><geographicflag>false</geographicflag></spatialrefsys>`
	qgisCRS4490 = `<spatialrefsys><wkt></wkt><proj4>+proj=longlat +ellps=GRS80 +no_defs</proj4><srsid>0</srsid><srid>4490</srid><authid>EPSG:4490</authid><description>China Geodetic Coordinate System 2000</description><projectionacronym>longlat</projectionacronym><ellipsoidacronym>EPSG:1024</ellipsoidacronym><geographicflag>true</geographicflag></spatialrefsys>`
	qgisCRS3857 = `<spatialrefsys><wkt></wkt><proj4>+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs</proj4><srsid>0</srsid><srid>3857</srid><authid>EPSG:3857</authid><description>WGS 84 / Pseudo-Mercator</description><projectionacronym>merc</projectionacronym><ellipsoidacronym>EPSG:7030</ellipsoidacronym><geographicflag>false</geographicflag></spatialrefsys>`
)

var qgsTemplate = template.Must(template.New("qgs").Funcs(template.FuncMap{
	"x": xmlText, "crs4549": func() string { return qgisCRS4549 }, "crs4490": func() string { return qgisCRS4490 },
	"crs3857": func() string { return qgisCRS3857 },
	"args": func(i int, c qgisCategory) any {
		return struct {
			I int
			C qgisCategory
		}{i, c}
	},
}).Parse(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis projectname="landquota" version="3.22.0-Białowieża">
  <homePath path=""/>
  <title>landquota 用地指标 · {{x .Base}}</title>
  <projectCrs>{{crs4549}}</projectCrs>
  <layer-tree-group>
    <customproperties/>
{{- range .Layers}}
    <layer-tree-layer id="{{x .ID}}" name="{{x .Name}}" source="{{x .Source}}" providerKey="{{if eq .Type "vector-tile"}}xyzvectortiles{{else}}{{x .Provider}}{{end}}" checked="{{if .Checked}}Qt::Checked{{else}}Qt::Unchecked{{end}}" expanded="1">
      <customproperties/>
    </layer-tree-layer>
{{- end}}
  </layer-tree-group>
  <mapcanvas name="theMapCanvas" annotationsVisible="1">
    <units>meters</units>
    <extent><xmin>{{index .Extent 0}}</xmin><ymin>{{index .Extent 1}}</ymin><xmax>{{index .Extent 2}}</xmax><ymax>{{index .Extent 3}}</ymax></extent>
    <rotation>0</rotation>
    <destinationsrs>{{crs4549}}</destinationsrs>
    <rendermaptile>0</rendermaptile>
  </mapcanvas>
  <projectlayers>
{{- range .Layers}}
    <maplayer type="{{.Type}}"{{if eq .Type "vector"}} geometry="{{.Geometry}}" wkbType="MultiPolygon"{{end}} labelsEnabled="{{if .Label}}1{{else}}0{{end}}" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0" autoRefreshEnabled="0" refreshOnNotifyEnabled="0">
      <id>{{x .ID}}</id>
      <datasource>{{x .Source}}</datasource>
      <layername>{{x .Name}}</layername>
      <srs>{{if eq .Type "vector-tile"}}{{crs3857}}{{else}}{{crs4490}}{{end}}</srs>
{{- if eq .Type "vector"}}
      <provider encoding="UTF-8">{{x .Provider}}</provider>
      <aliases>
{{- range .Aliases}}
        <alias index="{{.Index}}" field="{{x .Field}}" name="{{x .Name}}"/>
{{- end}}
      </aliases>
{{- if .Attr}}
      <renderer-v2 type="categorizedSymbol" attr="{{x .Attr}}" symbollevels="0" enableorderby="0" forceraster="0">
        <categories>
{{- range $i, $c := .Categories}}
          <category render="true" symbol="{{$i}}" value="{{x $c.Value}}" label="{{x $c.Label}}"/>
{{- end}}
        </categories>
        <symbols>
{{- range $i, $c := .Categories}}
          {{template "fill" (args $i $c)}}
{{- end}}
        </symbols>
      </renderer-v2>
{{- else}}
      <renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">
        <symbols>
          {{template "fill" (args 0 .Single)}}
        </symbols>
      </renderer-v2>
{{- end}}
{{- if .Label}}
      <labeling type="simple">
        <settings calloutType="simple">{{template "label" .}}</settings>
      </labeling>
{{- end}}
{{- else}}
      <renderer type="basic">
        <styles>
{{- range $i, $c := .Categories}}
          <style name="{{x $c.Label}}" layer="parcels" geometry="2" enabled="1" expression="&quot;status&quot; = '{{x $c.Value}}'" min-zoom="-1" max-zoom="-1">
            <symbols>
              {{template "fill" (args 0 $c)}}
            </symbols>
          </style>
{{- end}}
        </styles>
      </renderer>
      <labeling type="basic">
        <styles>
          <style name="{{x .Label}}" layer="parcels" geometry="2" enabled="1" min-zoom="15" max-zoom="-1">
            <settings calloutType="simple">{{template "label" .}}</settings>
          </style>
        </styles>
      </labeling>
{{- end}}
    </maplayer>
{{- end}}
  </projectlayers>
  <properties>
    <Measure><Ellipsoid type="QString">EPSG:1024</Ellipsoid></Measure>
    <Measurement><AreaUnits type="QString">m2</AreaUnits><DistanceUnits type="QString">meters</DistanceUnits></Measurement>
  </properties>
</qgis>
{{define "fill"}}<symbol type="fill" name="{{.I}}" alpha="1" clip_to_extent="1" force_rhr="0">
            <layer class="SimpleFill" enabled="1" locked="0" pass="0">
              <prop k="color" v="{{.C.Fill}}"/>
              <prop k="outline_color" v="{{.C.Outline}}"/>
              <prop k="outline_style" v="solid"/>
              <prop k="outline_width" v="0.4"/>
              <prop k="outline_width_unit" v="MM"/>
              <prop k="style" v="{{.C.FillStyle}}"/>
            </layer>
          </symbol>{{end}}
{{define "label"}}
          <text-style fieldName="{{x .Label}}" isExpression="0" fontFamily="Noto Sans CJK SC" fontSize="9" fontSizeUnit="Point" textColor="38,50,56,255" fontWeight="50" namedStyle="Regular"/>
          <text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" bufferColor="255,255,255,230"/>
          <placement placement="0" centroidWhole="1" centroidInside="1"/>
          <rendering scaleVisibility="{{if .LabelMaxScale}}1{{else}}0{{end}}" scaleMin="0" scaleMax="{{.LabelMaxScale}}" obstacle="1"/>
        {{end}}`))
