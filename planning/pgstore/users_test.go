package pgstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"golang.org/x/crypto/argon2"
)

const goodPassword = "correct horse battery"

func addUser(t *testing.T, s *pgstore.Store, name string, role planning.Role) planning.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), name, "Test "+name, role, goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func errDetail(err error, key string) any {
	var de *planning.Error
	if !errors.As(err, &de) {
		return nil
	}
	return de.Details[key]
}

func TestPasswordHashRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	u, err := s.CreateUser(ctx, "  Wang.Li ", " 王丽 ", planning.RoleAllocator, goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "wang.li" || u.DisplayName != "王丽" || u.Role != planning.RoleAllocator || u.ID == 0 || u.CreatedAt.IsZero() {
		t.Fatalf("created %+v", u)
	}
	addUser(t, s, "zhao", planning.RoleViewer) // the same password
	var h1, h2 string
	if err := s.Pool().QueryRow(ctx, "SELECT (SELECT password_hash FROM users WHERE username = 'wang.li'), (SELECT password_hash FROM users WHERE username = 'zhao')").Scan(&h1, &h2); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=65536,t=1,p=4$") || strings.Contains(h1, goodPassword) {
		t.Fatalf("stored hash %q", h1)
	}
	if h1 == h2 {
		t.Fatal("two users with the same password have the same hash: no salt")
	}
	got, err := s.Authenticate(ctx, "WANG.LI", goodPassword)
	if err != nil || got.ID != u.ID || got.Role != planning.RoleAllocator {
		t.Fatalf("Authenticate: %+v %v", got, err)
	}
}

func TestAuthenticationFailuresLookAlike(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	addUser(t, s, "wang", planning.RoleViewer)
	addUser(t, s, "zhou", planning.RoleViewer)
	if err := s.DisableUser(ctx, "zhou"); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ user, password, cause string }{
		{"wang", "wrong password!", "wrong password"},
		{"nobody", goodPassword, "unknown user"},
		{"zhou", goodPassword, "user disabled"},
		{"wang", strings.Repeat("x", 5000), "password too long"},
	}
	for _, c := range cases {
		_, err := s.Authenticate(ctx, c.user, c.password)
		var de *planning.Error
		if !errors.As(err, &de) || de.Code != planning.ErrUnauthenticated || de.Message != "wrong username or password" || de.Err == nil || de.Err.Error() != c.cause {
			t.Errorf("%s/%s: %#v", c.user, c.cause, err)
		}
	}
	// An unknown user costs a hash too, so timing does not tell who exists.
	timeOf := func(user string) time.Duration {
		best := time.Hour
		for range 3 {
			t0 := time.Now()
			s.Authenticate(ctx, user, "wrong password!")
			best = min(best, time.Since(t0))
		}
		return best
	}
	known, unknown := timeOf("wang"), timeOf("nobody")
	if unknown < known/4 {
		t.Errorf("an unknown user is refused in %v, a known one in %v", unknown, known)
	}
}

func TestCreateUserChecksItsInput(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	addUser(t, s, "wang", planning.RoleViewer)
	cases := []struct {
		name, display string
		role          planning.Role
		password      string
		code          planning.ErrorCode
		field         string
	}{
		{"ab", "", planning.RoleViewer, goodPassword, planning.ErrInvalid, "username"},
		{"wang li", "", planning.RoleViewer, goodPassword, planning.ErrInvalid, "username"},
		{"li", "", planning.RoleViewer, goodPassword, planning.ErrInvalid, "username"},
		{"li.na", "", "root", goodPassword, planning.ErrInvalid, "role"},
		{"li.na", "", planning.RoleViewer, "short", planning.ErrInvalid, "password"},
		{"li.na", strings.Repeat("名", 101), planning.RoleViewer, goodPassword, planning.ErrInvalid, "display_name"},
		{"Wang", "", planning.RoleAdmin, goodPassword, planning.ErrConflict, "username"},
	}
	for _, c := range cases {
		_, err := s.CreateUser(ctx, c.name, c.display, c.role, c.password)
		if planning.CodeOf(err) != c.code || errDetail(err, "field") != c.field {
			t.Errorf("CreateUser(%q, role %q, password %q): %v %v; want %s naming %s", c.name, c.role, c.password, planning.CodeOf(err), err, c.code, c.field)
		}
	}
	users, err := s.ListUsers(ctx)
	if err != nil || len(users) != 1 {
		t.Fatalf("after refusals: %v %v", users, err)
	}
	if _, err := s.GetUser(ctx, "nobody"); planning.CodeOf(err) != planning.ErrNotFound {
		t.Errorf("GetUser(nobody): %v", err)
	}
}

func TestSessionsExpireAndEnd(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	u := addUser(t, s, "wang", planning.RoleAllocator)
	token, sess, err := s.CreateSession(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(token) != 43 || len(sess.CSRFToken) != 43 || token == sess.CSRFToken || time.Until(sess.ExpiresAt) < 59*time.Minute {
		t.Fatalf("session %q %+v", token, sess)
	}
	var stored int
	sum := sha256.Sum256([]byte(token))
	if err := s.Pool().QueryRow(ctx, "SELECT count(*) FROM sessions WHERE id = $1", sum[:]).Scan(&stored); err != nil || stored != 1 {
		t.Fatalf("the session is not stored under the token's sha256: %d %v", stored, err)
	}
	got, gs, err := s.SessionUser(ctx, token, 30*time.Minute)
	if err != nil || got.Username != "wang" || gs.CSRFToken != sess.CSRFToken {
		t.Fatalf("SessionUser: %+v %+v %v", got, gs, err)
	}
	// last_seen_at moves only when a minute has passed.
	lastSeen := func() time.Time {
		var ts time.Time
		if err := s.Pool().QueryRow(ctx, "SELECT last_seen_at FROM sessions WHERE id = $1", sum[:]).Scan(&ts); err != nil {
			t.Fatal(err)
		}
		return ts
	}
	if _, err := s.Pool().Exec(ctx, "UPDATE sessions SET last_seen_at = now() - interval '5 minutes' WHERE id = $1", sum[:]); err != nil {
		t.Fatal(err)
	}
	old := lastSeen()
	s.SessionUser(ctx, token, 30*time.Minute)
	slid := lastSeen()
	if time.Since(slid) > time.Minute || !slid.After(old) {
		t.Fatalf("last_seen_at did not slide: %v → %v", old, slid)
	}
	s.SessionUser(ctx, token, 30*time.Minute)
	if !lastSeen().Equal(slid) {
		t.Fatal("last_seen_at moved twice within a minute")
	}

	unauth := func(what, token string) {
		t.Helper()
		if _, _, err := s.SessionUser(ctx, token, 30*time.Minute); planning.CodeOf(err) != planning.ErrUnauthenticated {
			t.Errorf("%s: %v", what, err)
		}
	}
	unauth("garbage", "not-a-token")
	unauth("unknown", strings.Repeat("A", 43))
	if _, err := s.Pool().Exec(ctx, "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1", sum[:]); err != nil {
		t.Fatal(err)
	}
	unauth("expired", token)

	short, _, err := s.CreateSession(ctx, u.ID, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	unauth("tiny TTL", short)
	if _, _, err := s.CreateSession(ctx, u.ID, 0); planning.CodeOf(err) != planning.ErrInvalid {
		t.Errorf("zero TTL: %v", err)
	}

	// Making a session sweeps the expired ones.
	live, _, _ := s.CreateSession(ctx, u.ID, time.Hour)
	var left int
	s.Pool().QueryRow(ctx, "SELECT count(*) FROM sessions WHERE expires_at < now()").Scan(&left)
	if left != 0 {
		t.Errorf("%d expired sessions left after a new one was made", left)
	}
	if err := s.DeleteSession(ctx, live); err != nil {
		t.Fatal(err)
	}
	unauth("deleted", live)

	live, _, _ = s.CreateSession(ctx, u.ID, time.Hour)
	if err := s.SetPassword(ctx, "wang", "a new passphrase"); err != nil {
		t.Fatal(err)
	}
	unauth("after a password change", live)
	if _, err := s.Authenticate(ctx, "wang", goodPassword); err == nil {
		t.Error("the old password still works")
	}
	if _, err := s.Authenticate(ctx, "wang", "a new passphrase"); err != nil {
		t.Error(err)
	}

	live, _, _ = s.CreateSession(ctx, u.ID, time.Hour)
	if err := s.SetDisabled(ctx, "wang", true); err != nil {
		t.Fatal(err)
	}
	unauth("disabled user", live)
	if err := s.SetDisabled(ctx, "wang", false); err != nil {
		t.Fatal(err)
	}
	unauth("disabled, then enabled: the session stays ended", live)
}

func TestIdleSessionsEnd(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	u := addUser(t, s, "wang", planning.RoleAllocator)
	const idle = 30 * time.Minute
	newSession := func() (string, []byte) {
		t.Helper()
		token, _, err := s.CreateSession(ctx, u.ID, 12*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(token))
		return token, sum[:]
	}
	lastSeenAgo := func(id []byte, ago string) {
		t.Helper()
		if _, err := s.Pool().Exec(ctx, "UPDATE sessions SET last_seen_at = now() - $2::interval WHERE id = $1", id, ago); err != nil {
			t.Fatal(err)
		}
	}

	// Used 29 minutes ago: still good, and the use is noted.
	token, id := newSession()
	lastSeenAgo(id, "29 minutes")
	if got, _, err := s.SessionUser(ctx, token, idle); err != nil || got.Username != "wang" {
		t.Fatalf("a session used 29 minutes ago: %+v %v", got, err)
	}
	// An active user (a request every 50 s, for longer than the idle limit
	// and past it) is never logged out: last_seen_at keeps up.
	for i := 0; i < 40; i++ {
		if _, err := s.Pool().Exec(ctx, "UPDATE sessions SET last_seen_at = last_seen_at - interval '50 seconds' WHERE id = $1", id); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, token, planning.MinSessionIdle); err != nil {
			t.Fatalf("request %d of an active user with a %s idle limit: %v", i, planning.MinSessionIdle, err)
		}
	}

	// Unused for 31 minutes: refused, saying why, and ended.
	lastSeenAgo(id, "31 minutes")
	_, _, err := s.SessionUser(ctx, token, idle)
	if planning.CodeOf(err) != planning.ErrUnauthenticated || !strings.Contains(err.Error(), "idle too long (unused for more than 30 minutes)") {
		t.Fatalf("a session idle for 31 minutes: %v", err)
	}
	var left int
	if err := s.Pool().QueryRow(ctx, "SELECT count(*) FROM sessions WHERE id = $1", id).Scan(&left); err != nil || left != 0 {
		t.Fatalf("the idle session is still stored: %d %v", left, err)
	}
	if _, _, err := s.SessionUser(ctx, token, 0); planning.CodeOf(err) != planning.ErrUnauthenticated {
		t.Fatalf("an ended idle session came back: %v", err)
	}

	// No idle limit (0): only the expiry counts.
	token, id = newSession()
	lastSeenAgo(id, "11 hours")
	if _, _, err := s.SessionUser(ctx, token, 0); err != nil {
		t.Fatalf("without an idle limit: %v", err)
	}
	// The limit is the server's: a longer one lets the same session through.
	lastSeenAgo(id, "45 minutes")
	if _, _, err := s.SessionUser(ctx, token, time.Hour); err != nil {
		t.Fatalf("45 minutes idle under a 1h limit: %v", err)
	}
	lastSeenAgo(id, "45 minutes")
	if _, _, err := s.SessionUser(ctx, token, idle); planning.CodeOf(err) != planning.ErrUnauthenticated {
		t.Fatalf("45 minutes idle under a 30m limit: %v", err)
	}
}

func TestAPITokens(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	u := addUser(t, s, "script", planning.RoleAllocator)
	tok, token, err := s.CreateAPIToken(ctx, u.ID, " nightly import ", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, "lqt_") || len(token) != 47 || tok.Name != "nightly import" || tok.ExpiresAt != nil || tok.Username != "script" {
		t.Fatalf("token %q %+v", token, tok)
	}
	var kept int
	sum := sha256.Sum256([]byte(token))
	s.Pool().QueryRow(ctx, "SELECT count(*) FROM api_tokens WHERE token_hash = $1", sum[:]).Scan(&kept)
	if kept != 1 {
		t.Fatal("the token is not stored as its sha256")
	}
	got, err := s.TokenUser(ctx, token)
	if err != nil || got.ID != u.ID || got.Role != planning.RoleAllocator {
		t.Fatalf("TokenUser: %+v %v", got, err)
	}
	list, err := s.ListAPITokens(ctx, "script")
	if err != nil || len(list) != 1 || list[0].LastUsedAt == nil {
		t.Fatalf("ListAPITokens after a use: %+v %v", list, err)
	}
	for _, bad := range []string{"", "lqt_", "lqt_short", "Bearer " + token, token[4:], "lqt_" + strings.Repeat("A", 43)} {
		if _, err := s.TokenUser(ctx, bad); planning.CodeOf(err) != planning.ErrUnauthenticated {
			t.Errorf("TokenUser(%q): %v", bad, err)
		}
	}
	if _, err := s.RevokeAPIToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if r, err := s.RevokeAPIToken(ctx, tok.ID); err != nil || r.RevokedAt == nil {
		t.Fatalf("revoking twice: %+v %v", r, err)
	}
	if _, err := s.TokenUser(ctx, token); planning.CodeOf(err) != planning.ErrUnauthenticated {
		t.Fatalf("a revoked token works: %v", err)
	}
	if _, err := s.RevokeAPIToken(ctx, 9999); planning.CodeOf(err) != planning.ErrNotFound {
		t.Errorf("revoking an unknown token: %v", err)
	}

	tok2, token2, err := s.CreateAPIToken(ctx, u.ID, "ci", 24*time.Hour)
	if err != nil || tok2.ExpiresAt == nil || time.Until(*tok2.ExpiresAt) < 23*time.Hour {
		t.Fatalf("token with TTL: %+v %v", tok2, err)
	}
	if err := s.DisableUser(ctx, "script"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenUser(ctx, token2); planning.CodeOf(err) != planning.ErrUnauthenticated {
		t.Errorf("a disabled user's token works: %v", err)
	}
	s.SetDisabled(ctx, "script", false)
	if _, err := s.TokenUser(ctx, token2); err != nil {
		t.Errorf("re-enabled user's token: %v", err)
	}
	s.Pool().Exec(ctx, "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1", tok2.ID)
	if _, err := s.TokenUser(ctx, token2); planning.CodeOf(err) != planning.ErrUnauthenticated {
		t.Errorf("an expired token works: %v", err)
	}
	if _, _, err := s.CreateAPIToken(ctx, u.ID, " ", 0); errDetail(err, "field") != "name" {
		t.Errorf("unnamed token: %v", err)
	}
	if _, _, err := s.CreateAPIToken(ctx, 9999, "x", 0); planning.CodeOf(err) != planning.ErrNotFound {
		t.Errorf("token for an unknown user: %v", err)
	}
}

func TestTheLastAdminStays(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	addUser(t, s, "root", planning.RoleAdmin)
	if _, err := s.SetRole(ctx, "root", planning.RoleAllocator); planning.CodeOf(err) != planning.ErrConflict {
		t.Fatalf("demoting the only admin: %v", err)
	}
	if err := s.SetDisabled(ctx, "root", true); planning.CodeOf(err) != planning.ErrConflict {
		t.Fatalf("disabling the only admin: %v", err)
	}
	addUser(t, s, "second", planning.RoleViewer)
	old, err := s.SetRole(ctx, "second", planning.RoleAdmin)
	if err != nil || old != planning.RoleViewer {
		t.Fatalf("SetRole: %q %v", old, err)
	}
	if old, err := s.SetRole(ctx, "root", planning.RoleViewer); err != nil || old != planning.RoleAdmin {
		t.Fatalf("demoting one of two admins: %q %v", old, err)
	}
	if _, err := s.SetRole(ctx, "nobody", planning.RoleViewer); planning.CodeOf(err) != planning.ErrNotFound {
		t.Errorf("unknown user: %v", err)
	}
	if _, err := s.SetRole(ctx, "root", "god"); planning.CodeOf(err) != planning.ErrInvalid {
		t.Errorf("unknown role: %v", err)
	}
}

func TestHashesUnderOldParametersAreUpgraded(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	addUser(t, s, "old", planning.RoleViewer)
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(goodPassword), salt, 2, 8*1024, 1, 32)
	weak := fmt.Sprintf("$argon2id$v=19$m=8192,t=2,p=1$%s$%s", base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	if _, err := s.Pool().Exec(ctx, "UPDATE users SET password_hash = $1 WHERE username = 'old'", weak); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "old", goodPassword); err != nil {
		t.Fatalf("a hash under other parameters does not verify: %v", err)
	}
	var now string
	s.Pool().QueryRow(ctx, "SELECT password_hash FROM users WHERE username = 'old'").Scan(&now)
	if !strings.HasPrefix(now, "$argon2id$v=19$m=65536,t=1,p=4$") {
		t.Fatalf("not rehashed: %q", now)
	}
	if _, err := s.Authenticate(ctx, "old", goodPassword); err != nil {
		t.Fatal(err)
	}
}

func TestAuditLog(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	if err := s.Audit(ctx, "cli", planning.AuditUserCreated, "wang", map[string]any{"role": "viewer"}, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, "wang", planning.AuditLogin, "wang", nil, "10.0.0.7"); err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, "x", "hacked", "y", nil, ""); planning.CodeOf(err) != planning.ErrInvalid {
		t.Errorf("unknown action: %v", err)
	}
	var n int
	var role string
	var addr *string
	s.Pool().QueryRow(ctx, `SELECT count(*), max(details->>'role'), max(remote_addr) FROM audit_log`).Scan(&n, &role, &addr)
	if n != 2 || role != "viewer" || addr == nil || *addr != "10.0.0.7" {
		t.Fatalf("audit log: %d rows, role %q, addr %v", n, role, addr)
	}
}
