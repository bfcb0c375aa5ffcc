package web

import (
	"fmt"
	"testing"
	"time"
)

func fail(g *loginGuard, addr, user string, now time.Time) bool {
	busy, refused, _ := g.begin(addr, user, now)
	if busy || refused {
		return false
	}
	g.end(addr, user, loginFailed, now)
	return true
}

// After the limit each further try waits twice as long as the last.
func TestLoginGuardDelaysGrow(t *testing.T) {
	g := newLoginGuard()
	now := time.Unix(1_800_000_000, 0)
	for i := range limitPair {
		if !fail(g, "10.0.0.1", "li", now) {
			t.Fatalf("try %d refused", i+1)
		}
	}
	for _, wait := range []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute} {
		if _, refused, w := g.begin("10.0.0.1", "li", now.Add(wait-time.Second)); !refused || w != time.Second {
			t.Fatalf("a try %s after the last failure: refused %v, wait %s", wait-time.Second, refused, w)
		}
		now = now.Add(wait)
		if !fail(g, "10.0.0.1", "li", now) {
			t.Fatalf("a try %s after the last failure was refused", wait)
		}
	}
	// Another address of the same office is not held up by li's typing.
	if busy, refused, _ := g.begin("10.0.0.2", "li", now); busy || refused {
		t.Fatal("li from another address refused")
	}
}

// A flood of cheap failures from many addresses cannot push a victim's
// lock out of the bounded table.
func TestLoginGuardEvictionKeepsLocks(t *testing.T) {
	g := newLoginGuard()
	g.max = 1000
	now := time.Unix(1_800_000_000, 0)
	for range limitPair {
		fail(g, "10.9.9.9", "victim", now)
	}
	for i := range 100_000 {
		fail(g, fmt.Sprintf("172.16.%d.%d", i/250, i%250), fmt.Sprintf("spray%d", i), now.Add(time.Millisecond))
		if len(g.entries) > g.max {
			t.Fatalf("the table grew to %d keys (bound %d)", len(g.entries), g.max)
		}
	}
	if _, refused, _ := g.begin("10.9.9.9", "victim", now.Add(time.Second)); !refused {
		t.Fatal("the flood cleared the victim's lock")
	}
}

// An attempt that was never checked (no hashing slot, the database away)
// neither counts nor clears the failures before it.
func TestLoginGuardAbandonedAttemptsChangeNothing(t *testing.T) {
	g := newLoginGuard()
	now := time.Unix(1_800_000_000, 0)
	for range limitPair - 1 {
		fail(g, "10.0.0.1", "li", now)
	}
	if busy, refused, _ := g.begin("10.0.0.1", "li", now); busy || refused {
		t.Fatal("the fifth try refused")
	}
	g.end("10.0.0.1", "li", loginAbandoned, now)
	if !fail(g, "10.0.0.1", "li", now) {
		t.Fatal("the fifth real try refused")
	}
	if _, refused, _ := g.begin("10.0.0.1", "li", now); !refused {
		t.Fatal("not locked after five real failures around an abandoned one")
	}
}
