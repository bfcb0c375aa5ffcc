// Package tilecache keeps rendered vector tiles in memory: bounded by total
// bytes, least recently used out first, safe for concurrent use, with
// concurrent misses on one tile rendered once, and invalidated by area and
// layer when the data under a tile changes.
//
// Design:
//   - One mutex guards everything: a map from Key to entry, an intrusive
//     doubly linked list in recency order, an index of entries by tile
//     (z/x/y) and by zoom, and the renders in flight. Hits move the entry to
//     the front; adding past MaxBytes evicts from the back.
//   - Each entry keeps its layers and the lon/lat bounds of its tile, widened
//     by the tile buffer (64/4096 of a tile each side, since ST_AsMVTGeom
//     keeps geometry that far outside the tile). Invalidate drops the entries
//     of the changed layer whose bounds intersect the changed box. For each
//     zoom it looks up only the tiles the box covers, or scans the zoom's
//     entries when that is fewer; a change without a box drops the layer.
//   - A miss starts one render in its own goroutine; concurrent requests for
//     the same key wait for it (counted as shared). The render runs under a
//     context detached from the first request's cancellation and is
//     cancelled only when every waiting request has gone, so one client
//     hanging up does not fail the others, and nobody waits for nothing.
//   - A change that touches a tile being rendered marks that render stale
//     and forgets it: its waiters get its result (they asked before the
//     change was known), but it is not stored, and the next request renders
//     afresh. So a render that read the data before a change can never be
//     cached after the change's invalidation.
//   - The cache stores what the caller's render returns, so a hit costs a
//     map lookup. Replace swaps in another form of a cached tile (the web
//     layer stores a tile as rendered and its gzipped form once it is asked
//     for again), unless the tile changed meanwhile.
package tilecache

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb"
)

// DefaultMaxBytes is the default bound on the cached bytes: 256 MiB.
const DefaultMaxBytes = 256 << 20

// MaxZoom is the deepest zoom the cache indexes.
const MaxZoom = 22

// bufferFraction is the tile buffer (64 of 4096 grid units) as a fraction
// of a tile: geometry that far outside a tile is part of it.
const bufferFraction = 64.0 / 4096

// entryOverhead approximates the bookkeeping bytes of one entry (the entry,
// its map and index slots), so that many tiny tiles are bounded too.
const entryOverhead = 256

// Key names one cached tile.
type Key struct {
	Layers  string // comma-separated layer names, in a canonical order
	Z, X, Y int
	Limit   int // features per layer asked for; 0 for the layers' defaults
}

func (k Key) String() string {
	return fmt.Sprintf("%s/%d/%d/%d?limit=%d", k.Layers, k.Z, k.X, k.Y, k.Limit)
}

// Tile is what the cache holds for a key.
type Tile struct {
	Body    []byte // the bytes to send
	Gzipped bool   // Body is gzipped (the web layer compresses tiles asked for twice)
	ETag    string
	Size    int // the tile's size before compression, for reports

	// Header values of an answer that sends Body, built once by the web
	// layer when it makes the tile, so that a hit allocates none. Every
	// answer shares them: nobody may modify them.
	ETagHeader   []string // ETag, quoted, "-gz" marking the gzipped form
	LengthHeader []string // len(Body) in decimal
}

// Outcome says how Get found its tile.
type Outcome int

const (
	Miss   Outcome = iota // rendered for this request
	Hit                   // found in the cache
	Shared                // rendered once for this and concurrent requests
)

func (o Outcome) String() string {
	switch o {
	case Hit:
		return "hit"
	case Shared:
		return "shared"
	}
	return "miss"
}

// Options configure a cache.
type Options struct {
	// MaxBytes bounds the bytes held (tile bodies, ETags, keys and a fixed
	// overhead per entry). Zero or less stores nothing: every Get renders,
	// though concurrent misses on one tile still share one render.
	MaxBytes int64
}

// Stats are the cache's counters since it was made.
type Stats struct {
	Hits        int64 `json:"hits"`
	Misses      int64 `json:"misses"`
	Shared      int64 `json:"shared"` // requests that waited for another's render
	Entries     int   `json:"entries"`
	Bytes       int64 `json:"bytes"`
	MaxBytes    int64 `json:"max_bytes"`
	Evictions   int64 `json:"evictions"`   // entries dropped to stay within MaxBytes
	Invalidated int64 `json:"invalidated"` // entries dropped because their data changed
	Changes     int64 `json:"changes"`     // change notifications received
	InFlight    int   `json:"in_flight"`   // renders running now
}

type tileID struct{ z, x, y int }

type entry struct {
	key        Key
	layers     []string
	bound      orb.Bound
	tile       Tile
	size       int64
	prev, next *entry
}

type call struct {
	key     Key
	layers  []string
	bound   orb.Bound
	done    chan struct{}
	tile    Tile
	err     error
	waiters int
	stale   bool
	cancel  context.CancelFunc
}

// Cache is an LRU cache of tiles. Its zero value is not usable: call New.
type Cache struct {
	mu      sync.Mutex
	max     int64
	bytes   int64
	items   map[Key]*entry
	head    *entry // most recently used
	tail    *entry // least recently used
	byTile  map[tileID][]*entry
	byZoom  [MaxZoom + 1]map[*entry]struct{}
	flights map[Key]*call
	stats   Stats
	// watchers hear which tiles each change dropped (OnInvalidate).
	watchers []func(dropped []Key)
}

// New makes an empty cache.
func New(o Options) *Cache {
	c := &Cache{max: o.MaxBytes, items: map[Key]*entry{}, byTile: map[tileID][]*entry{}, flights: map[Key]*call{}}
	for z := range c.byZoom {
		c.byZoom[z] = map[*entry]struct{}{}
	}
	return c
}

// Get returns the tile for k: from the cache, from a render already running
// for k, or from render, run once for all concurrent callers. A render's
// error is returned to its waiters and not cached. ctx bounds only this
// caller's wait.
func (c *Cache) Get(ctx context.Context, k Key, render func(ctx context.Context) (Tile, error)) (Tile, Outcome, error) {
	if k.Z < 0 || k.Z > MaxZoom {
		return Tile{}, Miss, fmt.Errorf("tilecache: zoom %d outside 0..%d", k.Z, MaxZoom)
	}
	c.mu.Lock()
	if e, ok := c.items[k]; ok {
		c.moveToFront(e)
		c.stats.Hits++
		t := e.tile
		c.mu.Unlock()
		return t, Hit, nil
	}
	if f, ok := c.flights[k]; ok {
		f.waiters++
		c.stats.Shared++
		c.mu.Unlock()
		t, err := c.wait(ctx, f)
		return t, Shared, err
	}
	c.stats.Misses++
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f := &call{key: k, layers: strings.Split(k.Layers, ","), bound: TileBound(k.Z, k.X, k.Y),
		done: make(chan struct{}), waiters: 1, cancel: cancel}
	c.flights[k] = f
	c.mu.Unlock()
	go c.run(rctx, f, render)
	t, err := c.wait(ctx, f)
	return t, Miss, err
}

func (c *Cache) run(ctx context.Context, f *call, render func(context.Context) (Tile, error)) {
	var t Tile
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("tilecache: render of %s panicked: %v", f.key, p)
			}
		}()
		t, err = render(ctx)
	}()
	c.mu.Lock()
	if c.flights[f.key] == f {
		delete(c.flights, f.key)
	}
	if err == nil && !f.stale {
		c.add(f, t)
	}
	f.tile, f.err = t, err
	close(f.done)
	c.mu.Unlock()
	f.cancel()
}

func (c *Cache) wait(ctx context.Context, f *call) (Tile, error) {
	select {
	case <-f.done:
		return f.tile, f.err
	case <-ctx.Done():
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-f.done: // finished meanwhile
		return f.tile, f.err
	default:
	}
	f.waiters--
	if f.waiters == 0 {
		// Nobody wants it any more: stop the query, and let the next
		// request start afresh rather than join a cancelled render.
		f.cancel()
		if c.flights[f.key] == f {
			delete(c.flights, f.key)
		}
	}
	return Tile{}, ctx.Err()
}

// add stores a finished render; c.mu is held.
func (c *Cache) add(f *call, t Tile) {
	size := int64(len(t.Body)+len(t.ETag)+len(f.key.Layers)) + entryOverhead
	if c.max <= 0 || size > c.max {
		return
	}
	if old, ok := c.items[f.key]; ok {
		c.remove(old)
	}
	e := &entry{key: f.key, layers: f.layers, bound: f.bound, tile: t, size: size}
	c.items[e.key] = e
	id := tileID{e.key.Z, e.key.X, e.key.Y}
	c.byTile[id] = append(c.byTile[id], e)
	c.byZoom[e.key.Z][e] = struct{}{}
	c.pushFront(e)
	c.bytes += size
	for c.bytes > c.max && c.tail != nil {
		c.remove(c.tail)
		c.stats.Evictions++
	}
}

// Replace stores t for k in place of old (the same tile in another form,
// e.g. compressed), if k still holds old: a tile invalidated, evicted or
// re-rendered meanwhile is left alone. It reports whether it replaced.
func (c *Cache) Replace(k Key, old, t Tile) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok || e.tile.ETag != old.ETag || e.tile.Gzipped != old.Gzipped || len(e.tile.Body) != len(old.Body) {
		return false
	}
	size := int64(len(t.Body)+len(t.ETag)+len(k.Layers)) + entryOverhead
	c.bytes += size - e.size
	e.tile, e.size = t, size
	for c.bytes > c.max && c.tail != nil {
		c.remove(c.tail)
		c.stats.Evictions++
	}
	return true
}

// remove drops e from every structure; c.mu is held.
func (c *Cache) remove(e *entry) {
	delete(c.items, e.key)
	id := tileID{e.key.Z, e.key.X, e.key.Y}
	list := c.byTile[id]
	for i, o := range list {
		if o == e {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(c.byTile, id)
	} else {
		c.byTile[id] = list
	}
	delete(c.byZoom[e.key.Z], e)
	c.unlink(e)
	c.bytes -= e.size
}

func (c *Cache) pushFront(e *entry) {
	e.prev, e.next = nil, c.head
	if c.head != nil {
		c.head.prev = e
	}
	c.head = e
	if c.tail == nil {
		c.tail = e
	}
}

func (c *Cache) unlink(e *entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		c.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

func (c *Cache) moveToFront(e *entry) {
	if c.head == e {
		return
	}
	c.unlink(e)
	c.pushFront(e)
}

// Invalidate drops every cached tile of ch.Layer whose area (with its
// buffer) intersects ch.BBox, or every tile of the layer when BBox is nil,
// and keeps renders in flight for those tiles from being stored.
func (c *Cache) Invalidate(ch planning.Change) {
	dropped, watchers := c.invalidate(ch)
	if len(dropped) > 0 {
		for _, f := range watchers {
			f(dropped)
		}
	}
}

// OnInvalidate adds f to what Invalidate calls, outside the cache's lock,
// with the keys of the tiles a change dropped or kept from being stored (so
// that a caller can render them again ahead of the next request).
func (c *Cache) OnInvalidate(f func(dropped []Key)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.watchers = append(c.watchers, f)
}

func (c *Cache) invalidate(ch planning.Change) ([]Key, []func([]Key)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var keys []Key
	c.stats.Changes++
	hit := func(layers []string, b orb.Bound) bool {
		return hasLayer(layers, ch.Layer) && (ch.BBox == nil || b.Intersects(*ch.BBox))
	}
	for k, f := range c.flights {
		if hit(f.layers, f.bound) {
			f.stale = true
			delete(c.flights, k)
			keys = append(keys, k)
		}
	}
	var drop []*entry
	if ch.BBox == nil {
		for e := c.head; e != nil; e = e.next {
			if hasLayer(e.layers, ch.Layer) {
				drop = append(drop, e)
			}
		}
	} else {
		for z := 0; z <= MaxZoom; z++ {
			if len(c.byZoom[z]) == 0 {
				continue
			}
			x0, y0, x1, y1 := Covering(*ch.BBox, z)
			if (x1-x0+1)*(y1-y0+1) <= len(c.byZoom[z]) {
				for x := x0; x <= x1; x++ {
					for y := y0; y <= y1; y++ {
						for _, e := range c.byTile[tileID{z, x, y}] {
							if hit(e.layers, e.bound) {
								drop = append(drop, e)
							}
						}
					}
				}
			} else {
				for e := range c.byZoom[z] {
					if hit(e.layers, e.bound) {
						drop = append(drop, e)
					}
				}
			}
		}
	}
	for _, e := range drop {
		keys = append(keys, e.key)
		c.remove(e)
	}
	c.stats.Invalidated += int64(len(drop))
	return keys, c.watchers
}

// Clear drops every entry (renders in flight are not stored either).
func (c *Cache) Clear() {
	for _, l := range planning.LayerNames {
		c.Invalidate(planning.Change{Layer: l})
	}
}

// Stats reports the counters and the current size.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Entries, s.Bytes, s.MaxBytes, s.InFlight = len(c.items), c.bytes, c.max, len(c.flights)
	return s
}

func hasLayer(layers []string, name string) bool {
	for _, l := range layers {
		if l == name {
			return true
		}
	}
	return false
}

// maxLat is the latitude of the top edge of Web Mercator tiles.
var maxLat = math.Atan(math.Sinh(math.Pi)) * 180 / math.Pi

// fraction returns lon/lat as fractional tile coordinates at zoom z.
func fraction(lon, lat float64, z int) (float64, float64) {
	n := float64(int(1) << z)
	lat = math.Max(-maxLat, math.Min(maxLat, lat))
	s := math.Sin(lat * math.Pi / 180)
	return (lon + 180) / 360 * n, (0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * n
}

// Covering returns the range of tiles at zoom z (x0..x1, y0..y1, inclusive)
// whose buffered area may touch the lon/lat bound b: the tiles that draw
// something of what lies in b.
func Covering(b orb.Bound, z int) (x0, y0, x1, y1 int) {
	n := int(1) << z
	fx0, fy1 := fraction(b.Min[0], b.Min[1], z)
	fx1, fy0 := fraction(b.Max[0], b.Max[1], z)
	clamp := func(f float64) int {
		return max(0, min(n-1, int(math.Floor(f))))
	}
	// One more grid unit each side absorbs rounding at the tile edges.
	const m = bufferFraction + 1.0/4096
	return clamp(fx0 - m), clamp(fy0 - m), clamp(fx1 + m), clamp(fy1 + m)
}

// TileBound is the lon/lat area that tile z/x/y draws from: the tile and
// its buffer (64/4096 of the tile each side), as ST_AsMVTGeom keeps it.
func TileBound(z, x, y int) orb.Bound {
	n := float64(int(1) << z)
	lon := func(f float64) float64 { return f/n*360 - 180 }
	lat := func(f float64) float64 { return math.Atan(math.Sinh(math.Pi*(1-2*f/n))) * 180 / math.Pi }
	x0, x1 := float64(x)-bufferFraction, float64(x+1)+bufferFraction
	y0, y1 := math.Max(0, float64(y)-bufferFraction), math.Min(n, float64(y+1)+bufferFraction)
	return orb.Bound{Min: orb.Point{lon(x0), lat(y1)}, Max: orb.Point{lon(x1), lat(y0)}}
}
