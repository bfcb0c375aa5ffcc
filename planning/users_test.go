package planning_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
)

func TestRolesAreOrdered(t *testing.T) {
	v, al, ad := planning.RoleViewer, planning.RoleAllocator, planning.RoleAdmin
	cases := []struct {
		r, other planning.Role
		want     bool
	}{
		{v, v, true}, {v, al, false}, {v, ad, false},
		{al, v, true}, {al, al, true}, {al, ad, false},
		{ad, v, true}, {ad, al, true}, {ad, ad, true},
		{"root", v, false}, {ad, "root", false}, {"", v, false}, {"Admin", v, false},
	}
	for _, c := range cases {
		if got := c.r.AtLeast(c.other); got != c.want {
			t.Errorf("%q.AtLeast(%q) = %v, want %v", c.r, c.other, got, c.want)
		}
	}
	for _, r := range planning.Roles {
		if !r.Valid() {
			t.Errorf("%q is listed but not valid", r)
		}
	}
	if planning.Role("superuser").Valid() || planning.Role("").Valid() {
		t.Error("unknown roles are valid")
	}
	if r, err := planning.ParseRole(" Allocator "); err != nil || r != al {
		t.Errorf("ParseRole: %q %v", r, err)
	}
	if _, err := planning.ParseRole("owner"); planning.CodeOf(err) != planning.ErrInvalid {
		t.Errorf("ParseRole(owner): %v", err)
	}
}

func TestRequire(t *testing.T) {
	ctx := context.Background()
	if planning.PrincipalFrom(ctx) != nil {
		t.Fatal("a bare context has a principal")
	}
	err := planning.Require(ctx, planning.RoleViewer)
	if planning.CodeOf(err) != planning.ErrUnauthenticated || !strings.Contains(err.Error(), "log in first") {
		t.Fatalf("anonymous: %v", err)
	}
	viewer := planning.WithPrincipal(ctx, &planning.Principal{User: planning.User{Username: "wang", Role: planning.RoleViewer}, Via: planning.ViaSession})
	if p := planning.PrincipalFrom(viewer); p == nil || p.User.Username != "wang" || p.Via != "session" {
		t.Fatalf("PrincipalFrom: %+v", p)
	}
	if err := planning.Require(viewer, planning.RoleViewer); err != nil {
		t.Fatal(err)
	}
	err = planning.Require(viewer, planning.RoleAllocator)
	if planning.CodeOf(err) != planning.ErrForbidden || err.Error() != "your role viewer may not do this; it needs allocator" {
		t.Fatalf("viewer needing allocator: %v", err)
	}
	admin := planning.WithPrincipal(ctx, &planning.Principal{User: planning.User{Username: "li", Role: planning.RoleAdmin}, Via: planning.ViaToken})
	for _, r := range planning.Roles {
		if err := planning.Require(admin, r); err != nil {
			t.Errorf("admin needing %s: %v", r, err)
		}
	}
	disabled := planning.WithPrincipal(ctx, &planning.Principal{User: planning.User{Username: "x", Role: planning.RoleAdmin, Disabled: true}})
	if planning.CodeOf(planning.Require(disabled, planning.RoleViewer)) != planning.ErrForbidden {
		t.Error("a disabled user passes Require")
	}
	if planning.PrincipalFrom(planning.WithPrincipal(admin, nil)) != nil {
		t.Error("WithPrincipal(nil) does not make the context anonymous")
	}
}

func TestAccountRules(t *testing.T) {
	for _, ok := range []string{"wang", "li.na", "admin_1", "a-b", "abc", strings.Repeat("x", 32)} {
		if err := planning.CheckUsername(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "ab", strings.Repeat("x", 33), "Wang", "wang li", "王", "a/b", "a@b"} {
		err := planning.CheckUsername(bad)
		var de *planning.Error
		if planning.CodeOf(err) != planning.ErrInvalid || !errors.As(err, &de) || de.Details["field"] != "username" {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if planning.NormalizeUsername("  Wang.Li ") != "wang.li" {
		t.Error("NormalizeUsername")
	}
	if err := planning.CheckPassword("123456789"); planning.CodeOf(err) != planning.ErrInvalid || !strings.Contains(err.Error(), "at least 10") {
		t.Errorf("9 characters: %v", err)
	}
	if err := planning.CheckPassword("一二三四五六七八九十"); err != nil {
		t.Errorf("10 Chinese characters: %v", err)
	}
	if err := planning.CheckPassword(strings.Repeat("x", planning.MaxPasswordLength+1)); err == nil {
		t.Error("an over-long password passes")
	}
}
