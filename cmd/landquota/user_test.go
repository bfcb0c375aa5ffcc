package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/jackc/pgx/v5"
)

// cliEnv runs the user and token commands in-process against db.
type cliEnv struct {
	t    *testing.T
	db   string
	vars map[string]string
}

func (c *cliEnv) run(stdin string, group string, args ...string) (stdout, stderr string, err error) {
	c.t.Helper()
	var out, errb bytes.Buffer
	env := environ{
		getenv: func(k string) string {
			if k == "DATABASE_URL" {
				return c.db
			}
			return c.vars[k]
		},
		stdout: &out, stderr: &errb,
	}
	if group == "user" {
		err = userCommand(context.Background(), env, strings.NewReader(stdin), args)
	} else {
		err = tokenCommand(context.Background(), env, args)
	}
	return out.String(), errb.String(), err
}

func (c *cliEnv) must(stdin, group string, args ...string) string {
	c.t.Helper()
	out, errs, err := c.run(stdin, group, args...)
	if err != nil {
		c.t.Fatalf("%s %v: %v\n%s", group, args, message(err, planning.LangEn), errs)
	}
	return out
}

func (c *cliEnv) fails(want, stdin, group string, args ...string) {
	c.t.Helper()
	_, _, err := c.run(stdin, group, args...)
	if err == nil || !strings.Contains(message(err, planning.LangEn), want) {
		c.t.Errorf("%s %v: %v; want an error mentioning %q", group, args, err, want)
	}
}

func TestUserAndTokenCommands(t *testing.T) {
	c := &cliEnv{t: t, db: pgtest.URL(t), vars: map[string]string{"USER": "ops"}}
	if out := c.must("correct horse battery\nignored\n", "user", "add", "--username", "Root", "--role", "admin", "--display-name", "系统管理员"); !strings.Contains(out, "created user root (admin") {
		t.Fatalf("add: %q", out)
	}
	c.fails("at least 10", "short\n", "user", "add", "--username", "wang", "--role", "viewer")
	c.fails("no password on stdin", "", "user", "add", "--username", "wang", "--role", "viewer")
	c.fails("already exists", "correct horse battery\n", "user", "add", "--username", "root", "--role", "viewer")
	c.fails(`role "boss" is not one of`, "correct horse battery\n", "user", "add", "--username", "wang", "--role", "boss")
	c.fails("--role is required", "", "user", "add", "--username", "wang")
	c.fails("must be 3 to 32", "correct horse battery\n", "user", "add", "--username", "w", "--role", "viewer")
	c.fails("unknown subcommand", "", "user", "delete")
	c.fails("unexpected argument", "", "user", "list", "extra")

	c.vars["LANDQUOTA_PASSWORD"] = "another good one"
	c.must("", "user", "add", "--username", "wang", "--role", "viewer")
	delete(c.vars, "LANDQUOTA_PASSWORD")
	list := c.must("", "user", "list")
	if !strings.Contains(list, "root") || !strings.Contains(list, "系统管理员") || !strings.Contains(list, "wang") || !strings.Contains(list, "viewer") {
		t.Fatalf("list:\n%s", list)
	}
	if out := c.must("", "user", "set-role", "--username", "wang", "--role", "allocator"); !strings.Contains(out, "viewer → allocator") {
		t.Fatalf("set-role: %q", out)
	}
	c.fails("last enabled admin", "", "user", "set-role", "--username", "root", "--role", "viewer")
	c.fails("no user named", "", "user", "set-role", "--username", "nobody", "--role", "viewer")
	c.must("the new password\n", "user", "passwd", "--username", "wang")
	c.must("", "user", "disable", "--username", "wang")
	c.must("", "user", "enable", "--username", "wang")

	out, errs, err := c.run("", "token", "create", "--username", "wang", "--name", "nightly import", "--ttl", "24h")
	if err != nil {
		t.Fatal(message(err, planning.LangEn))
	}
	token := strings.TrimSpace(out)
	if !strings.HasPrefix(token, "lqt_") || len(token) != 47 || strings.Count(out, "\n") != 1 || !strings.Contains(errs, "only this once") {
		t.Fatalf("token create: stdout %q stderr %q", out, errs)
	}
	if list := c.must("", "token", "list", "--username", "wang"); !strings.Contains(list, "nightly import") || strings.Contains(list, token) {
		t.Fatalf("token list:\n%s", list)
	}
	c.fails("--id is required", "", "token", "revoke")
	c.fails("no API token with id 99", "", "token", "revoke", "--id", "99")
	if out := c.must("", "token", "revoke", "--id", "1"); !strings.Contains(out, "revoked token 1") {
		t.Fatalf("revoke: %q", out)
	}

	conn, err := pgx.Connect(context.Background(), c.db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), "SELECT actor, action, subject, details->>'os_user' FROM audit_log ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var actor, action, subject, osUser string
		if err := rows.Scan(&actor, &action, &subject, &osUser); err != nil {
			t.Fatal(err)
		}
		if actor != "cli" || osUser != "ops" {
			t.Errorf("audit row by %q (os user %q)", actor, osUser)
		}
		got = append(got, action+" "+subject)
	}
	want := "user_created root; user_created wang; role_changed wang; password_changed wang; user_disabled wang; user_enabled wang; token_created wang; token_revoked wang"
	if strings.Join(got, "; ") != want {
		t.Fatalf("audit log\n got %q\nwant %q", strings.Join(got, "; "), want)
	}
}

func TestFirstAdminFromTheCLILogsIn(t *testing.T) {
	db := pgtest.URL(t)
	add := exec.Command(binary, "user", "add", "--username", "root", "--role", "admin")
	add.Env = append(os.Environ(), "DATABASE_URL="+db, "LANDQUOTA_PASSWORD=first admin password")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	add = exec.Command(binary, "user", "add", "--username", "wang", "--role", "viewer")
	add.Env = append(os.Environ(), "DATABASE_URL="+db, "LANDQUOTA_PASSWORD=")
	add.Stdin = strings.NewReader("password from stdin\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("user add from stdin: %v\n%s", err, out)
	}
	base, _ := serveBase(t, db)

	post := func(path, body string, header ...string) (*http.Response, map[string]any) {
		t.Helper()
		return request(t, "POST", base+path, body, header...)
	}
	res, body := post("/api/login", `{"username":"root","password":"first admin password"}`)
	if res.StatusCode != 200 || body["user"].(map[string]any)["role"] != "admin" || len(res.Cookies()) != 1 {
		t.Fatalf("login: %d %v", res.StatusCode, body)
	}
	cookie, csrf := res.Cookies()[0], body["csrf_token"].(string)
	// The admin makes an allocator over HTTP, with the session and its CSRF token.
	res, body = post("/api/users", `{"username":"zhou","role":"allocator","password":"zhou's password"}`, "Cookie", cookie.Name+"="+cookie.Value, "X-CSRF-Token", csrf)
	if res.StatusCode != 201 {
		t.Fatalf("create user: %d %v", res.StatusCode, body)
	}
	if res, _ := post("/api/login", `{"username":"wang","password":"password from stdin"}`); res.StatusCode != 200 {
		t.Fatalf("login with the stdin password: %d", res.StatusCode)
	}
	if res, _ := post("/api/login", `{"username":"root","password":"not it at all"}`); res.StatusCode != 401 {
		t.Fatalf("wrong password: %d", res.StatusCode)
	}

	// A token from the CLI works as a Bearer token until revoked.
	tc := exec.Command(binary, "token", "create", "--username", "zhou", "--name", "script")
	tc.Env = append(os.Environ(), "DATABASE_URL="+db)
	out, err := tc.Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	token := strings.TrimSpace(string(out))
	me := func() int {
		req, _ := http.NewRequest("GET", base+"/api/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if s := me(); s != 200 {
		t.Fatalf("me by the CLI's token: %d", s)
	}
	must(t, db, "token", "revoke", "--id", "1")
	if s := me(); s != 401 {
		t.Fatalf("me by a revoked token: %d", s)
	}
}
