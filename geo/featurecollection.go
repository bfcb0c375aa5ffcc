package geo

import "bufio"

// FeatureCollection writes a GeoJSON FeatureCollection whose features
// arrive one by one, already rendered (by PostGIS or by the caller): the
// one framing of landquota's streamed GeoJSON, for the map's layers, OGC
// API items, search, stock and the GeoJSON export alike. Memory holds one
// feature, whatever the collection's size.
type FeatureCollection struct {
	w     *bufio.Writer
	sep   string // between two features
	trail string // after the last one
	any   bool
}

// StartFeatureCollection writes the collection's head: its type, the
// members given (each a whole `"key":value`), then the features' array.
// With lines, every feature stands on a line of its own (the export's
// layout, which tools that read line by line prefer); else the collection
// is one line.
func StartFeatureCollection(w *bufio.Writer, lines bool, members ...string) *FeatureCollection {
	c := &FeatureCollection{w: w, sep: ","}
	w.WriteString(`{"type":"FeatureCollection",`)
	for _, m := range members {
		w.WriteString(m)
		w.WriteByte(',')
	}
	w.WriteString(`"features":[`)
	if lines {
		w.WriteByte('\n')
		c.sep, c.trail = ",\n", "\n"
	}
	return c
}

// Feature writes one feature's GeoJSON text.
func (c *FeatureCollection) Feature(f []byte) error {
	if c.any {
		c.w.WriteString(c.sep)
	}
	c.any = true
	_, err := c.w.Write(f)
	return err
}

// End closes the array, adds the members in tail (each starting with a
// comma; "" for none), closes the collection and flushes the writer.
func (c *FeatureCollection) End(tail string) error {
	c.w.WriteString(c.trail)
	c.w.WriteByte(']')
	c.w.WriteString(tail)
	c.w.WriteString("}\n")
	return c.w.Flush()
}
