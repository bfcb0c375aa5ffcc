package allocation

import (
	"fmt"
	"strings"
)

// The explanations of a project's score are data: scoreNotes holds each
// note once in English and Chinese, and score only records which note
// applies with the values it shows. A placeholder in a template is
//
//	{N:P}   value N (0-3) with P (1 or 2) decimals
//	{cat}   the project's category, named in the note's language
//	{park}  the park's name
type noteID uint8

const (
	noteCategory noteID = iota
	noteTax
	noteInvestment
	noteReadiness
	noteProvincialMajor
	noteNotProvincialMajor
	noteNationalKey
	noteNotNationalKey
	noteTiltOutsidePark
	noteTiltNone
	noteTiltApplied
	numNotes
)

var scoreNotes = [numNotes]struct{ en, zh string }{
	noteCategory: {"base points of a {cat}", "{cat}基础分"},
	noteTax: {"expected tax {0:2} wan yuan/mu of reference {1:2}: {2:1}% of {3:2} points",
		"预期亩均税收 {0:2} 万元/亩，参考值 {1:2}，得满分 {3:2} 的 {2:1}%"},
	noteInvestment: {"investment {0:2} wan yuan per mu of need, reference {1:2}: {2:1}% of {3:2} points",
		"投资强度 {0:2} 万元/亩（按所需指标计），参考值 {1:2}，得满分 {3:2} 的 {2:1}%"},
	noteReadiness:          {"readiness {0:2} × {1:2} points", "前期成熟度 {0:2} × {1:2} 分"},
	noteProvincialMajor:    {"provincial major industrial project bonus", "省重大产业项目加分"},
	noteNotProvincialMajor: {"not a provincial major industrial project", "非省重大产业项目"},
	noteNationalKey:        {"national key project bonus", "国家重点项目加分"},
	noteNotNationalKey:     {"not a national key project", "非国家重点项目"},
	noteTiltOutsidePark:    {"no tilt: not in a park that receives the tilt", "不在享受倾斜的园区，无倾斜"},
	noteTiltNone:           {"no tilt for a {cat} in park {park}", "倾斜园区{park}内的{cat}不倾斜"},
	noteTiltApplied:        {"×{0:2}: {cat} in park {park}", "×{0:2}：倾斜园区{park}内的{cat}"},
}

// scoreComponentNames are the components of a score, in the order score
// fills its notes.
var scoreComponentNames = [...]string{"category", "tax_per_mu", "investment_intensity", "readiness", "provincial_major", "national_key", "tilt"}

const numScoreComponents = len(scoreComponentNames)

// note is one explanation: which template, and the values it shows.
type note struct {
	id   noteID
	num  [4]float64
	cat  Category
	park string
}

// A piece of a parsed template: literal text, then at most one value.
type notePiece struct {
	text  string
	value byte // 0 none, 'n' number, 'c' category, 'p' park
	index uint8
	prec  uint8
}

// parsedNotes holds scoreNotes parsed once: [id][0] English, [id][1] Chinese.
var parsedNotes = parseNotes()

func parseNotes() (out [numNotes][2][]notePiece) {
	for id, t := range scoreNotes {
		for lang, text := range [2]string{t.en, t.zh} {
			pieces, err := parseNote(text)
			if err != nil {
				panic(fmt.Sprintf("score note %d: %v", id, err))
			}
			out[id][lang] = pieces
		}
	}
	return out
}

func parseNote(text string) ([]notePiece, error) {
	var out []notePiece
	for {
		open := strings.IndexByte(text, '{')
		if open < 0 {
			return append(out, notePiece{text: text}), nil
		}
		end := strings.IndexByte(text[open:], '}')
		if end < 0 {
			return nil, fmt.Errorf("unclosed placeholder in %q", text)
		}
		p := notePiece{text: text[:open]}
		switch spec := text[open+1 : open+end]; {
		case spec == "cat":
			p.value = 'c'
		case spec == "park":
			p.value = 'p'
		case len(spec) == 3 && spec[0] >= '0' && spec[0] <= '3' && spec[1] == ':' && (spec[2] == '1' || spec[2] == '2'):
			p.value, p.index, p.prec = 'n', spec[0]-'0', spec[2]-'0'
		default:
			return nil, fmt.Errorf("unknown placeholder {%s}", spec)
		}
		out = append(out, p)
		text = text[open+end+1:]
	}
}

// appendText appends the note in English or (zh) Chinese.
func (n *note) appendText(b []byte, zh bool) []byte {
	lang := 0
	if zh {
		lang = 1
	}
	for _, p := range parsedNotes[n.id][lang] {
		b = append(b, p.text...)
		switch p.value {
		case 'n':
			b = appendFixed(b, n.num[p.index], int(p.prec))
		case 'c':
			if zh {
				b = append(b, n.cat.NameZh()...)
			} else {
				b = append(b, n.cat.NameEn()...)
			}
		case 'p':
			b = append(b, n.park...)
		}
	}
	return b
}

// renderNotes makes the score components from their notes and values. All
// fourteen texts are written into one buffer and cut from one string: a
// 10,000-project run builds 140,000 of them.
func renderNotes(notes *[numScoreComponents]note, values [numScoreComponents]float64) []ScoreComponent {
	b := make([]byte, 0, 640)
	var ends [2 * numScoreComponents]int
	for i := range notes {
		b = notes[i].appendText(b, false)
		ends[2*i] = len(b)
		b = notes[i].appendText(b, true)
		ends[2*i+1] = len(b)
	}
	s := string(b)
	comps := make([]ScoreComponent, numScoreComponents)
	from := 0
	for i := range comps {
		en, zh := s[from:ends[2*i]], s[ends[2*i]:ends[2*i+1]]
		from = ends[2*i+1]
		comps[i] = ScoreComponent{Name: scoreComponentNames[i], Value: values[i], Note: en, NoteZh: zh}
	}
	return comps
}
