package allocation

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

// Every phrase has both languages, each showing exactly the values its args
// name, the Chinese one in Chinese; say refuses a wrong number of values.
func TestEveryPhraseHasBothLanguages(t *testing.T) {
	for id := range numPhrases {
		p := phrases[id]
		if p.en == "" || p.zh == "" {
			t.Errorf("phrase %d lacks a language: %+v", id, p)
			continue
		}
		args := strings.Fields(p.args)
		for _, s := range []string{p.en, p.zh} {
			got := slices.Sorted(slices.Values(notePlaceholder.FindAllString(s, -1)))
			var want []string
			for _, a := range args {
				want = append(want, "{"+a+"}")
			}
			slices.Sort(want)
			if !slices.Equal(slices.Compact(got), want) {
				t.Errorf("phrase %d %q shows %v, its args are %v", id, s, got, want)
			}
		}
		chinese := func(r rune) bool {
			return unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x303f || r >= 0xff00 && r <= 0xffef
		}
		if !strings.ContainsFunc(p.zh, chinese) {
			t.Errorf("phrase %d: the Chinese %q has neither Chinese words nor Chinese punctuation", id, p.zh)
		}
		vals := make([]text, len(args))
		for i := range vals {
			vals[i] = text{"<en>", "<zh>"}
		}
		got := say(id, vals...)
		if strings.ContainsAny(got.en, "{}") || strings.ContainsAny(got.zh, "{}") || strings.Contains(got.en, "<zh>") || strings.Contains(got.zh, "<en>") {
			t.Errorf("phrase %d rendered %q / %q", id, got.en, got.zh)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("phrase %d: say with one value too many did not panic", id)
				}
			}()
			say(id, append(vals, text{})...)
		}()
	}
}

func TestParsePhraseRefusesUnknownPlaceholders(t *testing.T) {
	for _, s := range []string{"{x}", "open {a", "{}"} {
		if _, err := parsePhrase(s, []string{"a"}); err == nil {
			t.Errorf("%q parsed", s)
		}
	}
	if got := say(pCapReached, text{"Park A", "甲园"}, text{"1 hm²", "1 公顷"}); got.en != "the cap of Park A (1 hm² of room) was reached" || got.zh != "甲园上限余量 1 公顷已用完" {
		t.Errorf("%+v", got)
	}
}
