-- People and roles: users, login sessions, API tokens, and the audit log.
--
-- Secrets never rest here in the clear: passwords are argon2id hashes in PHC
-- form ($argon2id$v=19$m=..,t=..,p=..$salt$hash, so the parameters can change
-- later and old hashes still verify), and a session or API token is stored
-- only as the SHA-256 of the token the client holds. The roles are ordered:
-- viewer < allocator < admin (planning.Role).

CREATE TABLE users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      text NOT NULL CONSTRAINT users_username_key UNIQUE
                CONSTRAINT users_username_format CHECK (username ~ '^[a-z0-9_.-]{3,32}$'),
  display_name  text NOT NULL DEFAULT '' CONSTRAINT users_display_name_length CHECK (char_length(display_name) <= 100),
  role          text NOT NULL CONSTRAINT users_role_check CHECK (role IN ('viewer', 'allocator', 'admin')),
  password_hash text NOT NULL CONSTRAINT users_password_hash_format CHECK (password_hash LIKE '$argon2id$%'),
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE users IS 'people who log in; role viewer (planner, reads), allocator (land official), admin (users, policies)';

-- A browser login. id is sha256(cookie token): a copy of this table does not
-- let anyone in. Sessions end at expires_at however active they are;
-- last_seen_at moves at most once a minute.
CREATE TABLE sessions (
  id           bytea PRIMARY KEY CONSTRAINT sessions_id_is_sha256 CHECK (octet_length(id) = 32),
  user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_user_id ON sessions (user_id);

-- A token for scripts and the CLI (Authorization: Bearer lqt_...). The token
-- is shown once when made; only its sha256 is kept.
CREATE TABLE api_tokens (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         text NOT NULL CONSTRAINT api_tokens_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
  token_hash   bytea NOT NULL CONSTRAINT api_tokens_token_hash_key UNIQUE
               CONSTRAINT api_tokens_token_hash_is_sha256 CHECK (octet_length(token_hash) = 32),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  expires_at   timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX api_tokens_user_id ON api_tokens (user_id);

-- Who did what to whom. actor and subject are names, not foreign keys, so
-- the log outlives the users it mentions ('cli' is the command line, and a
-- failed login names the username that was tried). To add an action, replace
-- the audit_log_action_check constraint in a new migration.
CREATE TABLE audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  action      text NOT NULL CONSTRAINT audit_log_action_check CHECK (action IN (
                'login', 'login_failed', 'logout', 'user_created', 'role_changed', 'password_changed',
                'user_disabled', 'user_enabled', 'token_created', 'token_revoked')),
  subject     text NOT NULL DEFAULT '',
  details     jsonb NOT NULL DEFAULT '{}',
  remote_addr text
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_subject ON audit_log (subject, at);
