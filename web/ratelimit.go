package web

import (
	"sync"
	"time"
)

// loginGuard slows password guessing. Failed logins are counted per
// account and per (account, address), and, far more loosely, per address:
// a land bureau's proxy is one address for the whole office, so a few
// people mistyping must not lock their colleagues out. Past a key's limit
// each further attempt waits a delay that doubles with every failure (at
// most the window); a key with no failure for a window is forgotten.
//
// An attempt is reserved before its password is checked (begin) and then
// counted as failed or forgotten (end), so concurrent guesses cannot slip
// past a limit, and few checks per account run at a time. The table
// is bounded: when full, keys that hold no lock are dropped first, and a
// lock is never dropped before it ends.
type loginGuard struct {
	mu      sync.Mutex
	window  time.Duration // a key is forgotten this long after its last failure; the longest delay
	base    time.Duration // the first delay once a limit is reached
	max     int           // keys kept at most
	entries map[string]*guardEntry
}

// The limits: failures before delays start.
const (
	limitPair    = 5   // one account from one address
	limitAccount = 20  // one account from anywhere
	limitAddress = 100 // one address, any accounts (an office behind a proxy)
)

type guardEntry struct {
	failures int       // counted failures since the key was last forgotten
	pending  int       // password checks under way
	last     time.Time // the last failure
}

func newLoginGuard() *loginGuard {
	return &loginGuard{window: 15 * time.Minute, base: 30 * time.Second, max: 50_000, entries: map[string]*guardEntry{}}
}

// guardKeys are the keys of one attempt with their limits.
func guardKeys(addr, user string) [3]struct {
	key   string
	limit int
} {
	return [3]struct {
		key   string
		limit int
	}{{"p\x00" + user + "\x00" + addr, limitPair}, {"u\x00" + user, limitAccount}, {"a\x00" + addr, limitAddress}}
}

// wait is how long key must wait before its next attempt (0: it may go).
func (g *loginGuard) wait(e *guardEntry, limit int, now time.Time) time.Duration {
	if e == nil {
		return 0
	}
	if e.failures+e.pending < limit {
		return 0
	}
	if e.pending > 0 {
		return time.Second // the checks under way decide
	}
	d := g.window
	if n := e.failures - limit; n < 16 {
		d = min(g.window, g.base<<n)
	}
	return max(0, e.last.Add(d).Sub(now))
}

// locked reports whether an entry may not be dropped to make room.
func (g *loginGuard) locked(e *guardEntry, now time.Time) bool {
	return e.pending > 0 || e.failures >= limitPair && now.Sub(e.last) < g.window
}

// entry returns key's entry, forgetting it when its window has passed.
func (g *loginGuard) entry(key string, now time.Time) *guardEntry {
	e := g.entries[key]
	if e != nil && e.pending == 0 && now.Sub(e.last) >= g.window {
		delete(g.entries, key)
		return nil
	}
	return e
}

// accountChecks bounds the password checks of one account running at
// once, so that guessing at one account leaves hashing slots to others.
const accountChecks = 2

// begin reserves an attempt. It answers busy when the account already has
// its checks under way (try again shortly), or refused with the wait when
// a limit says no; otherwise the caller must call end with the outcome.
func (g *loginGuard) begin(addr, user string, now time.Time) (busy, refused bool, wait time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	keys := guardKeys(addr, user)
	if e := g.entry(keys[1].key, now); e != nil && e.pending >= accountChecks {
		return true, false, 0
	}
	for _, k := range keys {
		if w := g.wait(g.entry(k.key, now), k.limit, now); w > 0 {
			return false, true, w
		}
	}
	for _, k := range keys {
		e := g.entries[k.key]
		if e == nil {
			if len(g.entries) >= g.max && !g.makeRoom(now) {
				continue // full of locks: this key goes uncounted, no lock is lost
			}
			e = &guardEntry{last: now}
			g.entries[k.key] = e
		}
		e.pending++
	}
	return false, false, 0
}

// The outcomes of an attempt.
type loginOutcome int

const (
	loginFailed    loginOutcome = iota // a wrong password: counted
	loginSucceeded                     // the right one: the account's counts are cleared
	loginAbandoned                     // not checked (no slot, the database away): not counted
)

// end settles an attempt begun with begin.
func (g *loginGuard) end(addr, user string, outcome loginOutcome, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, k := range guardKeys(addr, user) {
		e := g.entries[k.key]
		if e == nil {
			continue
		}
		e.pending = max(0, e.pending-1)
		switch {
		case outcome == loginFailed:
			e.failures++
			e.last = now
		case outcome == loginSucceeded && i < 2:
			delete(g.entries, k.key)
		}
		if e.failures == 0 && e.pending == 0 {
			delete(g.entries, k.key)
		}
	}
}

// makeRoom drops the keys that hold no lock; it reports whether a tenth
// of the table is free afterwards (else the table is full of locks).
func (g *loginGuard) makeRoom(now time.Time) bool {
	for k, e := range g.entries {
		if !g.locked(e, now) {
			delete(g.entries, k)
		}
	}
	return len(g.entries) < g.max-g.max/10
}
