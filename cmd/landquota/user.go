package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
)

// cliActor is the audit log's actor for everything done from the command line.
const cliActor = "cli"

// passwordEnv holds a password for `user add` and `user passwd`; without it
// the password is read from stdin.
const passwordEnv = "LANDQUOTA_PASSWORD"

func runUser(ctx context.Context, env environ, args []string) error {
	return userCommand(ctx, env, os.Stdin, args)
}

func runToken(ctx context.Context, env environ, args []string) error {
	return tokenCommand(ctx, env, args)
}

type subcommand struct {
	name, usage string
	run         func(ctx context.Context, c *cliContext, args []string) error
}

// cliContext is what the user and token subcommands share.
type cliContext struct {
	env   environ
	stdin io.Reader
	store *pgstore.Store
}

// details are the audit details of a CLI action: who ran it on the machine.
func (c *cliContext) details(more map[string]any) map[string]any {
	d := map[string]any{}
	if u := c.env.getenv("USER"); u != "" {
		d["os_user"] = u
	}
	for k, v := range more {
		d[k] = v
	}
	return d
}

var userCommands = []subcommand{
	{"add", "add a user: --username NAME --role viewer|allocator|admin [--display-name TEXT]; password from $" + passwordEnv + " or stdin", userAdd},
	{"list", "list the users", userList},
	{"set-role", "change a role: --username NAME --role R", userSetRole},
	{"passwd", "set a password: --username NAME; password from $" + passwordEnv + " or stdin", userPasswd},
	{"disable", "stop a user from logging in: --username NAME", userDisable},
	{"enable", "let a disabled user log in again: --username NAME", userEnable},
}

var tokenCommands = []subcommand{
	{"create", "make an API token: --username NAME --name LABEL [--ttl 720h, 0 for none]; prints it once", tokenCreate},
	{"list", "list API tokens [--username NAME]", tokenList},
	{"revoke", "revoke an API token: --id N", tokenRevoke},
}

func userCommand(ctx context.Context, env environ, stdin io.Reader, args []string) error {
	return dispatch(ctx, env, stdin, "user", userCommands, args)
}

func tokenCommand(ctx context.Context, env environ, args []string) error {
	return dispatch(ctx, env, nil, "token", tokenCommands, args)
}

// dispatch runs one subcommand of group (user or token).
func dispatch(ctx context.Context, env environ, stdin io.Reader, group string, subs []subcommand, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := env.stdout
		if len(args) == 0 {
			w = env.stderr
		}
		fmt.Fprintf(w, "usage: landquota %s SUBCOMMAND [flags]\n\nsubcommands:\n", group)
		for _, s := range subs {
			fmt.Fprintf(w, "  %-9s %s\n", s.name, s.usage)
		}
		if len(args) == 0 {
			return fmt.Errorf("%s: which subcommand? (%s)", group, names(subs))
		}
		return nil
	}
	for _, s := range subs {
		if s.name == args[0] {
			c := &cliContext{env: env, stdin: stdin}
			defer c.close()
			return s.run(ctx, c, args[1:])
		}
	}
	return fmt.Errorf("%s: unknown subcommand %q (%s)", group, args[0], names(subs))
}

func names(subs []subcommand) string {
	var n []string
	for _, s := range subs {
		n = append(n, s.name)
	}
	return strings.Join(n, ", ")
}

// parseUser is parse for a subcommand about one user, whom its one flag,
// --username (required), names: that user.
func (c *cliContext) parseUser(ctx context.Context, name string, args []string, usage string) (planning.User, error) {
	var username string
	err := c.parse(ctx, name, args, func(fs *flag.FlagSet) { fs.StringVar(&username, "username", "", usage) })
	if err == nil {
		err = needFlag("username", username)
	}
	if err != nil {
		return planning.User{}, err
	}
	return c.store.GetUser(ctx, username)
}

// subcommands is a command made of the subcommands subs (plan, policy).
func subcommands(group string, subs []subcommand) func(ctx context.Context, env environ, args []string) error {
	return func(ctx context.Context, env environ, args []string) error {
		return dispatch(ctx, env, nil, group, subs, args)
	}
}

// close closes the store a subcommand opened (parse), if it got that far.
func (c *cliContext) close() {
	if c.store != nil {
		c.store.Close()
	}
}

// noFlags is the flag set of a command that takes only the database's.
func noFlags(*flag.FlagSet) {}

// table starts a listing on the command's output, its columns aligned,
// under header (tab-separated like the rows); flush it when the rows are
// written.
func (c *cliContext) table(header string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(c.env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	return tw
}

// list runs a listing command without flags of its own: what fetch reads
// (once the command has its store), a row each under header.
func list[T any](ctx context.Context, c *cliContext, name string, args []string, header string,
	fetch func(context.Context) ([]T, error), row func(T) string) error {
	if err := c.parse(ctx, name, args, noFlags); err != nil {
		return err
	}
	items, err := fetch(ctx)
	if err != nil {
		return err
	}
	tw := c.table(header)
	for _, it := range items {
		fmt.Fprintln(tw, row(it))
	}
	return tw.Flush()
}

// minute is how a listing shows a time: local, to the minute.
func minute(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }

// parse parses a subcommand's flags (and the database flags), refuses
// stray arguments, and opens the store; dispatch closes it.
func (c *cliContext) parse(ctx context.Context, name string, args []string, define func(fs *flag.FlagSet)) error {
	db, fs, err := parseDBCommand(name, c.env, args, define)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q (flags go as --name value)", name, fs.Arg(0))
	}
	store, err := pgstore.Open(ctx, db.URL, pgstore.Options{MaxConns: 2, StatementTimeout: db.StatementTimeout})
	if err != nil {
		return err
	}
	if err := store.Ready(ctx); err != nil {
		store.Close()
		return err
	}
	c.store = store
	return nil
}

// parseUserAndRole parses a command that names a user and a role (--username
// described as whose, --role, then the flags more defines): both are
// required and the role must be known.
func (c *cliContext) parseUserAndRole(ctx context.Context, name string, args []string, whose string, more func(fs *flag.FlagSet)) (string, planning.Role, error) {
	var username, role string
	err := c.parse(ctx, name, args, func(fs *flag.FlagSet) {
		fs.StringVar(&username, "username", "", whose)
		fs.StringVar(&role, "role", "", "viewer, allocator or admin")
		more(fs)
	})
	if err == nil {
		err = errors.Join(needFlag("username", username), needFlag("role", role))
	}
	if err != nil {
		return "", "", err
	}
	r, err := planning.ParseRole(role)
	return username, r, err
}

func needFlag(name, value string) error {
	if strings.TrimSpace(value) == "" {
		return fmt.Errorf("--%s is required", name)
	}
	return nil
}

func userAdd(ctx context.Context, c *cliContext, args []string) error {
	var display string
	username, r, err := c.parseUserAndRole(ctx, "user add", args, "login name: 3-32 of a-z 0-9 _ . -", func(fs *flag.FlagSet) {
		fs.StringVar(&display, "display-name", "", "the name people see")
	})
	if err != nil {
		return err
	}
	username = planning.NormalizeUsername(username)
	if err := planning.CheckUsername(username); err != nil {
		return err
	}
	if _, err := c.store.GetUser(ctx, username); err == nil {
		return planning.Errorf(planning.ErrConflict, "a user named %q already exists (landquota user passwd or set-role change it)", username)
	}
	password, err := c.password(username)
	if err != nil {
		return err
	}
	u, err := c.store.CreateUser(ctx, username, display, r, password)
	if err != nil {
		return err
	}
	if err := c.store.Audit(ctx, cliActor, planning.AuditUserCreated, u.Username, c.details(map[string]any{"role": u.Role, "display_name": u.DisplayName}), ""); err != nil {
		return fmt.Errorf("user %s was created, but the audit log could not be written: %w", u.Username, err)
	}
	fmt.Fprintf(c.env.stdout, "created user %s (%s, id %d)\n", u.Username, u.Role, u.ID)
	return nil
}

func userList(ctx context.Context, c *cliContext, args []string) error {
	return list(ctx, c, "user list", args, "ID\tUSERNAME\tROLE\tSTATUS\tCREATED\tDISPLAY NAME",
		func(ctx context.Context) ([]planning.User, error) { return c.store.ListUsers(ctx) },
		func(u planning.User) string {
			status := "active"
			if u.Disabled {
				status = "disabled"
			}
			return fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s", u.ID, u.Username, u.Role, status, minute(u.CreatedAt), u.DisplayName)
		})
}

func userSetRole(ctx context.Context, c *cliContext, args []string) error {
	username, r, err := c.parseUserAndRole(ctx, "user set-role", args, "whose role", func(*flag.FlagSet) {})
	if err != nil {
		return err
	}
	old, err := c.store.SetRole(ctx, username, r)
	if err != nil {
		return err
	}
	username = planning.NormalizeUsername(username)
	if old == r {
		fmt.Fprintf(c.env.stdout, "%s is already %s\n", username, r)
		return nil
	}
	if err := c.store.Audit(ctx, cliActor, planning.AuditRoleChanged, username, c.details(map[string]any{"from": old, "to": r}), ""); err != nil {
		return fmt.Errorf("the role was changed, but the audit log could not be written: %w", err)
	}
	fmt.Fprintf(c.env.stdout, "%s: %s → %s\n", username, old, r)
	return nil
}

func userPasswd(ctx context.Context, c *cliContext, args []string) error {
	u, err := c.parseUser(ctx, "user passwd", args, "whose password")
	if err != nil {
		return err
	}
	password, err := c.password(u.Username)
	if err != nil {
		return err
	}
	if err := c.store.SetPassword(ctx, u.Username, password); err != nil {
		return err
	}
	if err := c.store.Audit(ctx, cliActor, planning.AuditPasswordChanged, u.Username, c.details(nil), ""); err != nil {
		return fmt.Errorf("the password was changed, but the audit log could not be written: %w", err)
	}
	fmt.Fprintf(c.env.stdout, "password of %s changed; their browser sessions have ended\n", u.Username)
	return nil
}

func userDisable(ctx context.Context, c *cliContext, args []string) error {
	return setDisabled(ctx, c, "user disable", args, true)
}

func userEnable(ctx context.Context, c *cliContext, args []string) error {
	return setDisabled(ctx, c, "user enable", args, false)
}

func setDisabled(ctx context.Context, c *cliContext, name string, args []string, disabled bool) error {
	u, err := c.parseUser(ctx, name, args, "which user")
	if err != nil {
		return err
	}
	if u.Disabled == disabled {
		fmt.Fprintf(c.env.stdout, "%s is already %s\n", u.Username, map[bool]string{true: "disabled", false: "enabled"}[disabled])
		return nil
	}
	if err := c.store.SetDisabled(ctx, u.Username, disabled); err != nil {
		return err
	}
	action, done := planning.AuditUserEnabled, "enabled"
	if disabled {
		action, done = planning.AuditUserDisabled, "disabled; their browser sessions have ended"
	}
	if err := c.store.Audit(ctx, cliActor, action, u.Username, c.details(nil), ""); err != nil {
		return fmt.Errorf("%s was %s, but the audit log could not be written: %w", u.Username, done, err)
	}
	fmt.Fprintf(c.env.stdout, "%s %s\n", u.Username, done)
	return nil
}

func tokenCreate(ctx context.Context, c *cliContext, args []string) error {
	var username, label string
	var ttl time.Duration
	if err := c.parse(ctx, "token create", args, func(fs *flag.FlagSet) {
		fs.StringVar(&username, "username", "", "whose token: it acts with this user's role")
		fs.StringVar(&label, "name", "", "what uses the token, e.g. \"nightly import\"")
		fs.DurationVar(&ttl, "ttl", 720*time.Hour, "how long the token works; 0: until revoked")
	}); err != nil {
		return err
	}
	if err := errors.Join(needFlag("username", username), needFlag("name", label)); err != nil {
		return err
	}
	u, err := c.store.GetUser(ctx, username)
	if err != nil {
		return err
	}
	if u.Disabled {
		return fmt.Errorf("%s is disabled: a token would not work", u.Username)
	}
	t, token, err := c.store.CreateAPIToken(ctx, u.ID, label, ttl)
	if err != nil {
		return err
	}
	d := map[string]any{"token_id": t.ID, "name": t.Name}
	if t.ExpiresAt != nil {
		d["expires_at"] = t.ExpiresAt
	}
	if err := c.store.Audit(ctx, cliActor, planning.AuditTokenCreated, u.Username, c.details(d), ""); err != nil {
		_, _ = c.store.RevokeAPIToken(context.WithoutCancel(ctx), t.ID)
		return fmt.Errorf("the audit log could not be written, so the token was revoked: %w", err)
	}
	expires := "never expires"
	if t.ExpiresAt != nil {
		expires = "expires " + t.ExpiresAt.Local().Format("2006-01-02 15:04 MST")
	}
	// The token alone on stdout, so TOKEN=$(landquota token create ...) works.
	fmt.Fprintf(c.env.stderr, "token %d %q for %s (%s), %s. It is shown only this once: store it now.\n"+
		"Use it as the header  Authorization: Bearer <token>\n", t.ID, t.Name, u.Username, u.Role, expires)
	fmt.Fprintln(c.env.stdout, token)
	return nil
}

func tokenList(ctx context.Context, c *cliContext, args []string) error {
	var username string
	if err := c.parse(ctx, "token list", args, func(fs *flag.FlagSet) {
		fs.StringVar(&username, "username", "", "only this user's tokens")
	}); err != nil {
		return err
	}
	tokens, err := c.store.ListAPITokens(ctx, username)
	if err != nil {
		return err
	}
	when := func(t *time.Time, none string) string {
		if t == nil {
			return none
		}
		return minute(*t)
	}
	tw := c.table("ID\tUSERNAME\tNAME\tCREATED\tLAST USED\tEXPIRES\tREVOKED")
	for _, t := range tokens {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Username, t.Name, when(&t.CreatedAt, ""),
			when(t.LastUsedAt, "never"), when(t.ExpiresAt, "never"), when(t.RevokedAt, "-"))
	}
	return tw.Flush()
}

func tokenRevoke(ctx context.Context, c *cliContext, args []string) error {
	var id int64
	if err := c.parse(ctx, "token revoke", args, func(fs *flag.FlagSet) {
		fs.Int64Var(&id, "id", 0, "the token's id (landquota token list)")
	}); err != nil {
		return err
	}
	if id <= 0 {
		return fmt.Errorf("--id is required: the token's id, as `landquota token list` shows it")
	}
	t, err := c.store.RevokeAPIToken(ctx, id)
	if err != nil {
		return err
	}
	if err := c.store.Audit(ctx, cliActor, planning.AuditTokenRevoked, t.Username, c.details(map[string]any{"token_id": t.ID, "name": t.Name}), ""); err != nil {
		return fmt.Errorf("the token was revoked, but the audit log could not be written: %w", err)
	}
	fmt.Fprintf(c.env.stdout, "revoked token %d %q of %s\n", t.ID, t.Name, t.Username)
	return nil
}

// password gets a new password for username: from $LANDQUOTA_PASSWORD, else
// the first line of stdin (asked for twice, without echo, on a terminal).
func (c *cliContext) password(username string) (string, error) {
	if p := c.env.getenv(passwordEnv); p != "" {
		return p, planning.CheckPassword(p)
	}
	if c.stdin == nil {
		return "", fmt.Errorf("no password: set %s or pass it on stdin", passwordEnv)
	}
	if isTerminal(c.stdin) {
		return c.typePassword(c.stdin.(*os.File), username)
	}
	line, err := bufio.NewReader(c.stdin).ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", fmt.Errorf("no password on stdin (and %s is not set): %v", passwordEnv, err)
	}
	p := strings.TrimRight(line, "\r\n")
	return p, planning.CheckPassword(p)
}

// typePassword asks the person at terminal f for username's new password
// twice, with echo off while they type (best effort, via stty).
func (c *cliContext) typePassword(f *os.File, username string) (string, error) {
	stty := func(arg string) error {
		cmd := exec.Command("stty", arg)
		cmd.Stdin = f
		return cmd.Run()
	}
	if stty("-echo") == nil {
		defer stty("echo")
	}
	r := bufio.NewReader(f)
	ask := func(prompt string) (string, error) {
		fmt.Fprint(c.env.stderr, prompt)
		line, err := r.ReadString('\n')
		fmt.Fprintln(c.env.stderr)
		if err != nil && (err != io.EOF || line == "") {
			return "", fmt.Errorf("no password typed: %v", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	p, err := ask(fmt.Sprintf("new password for %s (at least %d characters): ", username, planning.MinPasswordLength))
	if err != nil {
		return "", err
	}
	if err := planning.CheckPassword(p); err != nil {
		return "", err
	}
	again, err := ask("the same again: ")
	if err != nil {
		return "", err
	}
	if again != p {
		return "", fmt.Errorf("the two passwords differ; nothing was changed")
	}
	return p, nil
}
