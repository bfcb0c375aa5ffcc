package planning

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a user may do. Roles are ordered: each can do everything the
// ones before it can.
type Role string

const (
	// RoleViewer is a planner: reads everything, changes nothing.
	RoleViewer Role = "viewer"
	// RoleAllocator is a land official: runs and approves allocations and
	// grants quota.
	RoleAllocator Role = "allocator"
	// RoleAdmin manages users and policies, and can do all an allocator can.
	RoleAdmin Role = "admin"
)

// Roles lists the roles from least to most powerful.
var Roles = []Role{RoleViewer, RoleAllocator, RoleAdmin}

// rank orders the roles; 0 for an unknown role.
func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleAllocator:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast reports whether r may do what other may. An unknown role is at
// least nothing, and nothing is at least an unknown role.
func (r Role) AtLeast(other Role) bool {
	return r.Valid() && other.Valid() && r.rank() >= other.rank()
}

// ParseRole reads a role name, with an error naming the field "role".
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !r.Valid() {
		return "", Errorf(ErrInvalid, "role %q is not one of viewer, allocator, admin", s).WithDetail("field", "role")
	}
	return r, nil
}

// Account rules.
const (
	MinPasswordLength    = 10   // characters
	MaxPasswordLength    = 1024 // bytes; longer is refused before hashing
	MaxDisplayNameLength = 100  // characters
)

// NormalizeUsername is how a typed username is stored and looked up:
// trimmed and lower-cased, so Alice and alice are one user.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckUsername says what is wrong with a (normalized) username: 3 to 32 of
// a-z, 0-9, '_', '.', '-'.
func CheckUsername(s string) error {
	bad := len(s) < 3 || len(s) > 32
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			bad = true
		}
	}
	if bad {
		return Errorf(ErrInvalid, "username %q must be 3 to 32 characters of a-z, 0-9, '_', '.' and '-'", s).WithDetail("field", "username")
	}
	return nil
}

// CheckPassword says what is wrong with a new password. Only the length is
// ruled: long passphrases beat composition rules.
func CheckPassword(p string) error {
	if n := utf8.RuneCountInString(p); n < MinPasswordLength {
		return Errorf(ErrInvalid, "the password has %d characters; it needs at least %d", n, MinPasswordLength).WithDetail("field", "password")
	}
	if len(p) > MaxPasswordLength {
		return Errorf(ErrInvalid, "the password is longer than %d bytes", MaxPasswordLength).WithDetail("field", "password")
	}
	return nil
}

// CheckDisplayName says what is wrong with a display name.
func CheckDisplayName(s string) error {
	if utf8.RuneCountInString(s) > MaxDisplayNameLength {
		return Errorf(ErrInvalid, "the display name is longer than %d characters", MaxDisplayNameLength).WithDetail("field", "display_name")
	}
	return nil
}

// User is a person (or a script's account) who logs in. The password hash
// never leaves the store.
type User struct {
	ID          int64
	Username    string
	DisplayName string
	Role        Role
	Disabled    bool
	CreatedAt   time.Time
}

// Session is a browser login; the cookie token itself is known only to the
// client and to the response that set it. A session ends at ExpiresAt, or
// earlier when it goes unused for longer than the server's idle limit.
type Session struct {
	UserID    int64
	CSRFToken string // must come back in X-CSRF-Token on every mutation
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionSeenEvery is how often a session's activity is noted: its last
// use moves at most this often, so an idle limit must be at least twice it
// (MinSessionIdle) for a user who keeps working never to be logged out.
const (
	SessionSeenEvery = time.Minute
	MinSessionIdle   = 2 * SessionSeenEvery
)

// APIToken describes a token for scripts; the token itself is shown once,
// when it is made.
type APIToken struct {
	ID         int64
	UserID     int64
	Username   string
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	ExpiresAt  *time.Time // nil: never
	RevokedAt  *time.Time
}

// How a principal proved who they are.
const (
	ViaSession = "session" // the lq_session cookie
	ViaToken   = "token"   // Authorization: Bearer lqt_...
)

// Principal is the authenticated caller of a request.
type Principal struct {
	User User
	Via  string // ViaSession or ViaToken
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p (nil: anonymous).
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller in ctx, nil when anonymous.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// Require checks that the caller in ctx has at least role: an
// unauthenticated error when anonymous, forbidden when the role is too low.
func Require(ctx context.Context, role Role) error {
	p := PrincipalFrom(ctx)
	if p == nil {
		return Errorf(ErrUnauthenticated, "log in first (POST /api/login), or send Authorization: Bearer lqt_... with an API token")
	}
	if p.User.Disabled {
		return Errorf(ErrForbidden, "user %s is disabled", p.User.Username)
	}
	if !p.User.Role.AtLeast(role) {
		return Errorf(ErrForbidden, "your role %s may not do this; it needs %s", p.User.Role.name(), role.name()).
			WithDetail("role", string(p.User.Role)).WithDetail("required", string(role))
	}
	return nil
}

// AuditAction names an entry of the audit log (migration 005 lists them).
type AuditAction string

const (
	AuditLogin           AuditAction = "login"
	AuditLoginFailed     AuditAction = "login_failed"
	AuditLogout          AuditAction = "logout"
	AuditUserCreated     AuditAction = "user_created"
	AuditRoleChanged     AuditAction = "role_changed"
	AuditPasswordChanged AuditAction = "password_changed"
	AuditUserDisabled    AuditAction = "user_disabled"
	AuditUserEnabled     AuditAction = "user_enabled"
	AuditTokenCreated    AuditAction = "token_created"
	AuditTokenRevoked    AuditAction = "token_revoked"
)

// UserStore keeps users, their sessions and tokens, and the audit log.
// Errors are *Error: invalid input names its field, an unknown user is
// not_found, a duplicate is conflict, and every failed credential check is
// unauthenticated with one message that does not say which part was wrong
// (the cause, for the audit log, is in Error.Err).
type UserStore interface {
	CreateUser(ctx context.Context, username, displayName string, role Role, password string) (User, error)
	GetUser(ctx context.Context, username string) (User, error)
	ListUsers(ctx context.Context) ([]User, error)
	// SetRole changes a role and returns the previous one. The last enabled
	// admin cannot be demoted.
	SetRole(ctx context.Context, username string, role Role) (old Role, err error)
	// SetPassword changes a password and ends all of the user's sessions.
	SetPassword(ctx context.Context, username, password string) error
	// SetDisabled disables (ending all sessions) or re-enables a user. The
	// last enabled admin cannot be disabled.
	SetDisabled(ctx context.Context, username string, disabled bool) error

	// Authenticate checks a password, taking about as long for an unknown
	// user as for a known one.
	Authenticate(ctx context.Context, username, password string) (User, error)
	CreateSession(ctx context.Context, userID int64, ttl time.Duration) (token string, s Session, err error)
	// SessionUser returns the enabled user of an unexpired session that has
	// been used within idle (0: no idle limit), and notes the use. A session
	// idle for longer is ended.
	SessionUser(ctx context.Context, token string, idle time.Duration) (User, Session, error)
	DeleteSession(ctx context.Context, token string) error

	// CreateAPIToken makes a token (ttl 0: no expiry) and returns it, the
	// only time it is shown.
	CreateAPIToken(ctx context.Context, userID int64, name string, ttl time.Duration) (APIToken, string, error)
	// TokenUser returns the enabled user of an unrevoked, unexpired token.
	TokenUser(ctx context.Context, token string) (User, error)
	RevokeAPIToken(ctx context.Context, id int64) (APIToken, error)
	// ListAPITokens lists one user's tokens, or everyone's for "".
	ListAPITokens(ctx context.Context, username string) ([]APIToken, error)

	// Audit appends to the audit log; details may be nil.
	Audit(ctx context.Context, actor string, action AuditAction, subject string, details map[string]any, remoteAddr string) error
}

// name is the role as a person reads it, in any language.
func (r Role) name() Text {
	switch r {
	case RoleViewer:
		return Textf("viewer")
	case RoleAllocator:
		return Textf("allocator")
	case RoleAdmin:
		return Textf("admin")
	}
	return Textf("%s", string(r))
}
