package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/web"
)

const authPassword = "correct horse battery"

// authEnv is a server over an empty database, and the store behind it.
type authEnv struct {
	t       *testing.T
	url     string
	handler http.Handler
	store   *pgstore.Store
}

func newAuthEnv(t *testing.T) *authEnv {
	t.Helper()
	// No Config.Users: the server finds the user store in the store it serves.
	return serveEnv(t, web.Config{Version: "test"}, openStore(t))
}

func (e *authEnv) user(name string, role planning.Role) planning.User {
	e.t.Helper()
	u, err := e.store.CreateUser(context.Background(), name, "", role, authPassword)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func (e *authEnv) token(u planning.User) string {
	e.t.Helper()
	_, tok, err := e.store.CreateAPIToken(context.Background(), u.ID, "test", 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// authReply is a response with its body decoded (when it is JSON).
type authReply struct {
	*http.Response
	body map[string]any
	raw  string
}

// errorCode and errorMessage read {"error":{"code","message"}}.
func (r authReply) errorCode() string    { return str(r.body, "error", "code") }
func (r authReply) errorMessage() string { return str(r.body, "error", "message") }
func (r authReply) errorField() string   { return str(r.body, "error", "details", "field") }

func str(m map[string]any, path ...string) string {
	var v any = m
	for _, k := range path {
		o, _ := v.(map[string]any)
		v = o[k]
	}
	s, _ := v.(string)
	return s
}

// call sends a request: body is JSON-encoded unless it is a string;
// headers are name, value pairs (they win over the JSON content type and
// the cookie).
func (e *authEnv) call(method, path string, body any, cookie *http.Cookie, headers ...string) authReply {
	e.t.Helper()
	var rd io.Reader
	var first []string
	if body != nil {
		b, ok := body.(string)
		if !ok {
			j, err := json.Marshal(body)
			if err != nil {
				e.t.Fatal(err)
			}
			b = string(j)
		}
		rd = strings.NewReader(b)
		first = append(first, "Content-Type", "application/json")
	}
	if cookie != nil {
		first = append(first, "Cookie", (&http.Cookie{Name: cookie.Name, Value: cookie.Value}).String())
	}
	return e.send(method, path, rd, append(first, headers...)...)
}

// send makes a request with a raw body and headers (name, value pairs).
func (e *authEnv) send(method, path string, body io.Reader, headers ...string) authReply {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	res, raw := do(e.t, http.DefaultClient, req, headers...)
	r := authReply{Response: res, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// login logs in and returns the session cookie and the CSRF token.
func (e *authEnv) login(name, password string, headers ...string) (*http.Cookie, string) {
	e.t.Helper()
	r := e.call("POST", "/api/login", map[string]string{"username": name, "password": password}, nil, headers...)
	if r.StatusCode != 200 {
		e.t.Fatalf("login %s: %d %s", name, r.StatusCode, r.raw)
	}
	for _, c := range r.Cookies() {
		if c.Name == "lq_session" {
			return c, str(r.body, "csrf_token")
		}
	}
	e.t.Fatalf("login %s set no lq_session cookie", name)
	return nil, ""
}

// audit returns the audit rows, oldest first, as "actor action subject".
func (e *authEnv) audit() []string {
	e.t.Helper()
	rows, err := e.store.Pool().Query(context.Background(), "SELECT actor || ' ' || action || ' ' || subject FROM audit_log ORDER BY id")
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

func TestLoginMeLogout(t *testing.T) {
	e := newAuthEnv(t)
	e.user("wang", planning.RoleAllocator)
	r := e.call("POST", "/api/login", map[string]string{"username": "Wang", "password": authPassword}, nil)
	if r.StatusCode != 200 || str(r.body, "user", "username") != "wang" || str(r.body, "user", "role") != "allocator" {
		t.Fatalf("login: %d %s", r.StatusCode, r.raw)
	}
	if strings.Contains(r.raw, "password") || strings.Contains(r.raw, "argon2") {
		t.Fatalf("login answer shows a password or hash: %s", r.raw)
	}
	csrf := str(r.body, "csrf_token")
	if len(csrf) != 43 || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("csrf token %q, Cache-Control %q", csrf, r.Header.Get("Cache-Control"))
	}
	var cookie *http.Cookie
	for _, c := range r.Cookies() {
		if c.Name == "lq_session" {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatalf("no lq_session cookie: %v", r.Header["Set-Cookie"])
	}
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" || cookie.MaxAge != 12*3600 || cookie.Secure {
		t.Fatalf("cookie flags: %s", r.Header.Get("Set-Cookie"))
	}
	if cookie.Value == csrf || len(cookie.Value) != 43 {
		t.Fatalf("cookie value %q", cookie.Value)
	}

	me := e.call("GET", "/api/me", nil, cookie)
	if me.StatusCode != 200 || str(me.body, "user", "username") != "wang" || str(me.body, "via") != "session" || str(me.body, "csrf_token") != csrf {
		t.Fatalf("me: %d %s", me.StatusCode, me.raw)
	}

	// Logging out is a change: it needs the CSRF token like any other.
	if r := e.call("POST", "/api/logout", nil, cookie); r.StatusCode != 403 || !strings.Contains(r.errorMessage(), "X-CSRF-Token") {
		t.Fatalf("logout without CSRF: %d %s", r.StatusCode, r.raw)
	}
	out := e.call("POST", "/api/logout", nil, cookie, "X-CSRF-Token", csrf)
	if out.StatusCode != 204 {
		t.Fatalf("logout: %d %s", out.StatusCode, out.raw)
	}
	cleared := false
	for _, c := range out.Cookies() {
		cleared = cleared || (c.Name == "lq_session" && c.MaxAge < 0 && c.Value == "")
	}
	if !cleared {
		t.Fatalf("logout did not clear the cookie: %v", out.Header["Set-Cookie"])
	}
	if r := e.call("GET", "/api/me", nil, cookie); r.StatusCode != 401 || r.errorCode() != "unauthenticated" {
		t.Fatalf("me after logout: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("GET", "/api/me", nil, nil); r.StatusCode != 401 || !strings.Contains(r.errorMessage(), "log in first") {
		t.Fatalf("anonymous me: %d %s", r.StatusCode, r.raw)
	}
	if got, want := strings.Join(e.audit(), "; "), "wang login wang; wang logout wang"; got != want {
		t.Fatalf("audit log %q, want %q", got, want)
	}
	var addr string
	e.store.Pool().QueryRow(context.Background(), "SELECT remote_addr FROM audit_log WHERE action = 'login'").Scan(&addr)
	if addr != "127.0.0.1" {
		t.Errorf("audited remote address %q", addr)
	}
}

func TestSessionCookieIsSecureOverTLS(t *testing.T) {
	e := newAuthEnv(t)
	e.user("wang", planning.RoleViewer)
	c, _ := e.login("wang", authPassword, "X-Forwarded-Proto", "https")
	if !c.Secure || !c.HttpOnly {
		t.Fatalf("behind a TLS proxy: Secure=%v HttpOnly=%v", c.Secure, c.HttpOnly)
	}
}

// TestIdleSessionsEnd: a browser login unused for longer than the idle
// limit (30 minutes by default) no longer works; one in use does.
func TestIdleSessionsEnd(t *testing.T) {
	e := newAuthEnv(t)
	e.user("wang", planning.RoleAdmin)
	idleCookie, idleCSRF := e.login("wang", authPassword)
	busyCookie, _ := e.login("wang", authPassword)
	for c, ago := range map[*http.Cookie]string{idleCookie: "31 minutes", busyCookie: "29 minutes"} {
		sum := sha256.Sum256([]byte(c.Value))
		if _, err := e.store.Pool().Exec(context.Background(), "UPDATE sessions SET last_seen_at = now() - $2::interval WHERE id = $1", sum[:], ago); err != nil {
			t.Fatal(err)
		}
	}
	if r := e.call("GET", "/api/me", nil, busyCookie); r.StatusCode != 200 || str(r.body, "via") != "session" {
		t.Fatalf("a session used 29 minutes ago: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("GET", "/api/me", nil, idleCookie); r.StatusCode != 401 || r.errorCode() != "unauthenticated" {
		t.Fatalf("a session idle for 31 minutes: %d %s", r.StatusCode, r.raw)
	}
	// Not even a change with the right CSRF token gets through; public
	// reads still work with the dead cookie.
	if r := e.call("POST", "/api/users", map[string]string{"username": "lina", "role": "viewer", "password": authPassword}, idleCookie,
		"X-CSRF-Token", idleCSRF); r.StatusCode != 401 {
		t.Fatalf("a change with an idle session: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("GET", "/api/meta", nil, idleCookie); r.StatusCode != 200 {
		t.Fatalf("a public read with an idle session's cookie: %d %s", r.StatusCode, r.raw)
	}
}

func TestWrongCredentialsGetOneAnswer(t *testing.T) {
	e := newAuthEnv(t)
	e.user("wang", planning.RoleViewer)
	e.user("zhou", planning.RoleViewer)
	e.user("root", planning.RoleAdmin)
	if err := e.store.SetDisabled(context.Background(), "zhou", true); err != nil {
		t.Fatal(err)
	}
	var first string
	for _, c := range [][2]string{{"wang", "not the password"}, {"nobody", authPassword}, {"zhou", authPassword}} {
		r := e.call("POST", "/api/login", map[string]string{"username": c[0], "password": c[1]}, nil)
		if r.StatusCode != 401 || r.errorCode() != "unauthenticated" || len(r.Cookies()) != 0 {
			t.Fatalf("login %s: %d %s %v", c[0], r.StatusCode, r.raw, r.Cookies())
		}
		if first == "" {
			first = r.raw
		}
		if r.raw != first {
			t.Errorf("answers differ, telling what was wrong:\n%s\n%s", first, r.raw)
		}
	}
	if !strings.Contains(first, "wrong username or password") {
		t.Errorf("message: %s", first)
	}
	rows, err := e.store.Pool().Query(context.Background(), "SELECT subject, details->>'reason' FROM audit_log WHERE action = 'login_failed' ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var s, reason string
		rows.Scan(&s, &reason)
		got = append(got, s+": "+reason)
	}
	if strings.Join(got, "; ") != "wang: wrong password; nobody: unknown user; zhou: user disabled" {
		t.Fatalf("login_failed audit: %q", got)
	}
}

func TestCSRFGuardsCookieChanges(t *testing.T) {
	e := newAuthEnv(t)
	e.user("root", planning.RoleAdmin)
	cookie, csrf := e.login("root", authPassword)
	newUser := map[string]string{"username": "lina", "role": "viewer", "password": authPassword}
	for _, h := range [][]string{nil, {"X-CSRF-Token", "wrong"}, {"X-CSRF-Token", cookie.Value}} {
		r := e.call("POST", "/api/users", newUser, cookie, h...)
		if r.StatusCode != 403 || r.errorCode() != "forbidden" || !strings.HasPrefix(r.errorMessage(), "missing or wrong X-CSRF-Token header") {
			t.Fatalf("POST with %v: %d %s", h, r.StatusCode, r.raw)
		}
	}
	// Reads need no CSRF token.
	if r := e.call("GET", "/api/users", nil, cookie); r.StatusCode != 200 {
		t.Fatalf("GET with cookie: %d %s", r.StatusCode, r.raw)
	}
	r := e.call("POST", "/api/users", newUser, cookie, "X-CSRF-Token", csrf)
	if r.StatusCode != 201 || str(r.body, "user", "username") != "lina" || r.Header.Get("Location") != "/api/users/lina" {
		t.Fatalf("POST with CSRF: %d %s", r.StatusCode, r.raw)
	}
	// A form from another site cannot post to the login.
	form := e.call("POST", "/api/login", `{"username":"root","password":"`+authPassword+`"}`, nil, "Content-Type", "text/plain")
	if form.StatusCode != 400 || len(form.Cookies()) != 0 {
		t.Fatalf("text/plain login: %d %s", form.StatusCode, form.raw)
	}
}

func TestBearerTokens(t *testing.T) {
	e := newAuthEnv(t)
	root := e.user("root", planning.RoleAdmin)
	tok := e.token(root)
	r := e.call("POST", "/api/users", map[string]string{"username": "lina", "role": "allocator", "password": authPassword}, nil,
		"Authorization", "Bearer "+tok)
	if r.StatusCode != 201 {
		t.Fatalf("POST with a token and no CSRF: %d %s", r.StatusCode, r.raw)
	}
	me := e.call("GET", "/api/me", nil, nil, "Authorization", "bearer "+tok)
	if me.StatusCode != 200 || str(me.body, "via") != "token" || me.body["csrf_token"] != nil {
		t.Fatalf("me by token: %d %s", me.StatusCode, me.raw)
	}
	for _, bad := range []string{"Bearer lqt_nonsense", "Bearer " + strings.Replace(tok, "lqt_", "lqt_x", 1), "Bearer "} {
		r := e.call("GET", "/api/meta", nil, nil, "Authorization", bad)
		if r.StatusCode != 401 || r.errorCode() != "unauthenticated" || !strings.Contains(r.Header.Get("WWW-Authenticate"), "invalid_token") {
			t.Fatalf("%q: %d %s", bad, r.StatusCode, r.raw)
		}
	}
	list, _ := e.store.ListAPITokens(context.Background(), "root")
	if _, err := e.store.RevokeAPIToken(context.Background(), list[0].ID); err != nil {
		t.Fatal(err)
	}
	if r := e.call("GET", "/api/me", nil, nil, "Authorization", "Bearer "+tok); r.StatusCode != 401 {
		t.Fatalf("revoked token: %d %s", r.StatusCode, r.raw)
	}
	if got := strings.Join(e.audit(), "; "); got != "root user_created lina" {
		t.Fatalf("audit log %q", got)
	}
}

func TestRolesAreCheckedOnTheServer(t *testing.T) {
	e := newAuthEnv(t)
	e.user("root", planning.RoleAdmin)
	viewer := e.token(e.user("wang", planning.RoleViewer))
	allocator := e.token(e.user("zhou", planning.RoleAllocator))
	r := e.call("GET", "/api/users", nil, nil, "Authorization", "Bearer "+viewer)
	if r.StatusCode != 403 || r.errorCode() != "forbidden" || r.errorMessage() != "your role viewer may not do this; it needs admin" {
		t.Fatalf("viewer lists users: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("PATCH", "/api/users/wang", map[string]string{"role": "admin"}, nil, "Authorization", "Bearer "+allocator); r.StatusCode != 403 {
		t.Fatalf("allocator promotes: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("POST", "/api/users", map[string]string{"username": "x", "role": "admin", "password": authPassword}, nil); r.StatusCode != 401 || r.errorCode() != "unauthenticated" {
		t.Fatalf("anonymous creates a user: %d %s", r.StatusCode, r.raw)
	}
	// A viewer's session is no better than their token.
	cookie, csrf := e.login("wang", authPassword)
	if r := e.call("PATCH", "/api/users/wang", map[string]string{"role": "admin"}, cookie, "X-CSRF-Token", csrf); r.StatusCode != 403 {
		t.Fatalf("viewer promotes themself: %d %s", r.StatusCode, r.raw)
	}
	if u, _ := e.store.GetUser(context.Background(), "wang"); u.Role != planning.RoleViewer {
		t.Fatal("the viewer's role changed")
	}
}

// TestEveryChangeNeedsARole walks the router: every route under /api that
// does not only read must refuse an anonymous caller (401) and a viewer
// (403). A route that fails here needs s.requireRole (or planning.Require
// before it does anything else).
func TestEveryChangeNeedsARole(t *testing.T) {
	e := newAuthEnv(t)
	viewer := e.token(e.user("wang", planning.RoleViewer))
	// POSTs that only read (a search or check too big for a query string)
	// are public like the layers.
	public := map[string]bool{"POST /api/login": true, "POST /api/logout": true,
		"POST /api/parcels/search": true, "POST /api/eligibility": true}
	param := regexp.MustCompile(`\{[^}]*\}`)
	n := 0
	err := chi.Walk(e.handler.(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if !strings.HasPrefix(route, "/api/") || method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE" ||
			method == "CONNECT" || public[method+" "+route] {
			return nil
		}
		n++
		t.Logf("%s %s", method, route)
		path := param.ReplaceAllString(strings.TrimSuffix(route, "/*"), "2025")
		if r := e.call(method, path, "{}", nil); r.StatusCode != 401 {
			t.Errorf("%s %s anonymous: %d %s", method, route, r.StatusCode, r.raw)
		}
		if r := e.call(method, path, "{}", nil, "Authorization", "Bearer "+viewer); r.StatusCode != 403 {
			t.Errorf("%s %s as a viewer: %d %s", method, route, r.StatusCode, r.raw)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Fatalf("only %d changing routes found: the walk is broken", n)
	}
}

func TestBadBodiesNameTheField(t *testing.T) {
	e := newAuthEnv(t)
	root := e.token(e.user("root", planning.RoleAdmin))
	auth := []string{"Authorization", "Bearer " + root}
	cases := []struct {
		method, path, body, field, message string
	}{
		{"POST", "/api/users", `{"username":"lina","role":"viewer","password":"` + authPassword + `","nickname":"x"}`, "nickname", `unknown field "nickname"`},
		{"POST", "/api/users", `{"username":"lina","role":7,"password":"` + authPassword + `"}`, "role", "field role: expected a string, got a JSON number"},
		{"POST", "/api/users", `{"username":"lina","role":"viewer"}`, "password", "password is required"},
		{"POST", "/api/users", `{"username":"lina","role":"boss","password":"` + authPassword + `"}`, "role", `role "boss" is not one of`},
		{"POST", "/api/users", `{"username":"Li Na","role":"viewer","password":"` + authPassword + `"}`, "username", "must be 3 to 32"},
		{"POST", "/api/users", `{"username":"lina","role":"viewer","password":"short"}`, "password", "at least 10"},
		{"POST", "/api/users", `{"username":"lina",`, "", "ends in the middle"},
		{"POST", "/api/users", `{"username" "li"}`, "", "not valid JSON"},
		{"POST", "/api/users", ``, "", "empty"},
		{"POST", "/api/users", `[1]`, "", "must be a JSON object"},
		{"POST", "/api/users", `{} {}`, "", "more than one JSON value"},
		{"PATCH", "/api/users/root", `{}`, "", "nothing to change"},
		{"PATCH", "/api/users/root", `{"disabled":"yes"}`, "disabled", "expected true or false"},
		{"POST", "/api/login", `{"username":"root"}`, "password", "password is required"},
		{"POST", "/api/login", `{"user":"root","password":"x"}`, "user", `unknown field "user"; the fields are username, password`},
	}
	for _, c := range cases {
		r := e.call(c.method, c.path, c.body, nil, auth...)
		if r.StatusCode != 400 || r.errorCode() != "invalid" || r.errorField() != c.field || !strings.Contains(r.errorMessage(), c.message) {
			t.Errorf("%s %s %.60q: %d %s; want 400 naming %q, saying %q", c.method, c.path, c.body, r.StatusCode, r.raw, c.field, c.message)
		}
	}
	if users, _ := e.store.ListUsers(context.Background()); len(users) != 1 {
		t.Fatalf("bad requests made users: %v", users)
	}
}

func TestAdminManagesUsers(t *testing.T) {
	e := newAuthEnv(t)
	e.user("root", planning.RoleAdmin)
	admin, csrf := e.login("root", authPassword)
	as := func(method, path string, body any) authReply {
		t.Helper()
		return e.call(method, path, body, admin, "X-CSRF-Token", csrf)
	}
	r := as("POST", "/api/users", map[string]string{"username": "Li.Na", "display_name": "李娜", "role": "viewer", "password": authPassword})
	if r.StatusCode != 201 || str(r.body, "user", "username") != "li.na" || str(r.body, "user", "display_name") != "李娜" {
		t.Fatalf("create: %d %s", r.StatusCode, r.raw)
	}
	if r := as("POST", "/api/users", map[string]string{"username": "li.na", "role": "viewer", "password": authPassword}); r.StatusCode != 409 {
		t.Fatalf("duplicate: %d %s", r.StatusCode, r.raw)
	}
	list := as("GET", "/api/users", nil)
	if users, _ := list.body["users"].([]any); list.StatusCode != 200 || len(users) != 2 || strings.Contains(list.raw, "argon2") {
		t.Fatalf("list: %d %s", list.StatusCode, list.raw)
	}
	liSession, _ := e.login("li.na", authPassword)

	if r := as("PATCH", "/api/users/li.na", map[string]any{"role": "allocator"}); r.StatusCode != 200 || str(r.body, "user", "role") != "allocator" {
		t.Fatalf("set role: %d %s", r.StatusCode, r.raw)
	}
	// The role is read live: li.na's open session is an allocator's now.
	if r := e.call("GET", "/api/me", nil, liSession); str(r.body, "user", "role") != "allocator" {
		t.Fatalf("me after the role change: %s", r.raw)
	}
	if r := as("PATCH", "/api/users/li.na", map[string]any{"disabled": true}); r.StatusCode != 200 || r.body["user"].(map[string]any)["disabled"] != true {
		t.Fatalf("disable: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("GET", "/api/me", nil, liSession); r.StatusCode != 401 {
		t.Fatalf("a disabled user's session works: %d %s", r.StatusCode, r.raw)
	}
	if r := e.call("POST", "/api/login", map[string]string{"username": "li.na", "password": authPassword}, nil); r.StatusCode != 401 {
		t.Fatalf("a disabled user logs in: %d %s", r.StatusCode, r.raw)
	}
	if r := as("PATCH", "/api/users/li.na", map[string]any{"disabled": false, "password": "a brand new passphrase"}); r.StatusCode != 200 {
		t.Fatalf("enable and set password: %d %s", r.StatusCode, r.raw)
	}
	e.login("li.na", "a brand new passphrase")
	if r := as("PATCH", "/api/users/root", map[string]any{"role": "viewer"}); r.StatusCode != 409 || !strings.Contains(r.errorMessage(), "last enabled admin") {
		t.Fatalf("the last admin demotes themself: %d %s", r.StatusCode, r.raw)
	}
	if r := as("PATCH", "/api/users/nobody", map[string]any{"role": "viewer"}); r.StatusCode != 404 {
		t.Fatalf("unknown user: %d %s", r.StatusCode, r.raw)
	}
	want := []string{"root login root", "root user_created li.na", "li.na login li.na", "root role_changed li.na",
		"root user_disabled li.na", "anonymous login_failed li.na", "root user_enabled li.na", "root password_changed li.na", "li.na login li.na"}
	if got := e.audit(); strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("audit log\n got %q\nwant %q", got, want)
	}
	var from, to string
	e.store.Pool().QueryRow(context.Background(), "SELECT details->>'from', details->>'to' FROM audit_log WHERE action = 'role_changed'").Scan(&from, &to)
	if from != "viewer" || to != "allocator" {
		t.Fatalf("role_changed details %q → %q", from, to)
	}
}

func TestPublicReadsNeedNoLogin(t *testing.T) {
	e := newAuthEnv(t)
	stale := &http.Cookie{Name: "lq_session", Value: strings.Repeat("A", 43)}
	for _, c := range []*http.Cookie{nil, stale} {
		r := e.call("GET", "/api/layers/parcels", nil, c)
		if r.StatusCode != 200 {
			t.Fatalf("GET a layer (cookie %v): %d %s", c, r.StatusCode, r.raw)
		}
	}
	for _, path := range []string{"/ogc/collections", "/api/meta"} {
		if r := e.call("GET", path, nil, stale); r.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, r.StatusCode, r.raw)
		}
	}
}

func TestLoginIsRateLimited(t *testing.T) {
	e := newAuthEnv(t)
	e.user("guessme", planning.RoleViewer)
	for i := 0; i < 5; i++ {
		if r := e.call("POST", "/api/login", map[string]string{"username": "guessme", "password": "wrong password " + string(rune('a'+i))}, nil); r.StatusCode != 401 {
			t.Fatalf("attempt %d: %d", i, r.StatusCode)
		}
	}
	// The sixth try is refused even with the right password, with a wait.
	r := e.call("POST", "/api/login", map[string]string{"username": "guessme", "password": authPassword}, nil)
	if r.StatusCode != 429 || r.Header.Get("Retry-After") == "" || r.errorCode() != "too_many_requests" {
		t.Fatalf("after 5 failures: %d %s %q", r.StatusCode, r.raw, r.Header.Get("Retry-After"))
	}
	// Another user from the same address is not locked out by these.
	e.user("other", planning.RoleViewer)
	e.login("other", authPassword)
}
