package web_test

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/web"
)

// newProxiedAuthEnv is newAuthEnv behind a trusted proxy on loopback, so a
// test can speak for many client addresses through X-Forwarded-For.
func newProxiedAuthEnv(t *testing.T) *authEnv {
	t.Helper()
	return serveEnv(t, web.Config{Version: "test", TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}, openStore(t))
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// Finding 5: 1 MiB usernames from 12 addresses are refused at once and
// leave nothing behind (before: kept by the login guard for 15 minutes).
func TestLoginRefusesLongUsernamesCheaply(t *testing.T) {
	e := newProxiedAuthEnv(t)
	before := heapInUse()
	start := time.Now()
	for i := range 120 {
		name := strings.Repeat(string(rune('a'+i%26)), 1<<20-100) + fmt.Sprint(i)
		r := e.call("POST", "/api/login", map[string]string{"username": name, "password": "whatever it is"}, nil,
			"X-Forwarded-For", fmt.Sprintf("10.5.0.%d", i%12+1))
		if r.StatusCode != 400 || r.errorField() != "username" || !strings.Contains(r.errorMessage(), "64") {
			t.Fatalf("login %d with a 1 MiB username: %d %.200s", i, r.StatusCode, r.raw)
		}
	}
	grew := int64(heapInUse()) - int64(before)
	t.Logf("120 logins with 1 MiB usernames: %s, heap %+d KiB", time.Since(start).Round(time.Millisecond), grew>>10)
	if grew > 8<<20 {
		t.Errorf("the heap grew by %d MiB after 120 refused logins (bound 8 MiB)", grew>>20)
	}
	if n := len(e.audit()); n != 0 {
		t.Errorf("%d audit rows for refused usernames", n)
	}
}

// Finding 6: 60 concurrent wrong passwords for one account get exactly 5
// real password checks (the rest 429), and another user logs in meanwhile.
func TestConcurrentWrongPasswordsAreCountedAtomically(t *testing.T) {
	e := newAuthEnv(t)
	e.user("target", planning.RoleViewer)
	e.user("bystander", planning.RoleViewer)
	var wg sync.WaitGroup
	codes := make(chan int, 60)
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- e.call("POST", "/api/login", map[string]string{"username": "target", "password": fmt.Sprintf("guess number %d", i)}, nil).StatusCode
		}()
	}
	var slowest time.Duration
	for range 3 {
		t0 := time.Now()
		e.login("bystander", authPassword)
		slowest = max(slowest, time.Since(t0))
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[401] != 5 || count[429] != 55 {
		t.Errorf("60 concurrent wrong passwords answered %v; want 5×401 and 55×429", count)
	}
	var checks int
	if err := e.store.Pool().QueryRow(context.Background(),
		"SELECT count(*) FROM audit_log WHERE action = 'login_failed' AND subject = 'target' AND details->>'reason' = 'wrong password'").Scan(&checks); err != nil {
		t.Fatal(err)
	}
	if checks != 5 {
		t.Errorf("%d real password checks for target, want 5", checks)
	}
	t.Logf("bystander's slowest login during the attack: %s", slowest.Round(time.Millisecond))
	if slowest > 5*time.Second {
		t.Errorf("bystander waited %s to log in", slowest)
	}
}

// Finding 7: failures are keyed on the account and (account, address), so
// an office behind one proxy address is not locked out by a few people's
// mistakes; X-Forwarded-For counts only from a trusted proxy.
func TestOfficeBehindProxyIsNotLockedOut(t *testing.T) {
	e := newProxiedAuthEnv(t)
	for i := range 10 {
		e.user(fmt.Sprintf("clerk%d", i), planning.RoleViewer)
	}
	e.user("chief", planning.RoleViewer)
	// 30 failures from the office's address, 3 per colleague.
	for i := range 30 {
		r := e.call("POST", "/api/login", map[string]string{"username": fmt.Sprintf("clerk%d", i%10), "password": "typo typo typo"}, nil,
			"X-Forwarded-For", "10.20.0.1")
		if r.StatusCode != 401 {
			t.Fatalf("failure %d: %d %s", i, r.StatusCode, r.raw)
		}
	}
	e.login("chief", authPassword, "X-Forwarded-For", "10.20.0.1")
	e.login("clerk1", authPassword, "X-Forwarded-For", "10.20.0.1")
	// Guessing at one account from one address locks that pair only.
	for range 5 {
		e.call("POST", "/api/login", map[string]string{"username": "clerk2", "password": "guess guess"}, nil, "X-Forwarded-For", "203.0.113.9")
	}
	if r := e.call("POST", "/api/login", map[string]string{"username": "clerk2", "password": authPassword}, nil, "X-Forwarded-For", "203.0.113.9"); r.StatusCode != 429 {
		t.Fatalf("the guesser's sixth try: %d %s", r.StatusCode, r.raw)
	}
	e.login("clerk2", authPassword, "X-Forwarded-For", "10.20.0.7")

	// Without a trusted proxy X-Forwarded-For is ignored: a new address in
	// it does not buy new tries.
	d := newAuthEnv(t)
	d.user("solo", planning.RoleViewer)
	for i := range 5 {
		d.call("POST", "/api/login", map[string]string{"username": "solo", "password": "guess guess"}, nil, "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i))
	}
	if r := d.call("POST", "/api/login", map[string]string{"username": "solo", "password": authPassword}, nil, "X-Forwarded-For", "198.51.100.77"); r.StatusCode != 429 {
		t.Fatalf("a forged X-Forwarded-For bought a sixth try: %d", r.StatusCode)
	}
}
