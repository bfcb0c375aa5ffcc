package pgstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/crypto/argon2"
)

var _ planning.UserStore = (*Store)(nil)

// argon2id parameters for new hashes (RFC 9106 and the x/crypto advice:
// one pass over 64 MiB). Stored hashes carry their own parameters; a login
// with a hash made under other parameters rehashes it with these.
const (
	argonMemoryKiB = 64 * 1024
	argonTime      = 1
	argonThreads   = 4
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// APITokenPrefix starts every API token, so a leaked one is recognisable.
const APITokenPrefix = "lqt_"

// secretLen is the random bytes in a session, CSRF or API token.
const secretLen = 32

// badLogin is the one answer to every failed credential check; cause says
// which check failed, for the audit log only.
func badLogin(cause string) error {
	return &planning.Error{Code: planning.ErrUnauthenticated, Message: "wrong username or password", Err: errors.New(cause)}
}

func noSuchUser(username string) error {
	return planning.Errorf(planning.ErrNotFound, "no user named %q", username).WithDetail("username", username)
}

// hashPassword returns the PHC string of a new argon2id hash of p.
func hashPassword(p string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(p), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// verifyPassword checks p against a PHC argon2id string in constant time.
// stale reports that the hash was made with other parameters than today's.
func verifyPassword(encoded, p string) (ok, stale bool, err error) {
	h, err := parseArgon2id(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(p), h.salt, h.time, h.memoryKiB, h.threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(got, h.key) == 1, h.stale(), nil
}

// argonHash is a stored argon2id hash taken apart.
type argonHash struct {
	memoryKiB, time uint32
	threads         uint8
	salt, key       []byte
}

// parseArgon2id reads a PHC argon2id string, refusing anything that is not
// one (a corrupt or foreign row).
func parseArgon2id(encoded string) (argonHash, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return argonHash{}, errors.New("stored password hash is not an argon2id PHC string")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return argonHash{}, fmt.Errorf("stored password hash has argon2 version %q", parts[2])
	}
	h, err := parseArgonParams(parts[3])
	if err != nil {
		return argonHash{}, err
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 128 {
		return argonHash{}, errors.New("stored password hash has a bad salt or key")
	}
	h.salt, h.key = salt, key
	return h, nil
}

// parseArgonParams reads "m=…,t=…,p=…" within bounds that keep a corrupt
// row from costing the server its memory.
func parseArgonParams(s string) (argonHash, error) {
	var h argonHash
	if _, err := fmt.Sscanf(s, "m=%d,t=%d,p=%d", &h.memoryKiB, &h.time, &h.threads); err != nil {
		return argonHash{}, fmt.Errorf("stored password hash parameters %q: %w", s, err)
	}
	if h.memoryKiB < 8*uint32(h.threads) || h.memoryKiB > 1<<20 || h.time < 1 || h.time > 16 || h.threads < 1 {
		return argonHash{}, fmt.Errorf("stored password hash parameters %q are out of range", s)
	}
	return h, nil
}

// stale reports that h was made with other parameters than today's, so the
// next login hashes the password again.
func (h argonHash) stale() bool {
	return h.memoryKiB != argonMemoryKiB || h.time != argonTime || h.threads != argonThreads ||
		len(h.key) != argonKeyLen || len(h.salt) != argonSaltLen
}

// newSecret returns 32 random bytes, base64url without padding (43 chars).
func newSecret() (string, error) {
	b := make([]byte, secretLen)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// secretHash is what the database keeps of a token.
func secretHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// wellFormedSecret reports whether s could be a token from newSecret.
func wellFormedSecret(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(secretLen) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// micros renders a duration as a parameter for `$n * interval '1 microsecond'`.
func micros(d time.Duration) int64 { return d.Microseconds() }

const userColumns = "u.id, u.username, u.display_name, u.role, u.disabled, u.created_at"

func scanUser(row pgx.Row, extra ...any) (planning.User, error) {
	var u planning.User
	var role string
	err := row.Scan(append([]any{&u.ID, &u.Username, &u.DisplayName, &role, &u.Disabled, &u.CreatedAt}, extra...)...)
	u.Role = planning.Role(role)
	return u, err
}

// CreateUser adds a user with a new argon2id password hash.
func (s *UserStore) CreateUser(ctx context.Context, username, displayName string, role planning.Role, password string) (planning.User, error) {
	username = planning.NormalizeUsername(username)
	displayName = strings.TrimSpace(displayName)
	if err := planning.CheckUsername(username); err != nil {
		return planning.User{}, err
	}
	if !role.Valid() {
		return planning.User{}, planning.Errorf(planning.ErrInvalid, "role %q is not one of viewer, allocator, admin", role).WithDetail("field", "role")
	}
	if err := planning.CheckDisplayName(displayName); err != nil {
		return planning.User{}, err
	}
	if err := planning.CheckPassword(password); err != nil {
		return planning.User{}, err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return planning.User{}, err
	}
	u, err := scanUser(s.pool.QueryRow(ctx, `INSERT INTO users AS u (username, display_name, role, password_hash)
		VALUES ($1, $2, $3, $4) RETURNING `+userColumns, username, displayName, string(role), hash))
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return planning.User{}, planning.Errorf(planning.ErrConflict, "a user named %q already exists", username).WithDetail("field", "username")
	}
	return u, domainError(err)
}

// GetUser finds a user by name.
func (s *UserStore) GetUser(ctx context.Context, username string) (planning.User, error) {
	username = planning.NormalizeUsername(username)
	u, err := scanUser(s.pool.QueryRow(ctx, "SELECT "+userColumns+" FROM users u WHERE u.username = $1", username))
	if isNoRows(err) {
		return u, noSuchUser(username)
	}
	return u, domainError(err)
}

// ListUsers returns every user, by name.
func (s *UserStore) ListUsers(ctx context.Context) ([]planning.User, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+userColumns+" FROM users u ORDER BY u.username")
	if err != nil {
		return nil, domainError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (planning.User, error) { return scanUser(r) })
	return out, domainError(err)
}

// adminChange runs f in a transaction that holds the lock serialising
// changes that could leave no admin, with the target user's row locked.
func (s *UserStore) adminChange(ctx context.Context, username string, f func(tx pgx.Tx, id int64, role planning.Role, disabled bool) error) error {
	username = planning.NormalizeUsername(username)
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return domainError(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext('landquota.users.admins'))"); err != nil {
		return domainError(err)
	}
	var id int64
	var role string
	var disabled bool
	err = tx.QueryRow(ctx, "SELECT id, role, disabled FROM users WHERE username = $1 FOR UPDATE", username).Scan(&id, &role, &disabled)
	if isNoRows(err) {
		return noSuchUser(username)
	}
	if err != nil {
		return domainError(err)
	}
	if err := f(tx, id, planning.Role(role), disabled); err != nil {
		return domainError(err)
	}
	return domainError(tx.Commit(ctx))
}

// lastAdmin refuses a change that would leave no enabled admin.
func lastAdmin(ctx context.Context, tx pgx.Tx, id int64, username, what string) error {
	var others int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1", id).Scan(&others); err != nil {
		return err
	}
	if others == 0 {
		return planning.Errorf(planning.ErrConflict, "%s is the last enabled admin and cannot be %s; make another admin first", username, what)
	}
	return nil
}

// SetRole changes a user's role and returns the one before. It takes effect
// on the user's next request: sessions and tokens read the role live.
func (s *UserStore) SetRole(ctx context.Context, username string, role planning.Role) (planning.Role, error) {
	if !role.Valid() {
		return "", planning.Errorf(planning.ErrInvalid, "role %q is not one of viewer, allocator, admin", role).WithDetail("field", "role")
	}
	var old planning.Role
	err := s.adminChange(ctx, username, func(tx pgx.Tx, id int64, was planning.Role, disabled bool) error {
		old = was
		if was == planning.RoleAdmin && role != planning.RoleAdmin && !disabled {
			if err := lastAdmin(ctx, tx, id, planning.NormalizeUsername(username), "made "+string(role)); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, "UPDATE users SET role = $2, updated_at = now() WHERE id = $1", id, string(role))
		return err
	})
	return old, err
}

// SetPassword replaces a user's password and ends all the user's sessions
// (API tokens stay: revoke them separately).
func (s *UserStore) SetPassword(ctx context.Context, username, password string) error {
	if err := planning.CheckPassword(password); err != nil {
		return err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	username = planning.NormalizeUsername(username)
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return domainError(err)
	}
	defer tx.Rollback(context.Background())
	var id int64
	err = tx.QueryRow(ctx, "UPDATE users SET password_hash = $2, updated_at = now() WHERE username = $1 RETURNING id", username, hash).Scan(&id)
	if isNoRows(err) {
		return noSuchUser(username)
	}
	if err != nil {
		return domainError(err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = $1", id); err != nil {
		return domainError(err)
	}
	return domainError(tx.Commit(ctx))
}

// SetDisabled disables a user (ending their sessions; their tokens stop
// working while disabled) or enables them again.
func (s *UserStore) SetDisabled(ctx context.Context, username string, disabled bool) error {
	return s.adminChange(ctx, username, func(tx pgx.Tx, id int64, role planning.Role, was bool) error {
		if disabled && !was && role == planning.RoleAdmin {
			if err := lastAdmin(ctx, tx, id, planning.NormalizeUsername(username), "disabled"); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE users SET disabled = $2, updated_at = now() WHERE id = $1", id, disabled); err != nil {
			return err
		}
		if disabled {
			_, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = $1", id)
			return err
		}
		return nil
	})
}

// DisableUser is SetDisabled(ctx, username, true).
func (s *UserStore) DisableUser(ctx context.Context, username string) error {
	return s.SetDisabled(ctx, username, true)
}

// Authenticate checks a username and password. Every failure is the same
// unauthenticated error; an unknown user costs one hash like a known one.
func (s *UserStore) Authenticate(ctx context.Context, username, password string) (planning.User, error) {
	username = planning.NormalizeUsername(username)
	if len(password) > planning.MaxPasswordLength {
		return planning.User{}, badLogin("password too long")
	}
	var hash string
	u, err := scanUser(s.pool.QueryRow(ctx, "SELECT "+userColumns+", u.password_hash FROM users u WHERE u.username = $1", username), &hash)
	if isNoRows(err) {
		_, _ = hashPassword(password) // spend the time a real check takes
		return planning.User{}, badLogin("unknown user")
	}
	if err != nil {
		return planning.User{}, domainError(err)
	}
	ok, stale, err := verifyPassword(hash, password)
	if err != nil {
		return planning.User{}, planning.Errorf(planning.ErrInternal, "cannot check the password of %s", username).WithCause(err)
	}
	if !ok {
		return planning.User{}, badLogin("wrong password")
	}
	if u.Disabled {
		return planning.User{}, badLogin("user disabled")
	}
	if stale {
		// Upgrade to today's parameters; losing a race with a password
		// change is fine (the WHERE keeps the newer hash).
		if fresh, err := hashPassword(password); err == nil {
			_, _ = s.pool.Exec(ctx, "UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2", u.ID, hash, fresh)
		}
	}
	return u, nil
}

// CreateSession starts a session of ttl for a user and returns the cookie
// token (only its hash is stored) and the session with its CSRF token.
// Expired sessions are swept on the way.
func (s *UserStore) CreateSession(ctx context.Context, userID int64, ttl time.Duration) (string, planning.Session, error) {
	if ttl <= 0 {
		return "", planning.Session{}, planning.Errorf(planning.ErrInvalid, "session lifetime %s must be positive", ttl)
	}
	token, err := newSecret()
	if err != nil {
		return "", planning.Session{}, err
	}
	csrf, err := newSecret()
	if err != nil {
		return "", planning.Session{}, err
	}
	if _, err := s.pool.Exec(ctx, "DELETE FROM sessions WHERE expires_at < now()"); err != nil {
		return "", planning.Session{}, domainError(err)
	}
	sess := planning.Session{UserID: userID, CSRFToken: csrf}
	err = s.pool.QueryRow(ctx, `INSERT INTO sessions (id, user_id, csrf_token, expires_at)
		VALUES ($1, $2, $3, now() + $4::bigint * interval '1 microsecond') RETURNING created_at, expires_at`,
		secretHash(token), userID, csrf, micros(ttl)).Scan(&sess.CreatedAt, &sess.ExpiresAt)
	if err != nil {
		return "", planning.Session{}, domainError(err)
	}
	return token, sess, nil
}

// SessionUser returns the user and session of a cookie token, if the
// session has not expired, has been used within idle (0: no idle limit) and
// the user is enabled. A session idle for longer is ended. It notes the
// activity (last_seen_at) at most once per planning.SessionSeenEvery.
func (s *UserStore) SessionUser(ctx context.Context, token string, idle time.Duration) (planning.User, planning.Session, error) {
	expired := planning.Errorf(planning.ErrUnauthenticated, "the session is unknown or has expired; log in again")
	if !wellFormedSecret(token) {
		return planning.User{}, planning.Session{}, expired
	}
	id := secretHash(token)
	var sess planning.Session
	var stale, idled bool
	u, err := scanUser(s.pool.QueryRow(ctx, "SELECT "+userColumns+`, s.csrf_token, s.created_at, s.expires_at,
			s.last_seen_at < now() - $2::bigint * interval '1 microsecond',
			$3::bigint > 0 AND s.last_seen_at < now() - $3::bigint * interval '1 microsecond'
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = $1 AND s.expires_at > now() AND NOT u.disabled`, id, micros(planning.SessionSeenEvery), micros(max(idle, 0))),
		&sess.CSRFToken, &sess.CreatedAt, &sess.ExpiresAt, &stale, &idled)
	if isNoRows(err) {
		return planning.User{}, planning.Session{}, expired
	}
	if err != nil {
		return planning.User{}, planning.Session{}, domainError(err)
	}
	if idled {
		if _, err := s.pool.Exec(ctx, "DELETE FROM sessions WHERE id = $1", id); err != nil {
			return planning.User{}, planning.Session{}, domainError(err)
		}
		return planning.User{}, planning.Session{}, planning.Errorf(planning.ErrUnauthenticated,
			"the session has been idle too long (unused for more than %s); log in again", spoken(idle))
	}
	sess.UserID = u.ID
	if stale {
		if _, err := s.pool.Exec(ctx, "UPDATE sessions SET last_seen_at = now() WHERE id = $1", id); err != nil {
			return planning.User{}, planning.Session{}, domainError(err)
		}
	}
	return u, sess, nil
}

// spoken writes a whole number of minutes as words ("30 minutes"), else
// as Go does ("90s").
func spoken(d time.Duration) string {
	switch {
	case d == time.Minute:
		return "1 minute"
	case d > 0 && d%time.Minute == 0:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return d.String()
}

// DeleteSession ends a session; an unknown token is no error.
func (s *UserStore) DeleteSession(ctx context.Context, token string) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM sessions WHERE id = $1", secretHash(token))
	return domainError(err)
}

const tokenColumns = "t.id, t.user_id, u.username, t.name, t.created_at, t.last_used_at, t.expires_at, t.revoked_at"

func scanToken(row pgx.Row) (planning.APIToken, error) {
	var t planning.APIToken
	err := row.Scan(&t.ID, &t.UserID, &t.Username, &t.Name, &t.CreatedAt, &t.LastUsedAt, &t.ExpiresAt, &t.RevokedAt)
	return t, err
}

// CreateAPIToken makes a token "lqt_" + 43 base64url characters for a user;
// ttl 0 means it never expires. The token is returned once; only its hash
// is kept.
func (s *UserStore) CreateAPIToken(ctx context.Context, userID int64, name string, ttl time.Duration) (planning.APIToken, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		return planning.APIToken{}, "", planning.Errorf(planning.ErrInvalid, "a token needs a name of 1 to 100 characters saying what uses it").WithDetail("field", "name")
	}
	if ttl < 0 {
		return planning.APIToken{}, "", planning.Errorf(planning.ErrInvalid, "token lifetime %s must not be negative (0: no expiry)", ttl).WithDetail("field", "ttl")
	}
	secret, err := newSecret()
	if err != nil {
		return planning.APIToken{}, "", err
	}
	token := APITokenPrefix + secret
	t, err := scanToken(s.pool.QueryRow(ctx, `WITH t AS (
			INSERT INTO api_tokens (user_id, name, token_hash, expires_at)
			VALUES ($1, $2, $3, CASE WHEN $4::bigint > 0 THEN now() + $4::bigint * interval '1 microsecond' END)
			RETURNING *)
		SELECT `+tokenColumns+` FROM t JOIN users u ON u.id = t.user_id`, userID, name, secretHash(token), micros(ttl)))
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23503" {
		return planning.APIToken{}, "", planning.Errorf(planning.ErrNotFound, "no user with id %d", userID)
	}
	if err != nil {
		return planning.APIToken{}, "", domainError(err)
	}
	return t, token, nil
}

// TokenUser returns the user of an API token that is neither revoked nor
// expired, if the user is enabled. It notes the use at most once a minute.
func (s *UserStore) TokenUser(ctx context.Context, token string) (planning.User, error) {
	bad := planning.Errorf(planning.ErrUnauthenticated, "the API token is unknown, expired or revoked, or its user is disabled")
	secret, ok := strings.CutPrefix(token, APITokenPrefix)
	if !ok || !wellFormedSecret(secret) {
		return planning.User{}, bad
	}
	h := secretHash(token)
	var tokenID int64
	var stale bool
	u, err := scanUser(s.pool.QueryRow(ctx, "SELECT "+userColumns+`, t.id,
			t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute'
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
		  AND NOT u.disabled`, h), &tokenID, &stale)
	if isNoRows(err) {
		return planning.User{}, bad
	}
	if err != nil {
		return planning.User{}, domainError(err)
	}
	if stale {
		if _, err := s.pool.Exec(ctx, "UPDATE api_tokens SET last_used_at = now() WHERE id = $1", tokenID); err != nil {
			return planning.User{}, domainError(err)
		}
	}
	return u, nil
}

// RevokeAPIToken stops a token from working; revoking twice is no error.
func (s *UserStore) RevokeAPIToken(ctx context.Context, id int64) (planning.APIToken, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `WITH t AS (
			UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING *)
		SELECT `+tokenColumns+` FROM t JOIN users u ON u.id = t.user_id`, id))
	if isNoRows(err) {
		return t, planning.Errorf(planning.ErrNotFound, "no API token with id %d", id).WithDetail("id", id)
	}
	return t, domainError(err)
}

// ListAPITokens lists the tokens of one user, or of everyone for "", by id.
func (s *UserStore) ListAPITokens(ctx context.Context, username string) ([]planning.APIToken, error) {
	username = planning.NormalizeUsername(username)
	if username != "" {
		if _, err := s.GetUser(ctx, username); err != nil {
			return nil, err
		}
	}
	rows, err := s.pool.Query(ctx, "SELECT "+tokenColumns+` FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE $1 = '' OR u.username = $1 ORDER BY t.id`, username)
	if err != nil {
		return nil, domainError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (planning.APIToken, error) { return scanToken(r) })
	return out, domainError(err)
}

// Audit appends one entry to the audit log.
func (s *UserStore) Audit(ctx context.Context, actor string, action planning.AuditAction, subject string, details map[string]any, remoteAddr string) error {
	if details == nil {
		details = map[string]any{}
	}
	var addr *string
	if remoteAddr != "" {
		addr = &remoteAddr
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO audit_log (actor, action, subject, details, remote_addr) VALUES ($1, $2, $3, $4, $5)`,
		actor, string(action), subject, details, addr)
	return domainError(err)
}
