package pgstore

import (
	"strings"
	"testing"
)

// A stored hash is checked before it is used: a row that is not argon2id,
// another version, parameters beyond the bounds or a short salt is an
// error, never a match; today's hash matches only its password.
func TestVerifyPasswordReadsOnlySoundHashes(t *testing.T) {
	good, err := hashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if ok, stale, err := verifyPassword(good, "correct horse"); !ok || stale || err != nil {
		t.Fatalf("today's hash: ok %v stale %v err %v", ok, stale, err)
	}
	if ok, _, err := verifyPassword(good, "wrong horse"); ok || err != nil {
		t.Fatalf("wrong password: ok %v err %v", ok, err)
	}
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for name, bad := range map[string]string{
		"empty":          "",
		"argon2i":        with(1, "argon2i"),
		"version":        with(2, "v=16"),
		"parameters":     with(3, "m=65536,t=1"),
		"memory too big": with(3, "m=2097152,t=1,p=4"),
		"no threads":     with(3, "m=65536,t=1,p=0"),
		"short salt":     with(4, "c2FsdA"),
		"not base64 key": with(5, "!!"),
	} {
		if ok, _, err := verifyPassword(bad, "correct horse"); ok || err == nil {
			t.Errorf("%s (%q): ok %v err %v, want an error", name, bad, ok, err)
		}
	}
}
