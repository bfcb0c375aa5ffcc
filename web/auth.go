package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/planning"
)

const (
	sessionCookieName = "lq_session"
	csrfHeader        = "X-CSRF-Token"
	defaultSessionTTL = 12 * time.Hour
	// defaultSessionIdle ends a browser login unused for this long.
	defaultSessionIdle = 30 * time.Minute
	// concurrentLogins bounds the argon2id checks running at once (each
	// takes 64 MiB); loginWait is how long a login queues for a slot.
	concurrentLogins = 4
	loginWait        = 10 * time.Second
	// maxLoginUsername refuses a longer username at once (names are at
	// most 32 bytes; the slack keeps a mistyped one a clean "wrong").
	maxLoginUsername = 64
)

// authState is what the auth handlers need; the zero users means accounts
// are not configured and every request is anonymous.
type authState struct {
	users  planning.UserStore
	ttl    time.Duration
	idle   time.Duration // a session unused this long is ended
	logins chan struct{}
	guard  *loginGuard
}

func newAuthState(cfg Config, store any) authState {
	a := authState{users: cfg.Users, ttl: cfg.SessionTTL, idle: cfg.SessionIdle, logins: make(chan struct{}, concurrentLogins), guard: newLoginGuard()}
	if a.users == nil {
		a.users, _ = store.(planning.UserStore) // the PostGIS store keeps both
	}
	if a.ttl <= 0 {
		a.ttl = defaultSessionTTL
	}
	if a.idle <= 0 {
		a.idle = defaultSessionIdle
	}
	return a
}

type sessionKey struct{}

// sessionFrom returns the session of a request authenticated by cookie.
func sessionFrom(ctx context.Context) *planning.Session {
	s, _ := ctx.Value(sessionKey{}).(*planning.Session)
	return s
}

// safeMethod reports whether a method only reads.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == http.MethodTrace
}

// authenticate puts the caller into the request context (planning.Principal):
// from "Authorization: Bearer lqt_..." or else the lq_session cookie. A
// missing, unknown, expired or idle cookie leaves the request anonymous (public
// reads work regardless); a bad Bearer token is refused with 401. A
// cookie-authenticated mutation must carry the session's CSRF token in
// X-CSRF-Token, except the login itself, which proves itself by password.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		users := s.auth.users
		if users == nil {
			next.ServeHTTP(w, r)
			return nil
		}
		ctx := r.Context()
		// Sessions and tokens are read where they are written.
		pctx := planning.OnPrimary(ctx)
		if scheme, token, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " "); strings.EqualFold(scheme, "Bearer") {
			u, err := users.TokenUser(pctx, strings.TrimSpace(token))
			if err != nil {
				if planning.CodeOf(err) == planning.ErrUnauthenticated {
					w.Header().Set("WWW-Authenticate", `Bearer realm="landquota", error="invalid_token"`)
				}
				return err
			}
			noteUser(ctx, u.Username)
			ctx, done := s.withCaller(ctx, u.ID)
			defer done()
			next.ServeHTTP(w, r.WithContext(planning.WithPrincipal(ctx, &planning.Principal{User: u, Via: planning.ViaToken})))
			return nil
		}
		c, err := r.Cookie(sessionCookieName)
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return nil
		}
		u, sess, err := users.SessionUser(pctx, c.Value, s.auth.idle)
		if planning.CodeOf(err) == planning.ErrUnauthenticated {
			next.ServeHTTP(w, r) // a stale cookie: anonymous
			return nil
		}
		if err != nil {
			return err
		}
		if !safeMethod(r.Method) && r.URL.Path != "/api/login" &&
			subtle.ConstantTimeCompare([]byte(r.Header.Get(csrfHeader)), []byte(sess.CSRFToken)) != 1 {
			return planning.Errorf(planning.ErrForbidden,
				"missing or wrong %s header: a change made with the session cookie must send the csrf_token from POST /api/login or GET /api/me in it", csrfHeader).
				WithDetail("header", csrfHeader)
		}
		noteUser(ctx, u.Username)
		ctx, done := s.withCaller(ctx, u.ID)
		defer done()
		ctx = planning.WithPrincipal(ctx, &planning.Principal{User: u, Via: planning.ViaSession})
		ctx = context.WithValue(ctx, sessionKey{}, &sess)
		next.ServeHTTP(w, r.WithContext(ctx))
		return nil
	})
}

// requireRole lets a request through only when its caller has at least
// role: 401 when anonymous, 403 when the role is too low. Use it on every
// route that changes something:
//
//	r.With(s.requireRole(planning.RoleAllocator)).Post("/allocations", s.handle(s.allocate))
//
// It relies on s.authenticate, which runs for every route under /api.
func (s *Server) requireRole(role planning.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return s.handle(func(w http.ResponseWriter, r *http.Request) error {
			if err := planning.Require(r.Context(), role); err != nil {
				if planning.CodeOf(err) == planning.ErrUnauthenticated {
					w.Header().Set("WWW-Authenticate", `Bearer realm="landquota"`)
				}
				return err
			}
			next.ServeHTTP(w, r)
			return nil
		})
	}
}

// mountAuth adds login, logout, me and the admin's user routes under /api.
func (s *Server) mountAuth(r chi.Router) {
	r.Post("/login", s.handleJSON(maxJSONBody, s.login))
	r.Post("/logout", s.handle(s.logout))
	r.Get("/me", s.handle(s.me))
	r.Route("/users", func(r chi.Router) {
		r.Use(s.requireRole(planning.RoleAdmin))
		r.Get("/", s.handle(s.listUsers))
		r.Post("/", s.handleJSON(maxJSONBody, s.createUser))
		r.Patch("/{username}", s.handleJSON(maxJSONBody, s.patchUser))
	})
}

// userJSON is a user as the API shows it.
type userJSON struct {
	ID          int64         `json:"id"`
	Username    string        `json:"username"`
	DisplayName string        `json:"display_name"`
	Role        planning.Role `json:"role"`
	Disabled    bool          `json:"disabled"`
	CreatedAt   time.Time     `json:"created_at"`
}

func toUserJSON(u planning.User) userJSON {
	return userJSON{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Disabled: u.Disabled, CreatedAt: u.CreatedAt}
}

// usersOrError returns the user store, or an error when there is none.
func (s *Server) usersOrError() (planning.UserStore, error) {
	if s.auth.users == nil {
		return nil, planning.Errorf(planning.ErrUnavailable, "user accounts are not configured on this server")
	}
	return s.auth.users, nil
}

// clientAddr is the caller's IP: the TCP peer, or the client a trusted
// proxy names in X-Forwarded-For (proxyHeaders).
func clientAddr(r *http.Request) string {
	if a, ok := r.Context().Value(clientAddrKey{}).(string); ok {
		return a
	}
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// audit appends to the audit log; a failure is logged, not shown, since the
// change it records has already happened.
func (s *Server) audit(r *http.Request, actor string, action planning.AuditAction, subject string, details map[string]any) {
	if s.auth.users == nil {
		return
	}
	if err := s.auth.users.Audit(context.WithoutCancel(r.Context()), actor, action, subject, details, clientAddr(r)); err != nil {
		s.log.Error("cannot write the audit log", "action", action, "actor", actor, "subject", subject, "err", err)
	}
}

// sessionCookie builds the lq_session cookie; maxAge < 0 deletes it.
func sessionCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: sessionCookieName, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")}
}

// login serves POST /api/login {"username","password"}: a session cookie
// and the CSRF token to send with every change.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	users, err := s.usersOrError()
	if err != nil {
		return err
	}
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decodeStrictJSON(r, &req); err != nil {
		return err
	}
	if err := required(map[string]string{"username": req.Username, "password": req.Password}, "username", "password"); err != nil {
		return err
	}
	if len(req.Username) > maxLoginUsername {
		// No account has such a name: refused before any work or memory.
		return planning.Errorf(planning.ErrInvalid, "username is longer than %d bytes", maxLoginUsername).WithDetail("field", "username")
	}
	u, err := s.checkPassword(w, r, users, clientAddr(r), planning.NormalizeUsername(req.Username), req.Password)
	if errors.Is(err, errLoginAbandoned) {
		return nil // the caller went away while the login waited: no one to answer
	}
	if err != nil {
		return err
	}
	if old, err := r.Cookie(sessionCookieName); err == nil && old.Value != "" {
		_ = users.DeleteSession(r.Context(), old.Value)
	}
	token, sess, err := users.CreateSession(r.Context(), u.ID, s.auth.ttl)
	if err != nil {
		return err
	}
	http.SetCookie(w, sessionCookie(r, token, int(s.auth.ttl.Seconds())))
	s.audit(r, u.Username, planning.AuditLogin, u.Username, map[string]any{"via": "password"})
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(u), "csrf_token": sess.CSRFToken, "expires_at": sess.ExpiresAt})
	return nil
}

// errLoginAbandoned: the caller went away while its login waited.
var errLoginAbandoned = errors.New("login abandoned by the client")

// checkPassword checks a login's password under the login guard and the
// bound on concurrent password hashing. A refusal is the error to answer
// (w only gets its Retry-After); errLoginAbandoned means there is no one
// left to answer.
func (s *Server) checkPassword(w http.ResponseWriter, r *http.Request, users planning.UserStore, addr, tried, password string) (planning.User, error) {
	deadline := time.Now().Add(loginWait)
	for {
		busy, refused, wait := s.auth.guard.begin(addr, tried, time.Now())
		if refused {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			s.audit(r, "anonymous", planning.AuditLoginFailed, tried, map[string]any{"reason": "rate limited"})
			return planning.User{}, planning.Errorf(planning.ErrTooMany, "too many failed logins; try again in %d seconds", int(wait.Seconds())+1)
		}
		if !busy {
			break
		}
		if time.Now().After(deadline) {
			return planning.User{}, planning.Errorf(planning.ErrUnavailable, "too many logins at once; try again in a moment")
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-r.Context().Done():
			return planning.User{}, errLoginAbandoned
		}
	}
	outcome := loginAbandoned
	defer func() { s.auth.guard.end(addr, tried, outcome, time.Now()) }()
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case s.auth.logins <- struct{}{}:
		defer func() { <-s.auth.logins }()
	case <-t.C:
		return planning.User{}, planning.Errorf(planning.ErrUnavailable, "too many logins at once; try again in a moment")
	case <-r.Context().Done():
		return planning.User{}, errLoginAbandoned
	}
	u, err := users.Authenticate(r.Context(), tried, password)
	if planning.CodeOf(err) == planning.ErrUnauthenticated {
		reason := "wrong credentials"
		var de *planning.Error
		if errors.As(err, &de) && de.Err != nil {
			reason = de.Err.Error()
		}
		outcome = loginFailed
		s.audit(r, "anonymous", planning.AuditLoginFailed, tried, map[string]any{"reason": reason})
		return planning.User{}, planning.Errorf(planning.ErrUnauthenticated, "wrong username or password")
	}
	if err != nil {
		return planning.User{}, err // the database, not the password, failed
	}
	outcome = loginSucceeded
	return u, nil
}

// logout serves POST /api/logout: it ends the cookie's session (the CSRF
// token is required like for any change) and deletes the cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if p, sess := planning.PrincipalFrom(r.Context()), sessionFrom(r.Context()); p != nil && sess != nil {
		if c, err := r.Cookie(sessionCookieName); err == nil {
			if err := s.auth.users.DeleteSession(r.Context(), c.Value); err != nil {
				return err
			}
			s.audit(r, p.User.Username, planning.AuditLogout, p.User.Username, nil)
		}
	}
	http.SetCookie(w, sessionCookie(r, "", -1))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// me serves GET /api/me: the caller, and for a browser session the CSRF
// token (so a reloaded page can carry on).
func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	p := planning.PrincipalFrom(r.Context())
	if p == nil {
		return planning.Require(r.Context(), planning.RoleViewer)
	}
	body := map[string]any{"user": toUserJSON(p.User), "via": p.Via}
	if sess := sessionFrom(r.Context()); sess != nil {
		body["csrf_token"] = sess.CSRFToken
		body["expires_at"] = sess.ExpiresAt
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, body)
	return nil
}

// listUsers serves GET /api/users (admin).
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := s.auth.users.ListUsers(r.Context())
	if err != nil {
		return err
	}
	out := make([]userJSON, len(us))
	for i, u := range us {
		out[i] = toUserJSON(u)
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
	return nil
}

// createUser serves POST /api/users {username, display_name, role,
// password} (admin).
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Username    string `json:"username"`
		DisplayName string `json:"display_name"`
		Role        string `json:"role"`
		Password    string `json:"password"`
	}
	if err := decodeStrictJSON(r, &req); err != nil {
		return err
	}
	err := required(map[string]string{"username": req.Username, "role": req.Role, "password": req.Password}, "username", "role", "password")
	var role planning.Role
	if err == nil {
		role, err = planning.ParseRole(req.Role)
	}
	var u planning.User
	if err == nil {
		u, err = s.auth.users.CreateUser(r.Context(), req.Username, req.DisplayName, role, req.Password)
	}
	if err != nil {
		return err
	}
	s.audit(r, planning.PrincipalFrom(r.Context()).User.Username, planning.AuditUserCreated, u.Username,
		map[string]any{"role": u.Role, "display_name": u.DisplayName})
	w.Header().Set("Location", "/api/users/"+u.Username)
	writeJSON(w, http.StatusCreated, map[string]any{"user": toUserJSON(u)})
	return nil
}

// userPatch is the body of PATCH /api/users/{username}.
type userPatch struct {
	Role     *string `json:"role"`
	Disabled *bool   `json:"disabled"`
	Password *string `json:"password"`
}

// patchUser serves PATCH /api/users/{username} {role?, disabled?,
// password?} (admin).
func (s *Server) patchUser(w http.ResponseWriter, r *http.Request) error {
	var req userPatch
	err := decodeStrictJSON(r, &req)
	var u planning.User
	if err == nil {
		u, err = s.applyUserPatch(r, chi.URLParam(r, "username"), req)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(u)})
	return nil
}

// applyUserPatch checks the whole patch before it changes anything, then
// applies and audits each part, and returns the user as it now is.
func (s *Server) applyUserPatch(r *http.Request, username string, req userPatch) (planning.User, error) {
	ctx := r.Context()
	actor := planning.PrincipalFrom(ctx).User.Username
	role, err := req.check()
	if err != nil {
		return planning.User{}, err
	}
	u, err := s.auth.users.GetUser(ctx, username)
	if err != nil {
		return u, err
	}
	if req.Role != nil && role != u.Role {
		old, err := s.auth.users.SetRole(ctx, u.Username, role)
		if err != nil {
			return u, err
		}
		s.audit(r, actor, planning.AuditRoleChanged, u.Username, map[string]any{"from": old, "to": role})
	}
	if req.Disabled != nil && *req.Disabled != u.Disabled {
		if err := s.auth.users.SetDisabled(ctx, u.Username, *req.Disabled); err != nil {
			return u, err
		}
		action := planning.AuditUserEnabled
		if *req.Disabled {
			action = planning.AuditUserDisabled
		}
		s.audit(r, actor, action, u.Username, nil)
	}
	if req.Password != nil {
		if err := s.auth.users.SetPassword(ctx, u.Username, *req.Password); err != nil {
			return u, err
		}
		s.audit(r, actor, planning.AuditPasswordChanged, u.Username, nil)
	}
	return s.auth.users.GetUser(ctx, u.Username)
}

// check checks a patch before anything changes: it must change something,
// with a known role (returned) and a password that passes the rules.
func (req userPatch) check() (planning.Role, error) {
	if req.Role == nil && req.Disabled == nil && req.Password == nil {
		return "", planning.Errorf(planning.ErrInvalid, "nothing to change: send role, disabled or password")
	}
	var role planning.Role
	if req.Role != nil {
		var err error
		if role, err = planning.ParseRole(*req.Role); err != nil {
			return "", err
		}
	}
	if req.Password != nil {
		if err := planning.CheckPassword(*req.Password); err != nil {
			return "", err
		}
	}
	return role, nil
}

// required says which of the named fields is empty.
func required(values map[string]string, names ...string) error {
	for _, n := range names {
		if strings.TrimSpace(values[n]) == "" {
			return planning.Errorf(planning.ErrInvalid, "%s is required", n).WithDetail("field", n)
		}
	}
	return nil
}
