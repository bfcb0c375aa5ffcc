package web

import (
	"sync"
	"time"
)

// loginGuard slows password guessing: after too many failed logins for one
// username from one address, or from one address overall, within a
// window, further attempts are refused until the window passes.
type loginGuard struct {
	mu       sync.Mutex
	window   time.Duration
	perUser  int // failures for one (address, username)
	perAddr  int // failures from one address, any username
	failures map[string][]time.Time
}

func newLoginGuard() *loginGuard {
	return &loginGuard{window: 15 * time.Minute, perUser: 5, perAddr: 30, failures: map[string][]time.Time{}}
}

// recent drops failures older than the window and returns the rest.
func (g *loginGuard) recent(key string, now time.Time) []time.Time {
	ts := g.failures[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) > g.window {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(g.failures, key)
	} else {
		g.failures[key] = ts
	}
	return ts
}

// blocked reports whether an attempt must wait, and for how long.
func (g *loginGuard) blocked(addr, user string, now time.Time) (bool, time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, k := range []struct {
		key   string
		limit int
	}{{addr + "\x00" + user, g.perUser}, {addr, g.perAddr}} {
		if ts := g.recent(k.key, now); len(ts) >= k.limit {
			return true, g.window - now.Sub(ts[len(ts)-k.limit])
		}
	}
	return false, 0
}

// failed records a failed attempt.
func (g *loginGuard) failed(addr, user string, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, key := range []string{addr + "\x00" + user, addr} {
		g.failures[key] = append(g.recent(key, now), now)
	}
	if len(g.failures) > 100_000 { // bound memory under a flood of addresses
		g.failures = map[string][]time.Time{}
	}
}

// succeeded forgets the failures of one (address, username).
func (g *loginGuard) succeeded(addr, user string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.failures, addr+"\x00"+user)
}
