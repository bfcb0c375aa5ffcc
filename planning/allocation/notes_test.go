package allocation

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/hangzhou-hitech/landquota/planning/amount"
)

var notePlaceholder = regexp.MustCompile(`\{[^}]*\}`)

// Every score note renders in English and in Chinese, each text filled
// (no placeholder left), the Chinese one in Chinese, and both showing the
// same values.
func TestEveryScoreNoteRendersInBothLanguages(t *testing.T) {
	for id := range numNotes {
		t.Run(scoreNotes[id].en, func(t *testing.T) {
			tmpl := scoreNotes[id]
			if tmpl.en == "" || tmpl.zh == "" {
				t.Fatalf("note %d lacks a language: %+v", id, tmpl)
			}
			en, zh := notePlaceholder.FindAllString(tmpl.en, -1), notePlaceholder.FindAllString(tmpl.zh, -1)
			slices.Sort(en)
			slices.Sort(zh)
			if !slices.Equal(en, zh) {
				t.Errorf("the languages show different values: %v and %v", en, zh)
			}
			n := note{id: id, num: [4]float64{11.111, 22.226, 33.35, 44.444}, cat: LivelihoodInfrastructure, park: "滨富合作区"}
			textEn, textZh := string(n.appendText(nil, false)), string(n.appendText(nil, true))
			for _, text := range []string{textEn, textZh} {
				if strings.ContainsAny(text, "{}") {
					t.Errorf("placeholder left in %q", text)
				}
			}
			if !strings.ContainsFunc(textZh, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
				t.Errorf("the Chinese note %q has no Chinese", textZh)
			}
			if strings.ContainsFunc(textEn, func(r rune) bool { return unicode.Is(unicode.Han, r) }) && !strings.Contains(tmpl.en, "{park}") {
				t.Errorf("the English note %q has Chinese in it", textEn)
			}
			want := map[string][]string{ // what each placeholder shows in (en, zh)
				"{0:2}": {"11.11", "11.11"}, "{1:2}": {"22.23", "22.23"}, "{2:1}": {"33.4", "33.4"}, "{3:2}": {"44.44", "44.44"},
				"{cat}": {LivelihoodInfrastructure.NameEn(), LivelihoodInfrastructure.NameZh()}, "{park}": {"滨富合作区", "滨富合作区"},
			}
			for _, ph := range en {
				w, ok := want[ph]
				if !ok {
					t.Fatalf("unknown placeholder %s", ph)
				}
				if !strings.Contains(textEn, w[0]) || !strings.Contains(textZh, w[1]) {
					t.Errorf("%s: %q / %q do not show %v", ph, textEn, textZh, w)
				}
			}
		})
	}
}

func TestParseNoteRefusesBadPlaceholders(t *testing.T) {
	for _, text := range []string{"{4:2}", "{0:3}", "{0}", "{x}", "open {0:2", "{}"} {
		if _, err := parseNote(text); err == nil {
			t.Errorf("%q parsed", text)
		}
	}
	if p, err := parseNote("a {0:1} b {cat}{park}"); err != nil || len(p) != 4 || p[0].text != "a " || p[0].value != 'n' || p[0].prec != 1 || p[3].text != "" {
		t.Errorf("parsed %+v, %v", p, err)
	}
}

// The notes read as they always have (the API and the UI show them as they
// are): one project's fourteen texts, written out.
func TestScoreNotesText(t *testing.T) {
	p := DefaultPolicy(2026)
	p.Scoring.TaxPerMuReference, p.Scoring.TaxPerMuPoints = 50, 20
	p.Scoring.InvestmentIntensityReference, p.Scoring.InvestmentIntensityPoints = 500, 20
	p.Scoring.ReadinessPoints = 10
	p.Tilt = []Tilt{{Category: LivelihoodInfrastructure, Multiplier: 1.2}}
	c := compile(p)
	pr := &Project{Category: LivelihoodInfrastructure, TaxPerMu: 30, Investment: 7500, Need: amount.FromM2(10000), Readiness: 0.5, NationalKey: true}
	_, _, comps := score(c, pr, true, "滨富合作区")
	want := [][2]string{
		{"base points of a livelihood infrastructure", "民生基础设施基础分"},
		{"expected tax 30.00 wan yuan/mu of reference 50.00: 60.0% of 20.00 points", "预期亩均税收 30.00 万元/亩，参考值 50.00，得满分 20.00 的 60.0%"},
		{"investment 500.00 wan yuan per mu of need, reference 500.00: 100.0% of 20.00 points", "投资强度 500.00 万元/亩（按所需指标计），参考值 500.00，得满分 20.00 的 100.0%"},
		{"readiness 0.50 × 10.00 points", "前期成熟度 0.50 × 10.00 分"},
		{"not a provincial major industrial project", "非省重大产业项目"},
		{"national key project bonus", "国家重点项目加分"},
		{"×1.20: livelihood infrastructure in park 滨富合作区", "×1.20：倾斜园区滨富合作区内的民生基础设施"},
	}
	for i, w := range want {
		if comps[i].Note != w[0] || comps[i].NoteZh != w[1] {
			t.Errorf("%s: %q / %q, want %q / %q", comps[i].Name, comps[i].Note, comps[i].NoteZh, w[0], w[1])
		}
	}
	_, _, comps = score(c, pr, false, "")
	if comps[6].Note != "no tilt: not in a park that receives the tilt" || comps[6].NoteZh != "不在享受倾斜的园区，无倾斜" {
		t.Errorf("outside the parks: %+v", comps[6])
	}
	pr.Category = General
	_, _, comps = score(c, pr, true, "滨富合作区")
	if comps[6].Note != "no tilt for a general project in park 滨富合作区" || comps[6].NoteZh != "倾斜园区滨富合作区内的一般项目不倾斜" {
		t.Errorf("a category without tilt: %+v", comps[6])
	}
}
