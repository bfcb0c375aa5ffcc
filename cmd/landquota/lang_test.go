package main

import (
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
)

// The command line writes a refusal in Chinese when LANG asks for it, with
// its details, and in English otherwise.
func TestMessageFollowsLANG(t *testing.T) {
	err := planning.Errorf(planning.ErrNotFound, "no user named %q", "wang").WithDetail("username", "wang")
	zh := message(err, planning.ParseLang("zh_CN.UTF-8"))
	en := message(err, planning.ParseLang("C.UTF-8"))
	if !strings.HasPrefix(zh, `没有名为 "wang" 的用户`) || !strings.Contains(zh, "username: wang") {
		t.Errorf("zh: %q", zh)
	}
	if !strings.HasPrefix(en, `no user named "wang"`) || !strings.Contains(en, "username: wang") {
		t.Errorf("en: %q", en)
	}
}
