package planner

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/quota"
)

// Measured is a number of parcels and the sum of their measured areas, in
// m² as PostGIS measures them (float8, ST_Area in EPSG:4549). It is a float
// on purpose, unlike amount.Area: the groups of a report are added up
// unrounded and each figure is rounded once, when it is shown (Area,
// AreaOf), as the report's SQL would round the sum.
type Measured struct {
	N  int64
	M2 float64
}

func (a *Measured) add(b Measured) { a.N += b.N; a.M2 += b.M2 }

// less is a without b's parcels.
func (a Measured) less(b Measured) Measured { return Measured{N: a.N - b.N, M2: a.M2 - b.M2} }

// GroupFacts are the facts of the parcels of one district and one park
// ("" for none), gathered by the store in one pass over the parcels. Start
// and End are the as-of days of the period (a report year: the day before
// it begins and its last day; a stock summary: End only).
type GroupFacts struct {
	District, Park string
	All            Measured
	// Supplied (供地) in the period, by method: 出让 sale, 划拨 allocation.
	SuppliedSale, SuppliedAllocation, SuppliedOther Measured
	// 批而未供 at the start and end of the period, and the start's land
	// supplied by the end (disposed, 消化).
	UnsuppliedStart, UnsuppliedEnd, UnsuppliedDisposed Measured
	// 批而未供 at the end by full years since approval: 0, 1, 2, 3 or more.
	UnsuppliedByYears [4]Measured
	// 闲置 at the start and end, and the start's idle land no longer idle
	// at the end (disposed, 处置).
	IdleStart, IdleEnd, IdleDisposed Measured
	IdleExempt                       Measured // at the end: idle for 政府原因 (still 闲置; no fee, no recovery)
	RecoveryDue                      Measured // at the end: idle ≥ RecoveryAfterYears
	FeeWan                           float64  // at the end: idle-land fees of the idle parcels with a known land price
	FeePriceUnknown                  int64    // at the end: idle parcels without a land price
	// At the end: land an official determined idle (认定书 recorded, not
	// since recovered), beside the computed, suspected (疑似) figure above;
	// and land whose facts the rules lack (MissingFacts), counted, not dropped.
	IdleDetermined, FactsMissing Measured
	// 保障性住房 land: all of it, and what was supplied in the period.
	Affordable, AffordableSupplied Measured
	// The parcels with an official area (三调 net, approved, contract, in
	// OfficialKinds order): their measured and their official m².
	Official [3]OfficialArea
	// The five low-efficiency kinds at the end, in LowKinds order.
	Low [5]Measured
	// Supply rate window (SupplyRateYears ending at End): land approved in
	// it, and of that what was supplied by End.
	Approved5y, Supplied5y Measured
}

func (g *GroupFacts) add(o *GroupFacts) {
	for _, p := range [][2]*Measured{{&g.All, &o.All}, {&g.SuppliedSale, &o.SuppliedSale}, {&g.SuppliedAllocation, &o.SuppliedAllocation},
		{&g.SuppliedOther, &o.SuppliedOther}, {&g.UnsuppliedStart, &o.UnsuppliedStart}, {&g.UnsuppliedEnd, &o.UnsuppliedEnd},
		{&g.UnsuppliedDisposed, &o.UnsuppliedDisposed}, {&g.IdleStart, &o.IdleStart}, {&g.IdleEnd, &o.IdleEnd},
		{&g.IdleDisposed, &o.IdleDisposed}, {&g.IdleExempt, &o.IdleExempt}, {&g.RecoveryDue, &o.RecoveryDue},
		{&g.Approved5y, &o.Approved5y}, {&g.Supplied5y, &o.Supplied5y},
		{&g.IdleDetermined, &o.IdleDetermined}, {&g.FactsMissing, &o.FactsMissing},
		{&g.Affordable, &o.Affordable}, {&g.AffordableSupplied, &o.AffordableSupplied}} {
		p[0].add(*p[1])
	}
	for i := range g.UnsuppliedByYears {
		g.UnsuppliedByYears[i].add(o.UnsuppliedByYears[i])
	}
	for i := range g.Low {
		g.Low[i].add(o.Low[i])
	}
	g.FeeWan += o.FeeWan
	g.FeePriceUnknown += o.FeePriceUnknown
	for i := range g.Official {
		g.Official[i].Add(o.Official[i])
	}
}

// OfficialArea sums the parcels that carry one kind of official area.
type OfficialArea struct {
	N                      int64
	MeasuredM2, OfficialM2 float64
}

// Add adds o to a.
func (a *OfficialArea) Add(o OfficialArea) {
	a.N += o.N
	a.MeasuredM2 += o.MeasuredM2
	a.OfficialM2 += o.OfficialM2
}

// OfficialKinds name the official areas: 三调 net (图斑面积 − 扣除面积),
// approved (批准面积) and contract (合同面积).
var OfficialKinds = [3][3]string{
	{"survey", "三调净面积", "Survey net area (TBMJ − KCMJ)"},
	{"approved", "批准面积", "Approved area"},
	{"contract", "合同面积", "Contract area"},
}

// reconcileTable sets the measured area (EPSG:4549) beside the official
// areas of the same parcels, so officials can reconcile the two.
func reconcileTable(units []Unit, sums []GroupFacts) Table {
	cols := []Column{}
	for _, k := range OfficialKinds {
		cols = append(cols, Column{k[0] + "_count", k[1] + "宗数", k[2] + ": parcels", KindInt})
		cols = append(cols, areaCols(k[0]+"_measured", k[1]+"（测量）", k[2]+" (measured)")...)
		cols = append(cols, areaCols(k[0]+"_official", k[1]+"（登记）", k[2]+" (official)")...)
		cols = append(cols, Column{k[0] + "_difference", k[1] + "差异率", k[2] + ": difference", KindPercent})
	}
	t := Table{Key: "area_reconcile", TitleZh: "测量面积与登记面积核对", TitleEn: "Measured and official areas", Columns: withUnits(cols)}
	for i := range units {
		row := unitCells(&units[i])
		for _, o := range sums[i].Official {
			row = append(row, o.N)
			row = append(row, areaCells(o.MeasuredM2)...)
			row = append(row, areaCells(o.OfficialM2)...)
			var diff any
			if o.OfficialM2 > 0 {
				diff = roundTo((o.MeasuredM2-o.OfficialM2)/o.OfficialM2, 4)
			}
			row = append(row, diff)
		}
		t.Rows = append(t.Rows, row)
	}
	t.Rows = append(t.Rows, noteRow(len(t.Columns)))
	return t
}

// ClassFacts count the parcels of one district, park and land-use class
// key: a first-level class ("10") or an industrial class ("100101", or
// "1001" for parcels coded only to the second level).
type ClassFacts struct {
	District, Park, Class string
	All                   Measured
	SuppliedInYear        Measured
}

// ClassName names a land-use class.
type ClassName struct {
	NameZh, NameEn string
}

// PlanFigures are one quota kind's accounts of the year (from the store's
// Plan, net of reversals).
type PlanFigures struct {
	Kind     quota.Kind
	NameZh   string
	NameEn   string
	Accounts []quota.Account
}

// ReportInput is everything the yearly report is built from.
type ReportInput struct {
	Year       int
	Start, End time.Time // as-of days: the day before the year, and the year's last day (or today)
	Rules      Rules
	Districts  []DistrictInfo
	Parks      []ParkInfo
	Groups     []GroupFacts
	Classes    []ClassFacts
	// The same by current use (现状地类) instead of planned use.
	CurrentClasses []ClassFacts
	ClassNames     map[string]ClassName
	Plans          []PlanFigures
	// The city's affordable-housing land target for the year (nil: none set).
	AffordableTarget *AffordableTarget
}

// AffordableTarget is the city-level 保障性住房 land target of a year.
type AffordableTarget struct {
	Year     int     `json:"year"`
	City     string  `json:"city_adcode"`
	TargetM2 float64 `json:"target_m2"`
	Document string  `json:"document"`
}

// affordableTable counts the land serving affordable housing wherever it
// lies; the all-districts row sets the city's supply against its target
// (the target is pooled city-wide, 保障房全市统筹).
func affordableTable(units []Unit, sums []GroupFacts, target *AffordableTarget) Table {
	t := Table{Key: "affordable_housing", TitleZh: "保障性住房用地（全市统筹）", TitleEn: "Affordable-housing land (pooled city-wide)",
		Columns: withUnits(countAreaCols("affordable_supplied", "年内供应", "Supplied in the year"),
			countAreaCols("affordable_all", "保障性住房用地合计", "All affordable-housing land"),
			areaCols("city_target", "全市年度目标", "City target for the year"),
			[]Column{{"target_rate", "目标完成率", "Share of the target", KindPercent}})}
	for i := range units {
		u := &units[i]
		row := unitCells(u)
		row = append(row, countAreaCells(sums[i].AffordableSupplied)...)
		row = append(row, countAreaCells(sums[i].Affordable)...)
		if u.Section == SectionDistrict && u.Level == LevelTotal && target != nil {
			row = append(row, areaCells(target.TargetM2)...)
			row = append(row, pct(sums[i].AffordableSupplied.M2, target.TargetM2))
		} else {
			row = append(row, nil, nil, nil)
		}
		t.Rows = append(t.Rows, row)
	}
	t.Rows = append(t.Rows, noteRow(len(t.Columns)))
	return t
}

// sum adds up the groups a unit takes.
func (u *Unit) sum(groups []GroupFacts) GroupFacts {
	var t GroupFacts
	for i := range groups {
		if u.takes(groups[i].District, groups[i].Park) {
			t.add(&groups[i])
		}
	}
	return t
}

// Report is the yearly statistics (统计核算): one table per subject.
type Report struct {
	Year        int       `json:"year"`
	From        string    `json:"from"`  // first day of the year
	AsOf        string    `json:"as_of"` // stock figures are as of this day
	GeneratedAt time.Time `json:"generated_at"`
	Rules       Rules     `json:"rules"`
	Notes       []Verdict `json:"notes"`
	Tables      []Table   `json:"tables"`
}

// Column kinds decide how a value is written (CSV text, xlsx cell format).
const (
	KindText    = "text"
	KindInt     = "int"
	KindNumber  = "number"  // 2 decimals
	KindPercent = "percent" // a ratio 0..1 shown as a percentage
	KindBool    = "bool"    // 是 / 否
)

// Column is one column of a table.
type Column struct {
	Key  string `json:"key"`
	Zh   string `json:"zh"`
	En   string `json:"en"`
	Kind string `json:"kind"`
}

// Table is one table of the report. Each row holds one value per column:
// string, int64, float64, bool or nil (empty).
type Table struct {
	Key     string   `json:"key"`
	TitleZh string   `json:"title_zh"`
	TitleEn string   `json:"title_en"`
	Columns []Column `json:"columns"`
	Rows    [][]any  `json:"-"`
}

// MarshalJSON writes the rows as objects keyed by column, in column order.
func (t Table) MarshalJSON() ([]byte, error) {
	type plain Table
	head, err := json.Marshal(plain(t))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Write(head[:len(head)-1])
	b.WriteString(`,"rows":[`)
	for i, r := range t.Rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for j, c := range t.Columns {
			if j > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(c.Key)
			v, err := json.Marshal(r[j])
			if err != nil {
				return nil, err
			}
			b.Write(k)
			b.WriteByte(':')
			b.Write(v)
		}
		b.WriteByte('}')
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

var unitColumns = []Column{
	{"section", "统计口径", "View", KindText},
	{"level", "层级", "Level", KindText},
	{"code", "代码", "Code", KindText},
	{"name", "名称", "Name", KindText},
	{"host_district", "所在区", "Host district", KindText},
	{"double_counted", "重复计入", "Counted twice", KindBool},
	{"note", "备注", "Note", KindText},
}

var sectionNames = map[string]string{SectionDistrict: "按行政区", SectionHighTechZone: "高新区口径"}
var levelNames = map[string]string{LevelUnit: "单位", LevelOfWhich: "其中", LevelTotal: "合计", LevelNote: "注"}

// Cell is the value in column col of the row of table that stands in
// section for the unit code (and, when class is not empty, for that land
// class); the closing note is not such a row. ok is false when there is none.
func (r Report) Cell(table, section, code, col, class string) (v any, ok bool) {
	for _, tb := range r.Tables {
		if tb.Key != table {
			continue
		}
		idx := map[string]int{}
		for i, c := range tb.Columns {
			idx[c.Key] = i
		}
		for _, row := range tb.Rows {
			if row[0] == sectionNames[section] && row[2] == code && row[1] != levelNames[LevelNote] && (class == "" || row[idx["class"]] == class) {
				return row[idx[col]], true
			}
		}
	}
	return nil, false
}

func unitCells(u *Unit) []any {
	return []any{sectionNames[u.Section], levelNames[u.Level], u.Code, u.NameZh, u.HostDistrict, u.DoubleCounted, u.NoteZh}
}

// noteRow is the explanation row closing every table.
func noteRow(cols int) []any {
	r := make([]any, cols)
	r[0], r[1], r[3] = sectionNames[SectionHighTechZone], levelNames[LevelNote], DoubleCountNote.Zh
	return r
}

// area columns: hm² (2 decimals) and 亩 (2 decimals).
func areaCols(key, zh, en string) []Column {
	return []Column{{key + "_hm2", zh + "（公顷）", en + " (hm²)", KindNumber}, {key + "_mu", zh + "（亩）", en + " (mu)", KindNumber}}
}

func countAreaCols(key, zh, en string) []Column {
	return append([]Column{{key + "_count", zh + "（宗）", en + " (parcels)", KindInt}}, areaCols(key, zh, en)...)
}

func hm2(m2 float64) float64 { return amount.FromM2(m2).Rounded(amount.Hectare) }
func mu(m2 float64) float64  { return amount.FromM2(m2).Rounded(amount.Mu) }

func areaCells(m2 float64) []any      { return []any{hm2(m2), mu(m2)} }
func countAreaCells(a Measured) []any { return []any{a.N, hm2(a.M2), mu(a.M2)} }

func pct(a, b float64) any {
	if r := ratio(a, b); r != nil {
		return *r
	}
	return nil
}

// BuildReport lays the facts out as the report's tables.
func BuildReport(in ReportInput, now time.Time) Report {
	units := BuildUnits(in.Districts, in.Parks)
	rep := Report{Year: in.Year, From: in.Start.AddDate(0, 0, 1).Format(time.DateOnly), AsOf: in.End.Format(time.DateOnly),
		GeneratedAt: now, Rules: in.Rules, Notes: []Verdict{DoubleCountNote,
			{Zh: "面积按 CGCS2000 / 3 度带高斯-克吕格投影（EPSG:4549）计算；1 公顷 = 15 亩。", En: "Areas are measured in EPSG:4549 (CGCS2000 3-degree Gauss-Krüger CM 120E); 1 hm² = 15 mu."},
			{Zh: "批而未供、闲置按截至日的日期推算（闲置依据国土资源部令第53号）；消化率、处置率 = 年初存量中年内供地（或不再闲置）的面积 ÷ 年初存量面积。",
				En: "Approved but not supplied (批而未供) and idle land (闲置) are derived from the dates as of the day (idle land by Ministry Order No. 53); disposal rate = area of the start-of-year stock supplied (or no longer idle) by the end ÷ start-of-year stock."}}}
	sums := make([]GroupFacts, len(units))
	for i := range units {
		sums[i] = units[i].sum(in.Groups)
	}
	rep.Tables = append(rep.Tables, quotaTable(units, in.Plans), supplyTable(units, sums), stockTable(units, sums, in.Rules),
		lowTable(units, sums), landUseTable(units, in.Classes, in.ClassNames),
		currentUseTable(units, in.CurrentClasses, in.ClassNames), affordableTable(units, sums, in.AffordableTarget), reconcileTable(units, sums))
	return rep
}

func withUnits(cols ...[]Column) []Column {
	out := append([]Column{}, unitColumns...)
	for _, c := range cols {
		out = append(out, c...)
	}
	return out
}

func quotaTable(units []Unit, plans []PlanFigures) Table {
	t := Table{Key: "quota", TitleZh: "建设用地计划指标", TitleEn: "Construction-land quota",
		Columns: withUnits([]Column{{"kind", "指标类型", "Quota kind", KindText}},
			areaCols("issued", "下达", "Issued"), areaCols("allocated", "分配到项目", "Allocated to projects"),
			areaCols("consumed", "核销", "Consumed"), areaCols("withdrawn", "收回/结转/作废", "Withdrawn, carried over or lapsed"),
			areaCols("remaining", "剩余", "Remaining"))}
	for i := range units {
		u := &units[i]
		for _, p := range plans {
			// The same figures the dashboard shows (quota.Subtree).
			var f quota.Subtree
			for _, root := range u.accounts {
				g := quota.SubtreeOf(p.Accounts, root)
				f.IssuedM2 += g.IssuedM2
				f.AllocatedM2 += g.AllocatedM2
				f.ConsumedM2 += g.ConsumedM2
				f.WithdrawnM2 += g.WithdrawnM2
				f.RemainingM2 += g.RemainingM2
			}
			row := append(unitCells(u), p.NameZh)
			for _, v := range []amount.Area{f.IssuedM2, f.AllocatedM2, f.ConsumedM2, f.WithdrawnM2, f.RemainingM2} {
				row = append(row, areaCells(v.M2())...)
			}
			t.Rows = append(t.Rows, row)
		}
	}
	t.Rows = append(t.Rows, noteRow(len(t.Columns)))
	return t
}

func supplyTable(units []Unit, sums []GroupFacts) Table {
	t := Table{Key: "supply", TitleZh: "年度供地", TitleEn: "Land supplied in the year",
		Columns: withUnits(countAreaCols("sale", "出让", "By sale"), countAreaCols("allocation", "划拨", "By allocation"),
			countAreaCols("other", "方式未登记", "Method not recorded"), countAreaCols("total", "供地合计", "Total supplied"))}
	for i := range units {
		g := sums[i]
		total := g.SuppliedSale
		total.add(g.SuppliedAllocation)
		total.add(g.SuppliedOther)
		row := unitCells(&units[i])
		for _, a := range []Measured{g.SuppliedSale, g.SuppliedAllocation, g.SuppliedOther, total} {
			row = append(row, countAreaCells(a)...)
		}
		t.Rows = append(t.Rows, row)
	}
	t.Rows = append(t.Rows, noteRow(len(t.Columns)))
	return t
}

func stockTable(units []Unit, sums []GroupFacts, r Rules) Table {
	t := Table{Key: "stock", TitleZh: "批而未供与闲置土地", TitleEn: "Approved-unsupplied and idle land",
		Columns: withUnits(
			areaCols("unsupplied_start", "批而未供年初", "Approved-unsupplied at the start"),
			areaCols("unsupplied_disposed", "批而未供年内消化", "Of which supplied in the year"),
			[]Column{{"unsupplied_disposal_rate", "批而未供消化率", "Approved-unsupplied disposal rate", KindPercent}},
			countAreaCols("unsupplied_end", "批而未供年末", "Approved-unsupplied at the end"),
			areaCols("idle_start", "闲置年初", "Idle at the start"),
			areaCols("idle_disposed", "闲置年内处置", "Of which disposed in the year"),
			[]Column{{"idle_disposal_rate", "闲置处置率", "Idle disposal rate", KindPercent}},
			countAreaCols("idle_end", "闲置年末（疑似，按规则计算）", "Idle at the end (suspected, computed)"),
			countAreaCols("idle_determined", "已认定闲置（认定书）", "Determined idle (determination recorded)"),
			countAreaCols("idle_enterprise", "其中企业原因闲置", "Of which the enterprise's cause"),
			countAreaCols("idle_exempt", "其中政府原因闲置", "Of which the government's cause (no fee or recovery)"),
			countAreaCols("recovery_due", "闲置满两年应收回", "Idle two years: recovery due"),
			[]Column{{"fee_wan", "应缴闲置费（万元，已知地价部分）", "Idle-land fee due (10k yuan, where the land price is known)", KindNumber},
				{"fee_price_unknown", "地价未登记的闲置宗数", "Idle parcels without a land price", KindInt}},
			countAreaCols("facts_missing", "事实缺失待补录", "Facts missing (to be recorded)"),
			areaCols("approved_5y", "近五年批准", "Approved in the five years"),
			areaCols("supplied_5y", "其中已供", "Of which supplied"),
			[]Column{{"supply_rate_5y", "五年供地率", "Five-year supply rate", KindPercent},
				{"below_floor", "低于60%", "Below the 60% floor", KindBool}})}
	for i := range units {
		g := sums[i]
		row := unitCells(&units[i])
		row = append(row, areaCells(g.UnsuppliedStart.M2)...)
		row = append(row, areaCells(g.UnsuppliedDisposed.M2)...)
		row = append(row, pct(g.UnsuppliedDisposed.M2, g.UnsuppliedStart.M2))
		row = append(row, countAreaCells(g.UnsuppliedEnd)...)
		row = append(row, areaCells(g.IdleStart.M2)...)
		row = append(row, areaCells(g.IdleDisposed.M2)...)
		row = append(row, pct(g.IdleDisposed.M2, g.IdleStart.M2))
		row = append(row, countAreaCells(g.IdleEnd)...)
		row = append(row, countAreaCells(g.IdleDetermined)...)
		row = append(row, countAreaCells(g.IdleEnd.less(g.IdleExempt))...)
		row = append(row, countAreaCells(g.IdleExempt)...)
		row = append(row, countAreaCells(g.RecoveryDue)...)
		row = append(row, roundTo(g.FeeWan, 2), g.FeePriceUnknown)
		row = append(row, countAreaCells(g.FactsMissing)...)
		row = append(row, areaCells(g.Approved5y.M2)...)
		row = append(row, areaCells(g.Supplied5y.M2)...)
		rate := ratio(g.Supplied5y.M2, g.Approved5y.M2)
		if rate == nil {
			row = append(row, nil, false)
		} else {
			row = append(row, *rate, *rate < r.SupplyRateFloor)
		}
		t.Rows = append(t.Rows, row)
	}
	t.Rows = append(t.Rows, noteRow(len(t.Columns)))
	return t
}

func lowTable(units []Unit, sums []GroupFacts) Table {
	t := Table{Key: "low_efficiency", TitleZh: "低效用地（五类）", TitleEn: "Low-efficiency land (five kinds)", Columns: withUnits()}
	for _, k := range LowKinds {
		t.Columns = append(t.Columns, countAreaCols(string(k.Code), k.NameZh, k.NameEn)...)
	}
	for i := range units {
		row := unitCells(&units[i])
		for _, a := range sums[i].Low {
			row = append(row, countAreaCells(a)...)
		}
		t.Rows = append(t.Rows, row)
	}
	t.Rows = append(t.Rows, noteRow(len(t.Columns)))
	return t
}

func landUseTable(units []Unit, classes []ClassFacts, names map[string]ClassName) Table {
	return classTable(Table{Key: "land_use", TitleZh: "用地分类统计（规划用途）", TitleEn: "Parcels by land-use class (planned use)"}, units, classes, names)
}

// currentUseTable counts the parcels by their current use (现状地类); ""
// is a current use not yet known.
func currentUseTable(units []Unit, classes []ClassFacts, names map[string]ClassName) Table {
	return classTable(Table{Key: "current_use", TitleZh: "现状地类统计", TitleEn: "Parcels by current use"}, units, classes, names)
}

func classTable(t Table, units []Unit, classes []ClassFacts, names map[string]ClassName) Table {
	t.Columns = withUnits([]Column{{"class", "用地分类代码", "Class code", KindText}, {"class_name", "用地分类名称", "Class name", KindText},
		{"class_name_en", "用地分类名称（英文）", "Class name (English)", KindText}},
		countAreaCols("all", "现状地块", "All parcels"), countAreaCols("supplied", "年内供地", "Supplied in the year"))
	var keys []string
	seen := map[string]bool{}
	for _, c := range classes {
		if !seen[c.Class] {
			seen[c.Class] = true
			keys = append(keys, c.Class)
		}
	}
	sortClassKeys(keys)
	for i := range units {
		u := &units[i]
		for _, k := range keys {
			var all, sup Measured
			for _, c := range classes {
				if c.Class == k && u.takes(c.District, c.Park) {
					all.add(c.All)
					sup.add(c.SuppliedInYear)
				}
			}
			name, nameEn := names[k].NameZh, names[k].NameEn
			if k == "" {
				name, nameEn = "未调查", "not surveyed"
			}
			row := append(unitCells(u), k, name, nameEn)
			row = append(row, countAreaCells(all)...)
			row = append(row, countAreaCells(sup)...)
			t.Rows = append(t.Rows, row)
		}
	}
	t.Rows = append(t.Rows, noteRow(len(t.Columns)))
	return t
}

// sortClassKeys orders first-level classes by code with the 1001xx
// industrial classes right after 10.
func sortClassKeys(keys []string) {
	key := func(s string) string {
		if len(s) > 2 {
			return s[:2] + "~" + s // after "10", before "11"
		}
		return s
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && key(keys[j]) < key(keys[j-1]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}

// StockSummary is GET /api/stock/summary: the stock land per district and
// park as of one day.
type StockSummary struct {
	AsOf     string        `json:"as_of"`
	Rules    Rules         `json:"rules"`
	Window   [2]string     `json:"supply_rate_window"` // approvals from, to (inclusive)
	LowKinds []LowKindInfo `json:"low_kinds"`
	Notes    []Verdict     `json:"notes"`
	Units    []StockUnit   `json:"units"`
}

// CountArea is a number of parcels with their area.
type CountArea struct {
	Count int64 `json:"count"`
	Area
}

func countArea(a Measured) CountArea { return CountArea{Count: a.N, Area: AreaOf(a.M2)} }

// StockUnit is one district, park or total of the summary.
type StockUnit struct {
	Unit
	Parcels           CountArea    `json:"parcels"`
	Unsupplied        CountArea    `json:"unsupplied"`          // 批而未供
	UnsuppliedByYears []YearBucket `json:"unsupplied_by_years"` // by full years since approval
	Idle              CountArea    `json:"idle"`                // 闲置, either cause
	IdleEnterprise    CountArea    `json:"idle_enterprise"`     // 企业原因: fee and recovery due
	IdleExempt        CountArea    `json:"idle_exempt"`         // 政府原因: disposed of otherwise
	IdleDetermined    CountArea    `json:"idle_determined"`     // 认定书 recorded
	FactsMissing      CountArea    `json:"facts_missing"`       // the rules lack facts
	RecoveryDue       CountArea    `json:"recovery_due"`
	FeeWan            float64      `json:"fee_wan"`
	FeePriceUnknown   int64        `json:"fee_price_unknown"`
	LowEfficiency     []LowAmount  `json:"low_efficiency"`
	SupplyRate        SupplyRate   `json:"supply_rate"`
}

// YearBucket is the 批而未供 land approved Years full years ago (or more).
type YearBucket struct {
	Years  int  `json:"years"`
	OrMore bool `json:"or_more,omitempty"`
	CountArea
}

// LowAmount is one low-efficiency kind's land.
type LowAmount struct {
	Kind   LowKind `json:"kind"`
	NameZh string  `json:"name_zh"`
	CountArea
}

// SupplyRate is supplied ÷ approved over the window (增存挂钩).
type SupplyRate struct {
	Approved   Area     `json:"approved"`
	Supplied   Area     `json:"supplied"`
	Rate       *float64 `json:"rate"` // nil when nothing was approved
	Floor      float64  `json:"floor"`
	BelowFloor bool     `json:"below_floor"`
}

// BuildStockSummary sums the groups into the summary's units.
func BuildStockSummary(asof time.Time, r Rules, districts []DistrictInfo, parks []ParkInfo, groups []GroupFacts) StockSummary {
	s := StockSummary{AsOf: asof.Format(time.DateOnly), Rules: r, LowKinds: LowKinds, Notes: []Verdict{DoubleCountNote},
		Window: [2]string{AddYears(asof, -r.SupplyRateYears).AddDate(0, 0, 1).Format(time.DateOnly), asof.Format(time.DateOnly)},
		Units:  []StockUnit{}}
	for _, u := range BuildUnits(districts, parks) {
		g := u.sum(groups)
		su := StockUnit{Unit: u, Parcels: countArea(g.All), Unsupplied: countArea(g.UnsuppliedEnd), Idle: countArea(g.IdleEnd),
			IdleEnterprise: countArea(g.IdleEnd.less(g.IdleExempt)),
			IdleExempt:     countArea(g.IdleExempt), IdleDetermined: countArea(g.IdleDetermined), FactsMissing: countArea(g.FactsMissing),
			RecoveryDue: countArea(g.RecoveryDue), FeeWan: roundTo(g.FeeWan, 2),
			FeePriceUnknown: g.FeePriceUnknown}
		for y, a := range g.UnsuppliedByYears {
			su.UnsuppliedByYears = append(su.UnsuppliedByYears, YearBucket{Years: y, OrMore: y == len(g.UnsuppliedByYears)-1, CountArea: countArea(a)})
		}
		for i, k := range LowKinds {
			su.LowEfficiency = append(su.LowEfficiency, LowAmount{Kind: k.Code, NameZh: k.NameZh, CountArea: countArea(g.Low[i])})
		}
		su.SupplyRate = SupplyRate{Approved: AreaOf(g.Approved5y.M2), Supplied: AreaOf(g.Supplied5y.M2),
			Rate: ratio(g.Supplied5y.M2, g.Approved5y.M2), Floor: r.SupplyRateFloor}
		su.SupplyRate.BelowFloor = su.SupplyRate.Rate != nil && *su.SupplyRate.Rate < r.SupplyRateFloor
		s.Units = append(s.Units, su)
	}
	return s
}
