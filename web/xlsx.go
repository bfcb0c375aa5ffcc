package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/xuri/excelize/v2"
)

// sheet is one table of a download: the report's table shape.
type sheet = planner.Table

// workbook writes tables as sheets, the one xlsx writer of the server:
// Chinese headers, numbers as numbers (2 decimals; ratios as percentages;
// counts as integers), the header frozen.
type workbook struct {
	f             *excelize.File
	title, header int
	kinds         map[string]int // column kind -> number style
}

func xlsxError(err error) error {
	if err != nil {
		return &planning.Error{Code: planning.ErrInternal, Message: "writing the spreadsheet failed", Err: err}
	}
	return nil
}

func newWorkbook() (*workbook, error) {
	x := &workbook{f: excelize.NewFile(), kinds: map[string]int{}}
	var err error
	if x.title, err = x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}); err != nil {
		return nil, xlsxError(err)
	}
	if x.header, err = x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}); err != nil {
		return nil, xlsxError(err)
	}
	for kind, fmtID := range map[string]int{planner.KindNumber: 2, planner.KindPercent: 10, planner.KindInt: 1} {
		id, err := x.f.NewStyle(&excelize.Style{NumFmt: fmtID})
		if err != nil {
			return nil, xlsxError(err)
		}
		x.kinds[kind] = id
	}
	return x, nil
}

// sheet writes table t as the i-th sheet: the title lines (if any) in
// bold, a blank row, the header and the rows.
func (x *workbook) sheet(i int, t sheet, title []string) error {
	name := t.TitleZh
	if i == 0 {
		if err := x.f.SetSheetName("Sheet1", name); err != nil {
			return xlsxError(err)
		}
	} else if _, err := x.f.NewSheet(name); err != nil {
		return xlsxError(err)
	}
	rows, headRow := sheetRows(t, title)
	for k, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, k+1)
		if err := x.f.SetSheetRow(name, cell, &row); err != nil {
			return xlsxError(err)
		}
	}
	if len(title) > 0 {
		if err := x.f.SetCellStyle(name, "A1", "A1", x.title); err != nil {
			return xlsxError(err)
		}
	}
	first, _ := excelize.CoordinatesToCellName(1, headRow)
	last, _ := excelize.CoordinatesToCellName(max(1, len(t.Columns)), headRow)
	if err := x.f.SetCellStyle(name, first, last, x.header); err != nil {
		return xlsxError(err)
	}
	if err := x.columns(name, t, headRow); err != nil {
		return err
	}
	top, _ := excelize.CoordinatesToCellName(1, headRow+1)
	return xlsxError(x.f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: headRow, TopLeftCell: top, ActivePane: "bottomLeft"}))
}

// sheetRows lays out a sheet's cells: the title lines and a blank row (if
// any title), the header, the rows (flags as 是/否); headRow is the
// header's row number (from 1).
func sheetRows(t sheet, title []string) (rows [][]any, headRow int) {
	for _, l := range title {
		rows = append(rows, []any{l})
	}
	if len(title) > 0 {
		rows = append(rows, []any{})
	}
	headRow = len(rows) + 1
	head := make([]any, len(t.Columns))
	for j, c := range t.Columns {
		head[j] = c.Zh
	}
	rows = append(rows, head)
	for _, r := range t.Rows {
		cells := make([]any, len(r))
		for j, v := range r {
			if b, ok := v.(bool); ok {
				cells[j] = cellText(b)
			} else {
				cells[j] = v
			}
		}
		rows = append(rows, cells)
	}
	return rows, headRow
}

// columns sets each column's width (wider for text and notes) and the
// number format of its kind on the rows under the header.
func (x *workbook) columns(name string, t sheet, headRow int) error {
	for j, c := range t.Columns {
		colName, _ := excelize.ColumnNumberToName(j + 1)
		width := 14.0
		if c.Kind == planner.KindText {
			width = 18
		}
		if c.Key == "note" || c.Key == "name" || c.Key == "reason" || c.Key == "why" {
			width = 30
		}
		if err := x.f.SetColWidth(name, colName, colName, width); err != nil {
			return xlsxError(err)
		}
		if id, ok := x.kinds[c.Kind]; ok && len(t.Rows) > 0 {
			if err := x.f.SetCellStyle(name, colName+strconv.Itoa(headRow+1), colName+strconv.Itoa(headRow+len(t.Rows)), id); err != nil {
				return xlsxError(err)
			}
		}
	}
	return nil
}

// notes adds a sheet of text lines.
func (x *workbook) notes(name string, lines []string) error {
	if _, err := x.f.NewSheet(name); err != nil {
		return xlsxError(err)
	}
	for i, l := range lines {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		row := []any{l}
		if err := x.f.SetSheetRow(name, cell, &row); err != nil {
			return xlsxError(err)
		}
	}
	return xlsxError(x.f.SetColWidth(name, "A", "A", 120))
}

func (x *workbook) bytes() ([]byte, error) {
	x.f.SetActiveSheet(0)
	buf, err := x.f.WriteToBuffer()
	if err != nil {
		return nil, xlsxError(err)
	}
	return buf.Bytes(), nil
}

// sheetsXLSX writes tables with a title row and the as-of time above each.
func sheetsXLSX(title string, asOf time.Time, tables []sheet) ([]byte, error) {
	x, err := newWorkbook()
	if err != nil {
		return nil, err
	}
	defer x.f.Close()
	lines := []string{title, "数据截至 / as of: " + asOf.In(chinaTime).Format("2006-01-02 15:04:05") + " (UTC+8)"}
	for i, t := range tables {
		if err := x.sheet(i, t, lines); err != nil {
			return nil, err
		}
	}
	return x.bytes()
}

func col(key, zh, en, kind string) planner.Column {
	return planner.Column{Key: key, Zh: zh, En: en, Kind: kind}
}

func ha(a amount.Area) float64   { return a.Rounded(amount.Hectare) }
func muOf(a amount.Area) float64 { return a.Rounded(amount.Mu) }

// accountsTable is the account tree with every figure, in hm² and 亩.
func accountsTable(accounts []quota.Account) sheet {
	t := sheet{Key: "accounts", TitleZh: "指标账户", TitleEn: "Quota accounts", Columns: []planner.Column{
		col("code", "账户", "Account", planner.KindText), col("name", "名称", "Name", planner.KindText),
		col("kind", "层级", "Level", planner.KindText),
		col("received", "收入（公顷）", "Received (hm²)", planner.KindNumber),
		col("passed_down", "下拨（公顷）", "Passed down (hm²)", planner.KindNumber),
		col("returned_up", "退回（公顷）", "Returned up (hm²)", planner.KindNumber),
		col("consumed", "核销（公顷）", "Consumed (hm²)", planner.KindNumber),
		col("withdrawn", "收回/结转/作废（公顷）", "Withdrawn, carried, lapsed (hm²)", planner.KindNumber),
		col("held", "本账户结余（公顷）", "Held (hm²)", planner.KindNumber),
		col("held_mu", "本账户结余（亩）", "Held (mu)", planner.KindNumber),
		col("subtree_issued", "含下级：下达（公顷）", "With children: issued (hm²)", planner.KindNumber),
		col("subtree_consumed", "含下级：核销（公顷）", "With children: consumed (hm²)", planner.KindNumber),
		col("subtree_remaining", "含下级：剩余（公顷）", "With children: remaining (hm²)", planner.KindNumber),
		col("subtree_remaining_mu", "含下级：剩余（亩）", "With children: remaining (mu)", planner.KindNumber)}}
	kinds := map[quota.AccountKind]string{quota.AccountCity: "市", quota.AccountReserve: "市级预留", quota.AccountDistrict: "区县",
		quota.AccountPark: "园区专项", quota.AccountProject: "项目"}
	for _, a := range accounts {
		t.Rows = append(t.Rows, []any{a.Code, a.NameZh, kinds[a.Kind], ha(a.ReceivedM2), ha(a.PassedDownM2), ha(a.ReturnedUpM2),
			ha(a.ConsumedM2), ha(a.WithdrawnM2), ha(a.HeldM2), muOf(a.HeldM2), ha(a.Subtree.IssuedM2), ha(a.Subtree.ConsumedM2),
			ha(a.Subtree.RemainingM2), muOf(a.Subtree.RemainingM2)})
	}
	return t
}

var entryKindsZh = map[quota.EntryKind]string{quota.EntryIssue: "下达", quota.EntryReserve: "预留", quota.EntryAllocate: "分配",
	quota.EntryRelease: "退回", quota.EntryConsume: "核销", quota.EntryReward: "奖励", quota.EntryWithdraw: "收回",
	quota.EntryCarryOver: "结转", quota.EntryCarryIn: "结转收入", quota.EntryLapse: "作废", quota.EntryTransfer: "调剂",
	quota.EntryReversal: "冲正"}

// ledgerTable lists ledger entries.
func ledgerTable(entries []quota.Entry) sheet {
	t := sheet{Key: "ledger", TitleZh: "指标台账", TitleEn: "Quota ledger", Columns: []planner.Column{
		col("id", "编号", "Entry", planner.KindInt), col("time", "时间", "Time", planner.KindText),
		col("kind", "类型", "Kind", planner.KindText), col("from", "转出账户", "From", planner.KindText),
		col("to", "转入账户", "To", planner.KindText), col("amount_m2", "面积（平方米）", "Amount (m²)", planner.KindNumber),
		col("amount_hm2", "面积（公顷）", "Amount (hm²)", planner.KindNumber), col("amount_mu", "面积（亩）", "Amount (mu)", planner.KindNumber),
		col("reason", "事由", "Reason", planner.KindText), col("document", "文号", "Document", planner.KindText),
		col("by", "经办人", "By", planner.KindText), col("reverses", "冲正条目", "Reverses", planner.KindText),
		col("parcel", "地块", "Parcel", planner.KindText)}}
	for _, e := range entries {
		doc := ""
		if e.Document != nil {
			doc = e.Document.Number
		}
		ref := func(id int64) string {
			if id == 0 {
				return ""
			}
			return strconv.FormatInt(id, 10)
		}
		t.Rows = append(t.Rows, []any{e.ID, e.CreatedAt.In(chinaTime).Format("2006-01-02 15:04"), entryKindsZh[e.Kind], e.From, e.To,
			e.AmountM2.M2(), e.AmountHa, e.AmountMu, e.Reason, doc, e.CreatedBy, ref(e.Reverses), ref(e.ParcelID)})
	}
	return t
}

var outcomesZh = map[allocation.Outcome]string{allocation.OutcomeGranted: "全额安排", allocation.OutcomePartial: "部分安排",
	allocation.OutcomeRefused: "不予安排", allocation.OutcomeWaiting: "排队待安排"}

// scenarioTables are a scenario's accounts and decisions.
func scenarioTables(sc quota.Scenario) []sheet {
	acc := sheet{Key: "accounts", TitleZh: "账户汇总", TitleEn: "Accounts", Columns: []planner.Column{
		col("account", "账户", "Account", planner.KindText), col("name", "名称", "Name", planner.KindText),
		col("need", "需求（公顷）", "Need (hm²)", planner.KindNumber), col("pool", "额度（公顷）", "Pool (hm²)", planner.KindNumber),
		col("granted", "安排（公顷）", "Granted (hm²)", planner.KindNumber), col("granted_mu", "安排（亩）", "Granted (mu)", planner.KindNumber),
		col("left", "未用（公顷）", "Left (hm²)", planner.KindNumber)}}
	for _, a := range sc.Result.Accounts {
		acc.Rows = append(acc.Rows, []any{a.AccountID, a.Name, a.Need.Hectares(), a.Pool.Hectares(), a.Granted.Hectares(), a.Granted.Mu(), a.Left.Hectares()})
	}
	dec := sheet{Key: "decisions", TitleZh: "项目安排", TitleEn: "Decisions", Columns: []planner.Column{
		col("project", "项目编号", "Project", planner.KindInt), col("name", "项目名称", "Name", planner.KindText),
		col("account", "账户", "Account", planner.KindText), col("score", "得分", "Score", planner.KindNumber),
		col("need", "需求（公顷）", "Need (hm²)", planner.KindNumber), col("granted", "安排（公顷）", "Granted (hm²)", planner.KindNumber),
		col("granted_mu", "安排（亩）", "Granted (mu)", planner.KindNumber), col("outcome", "结果", "Outcome", planner.KindText),
		col("why", "说明", "Explanation", planner.KindText)}}
	for _, d := range sc.Result.Decisions {
		dec.Rows = append(dec.Rows, []any{d.ProjectID, d.Name, d.AccountID, d.Score, d.Need.Hectares(), d.Granted.Hectares(),
			d.Granted.Mu(), outcomesZh[d.Outcome], d.ExplanationZh})
	}
	return []sheet{acc, dec}
}

// compareTable sets two scenarios side by side.
func compareTable(c quota.Comparison) sheet {
	t := sheet{Key: "compare", TitleZh: "方案比较", TitleEn: "Comparison", Columns: []planner.Column{
		col("level", "层级", "Level", planner.KindText), col("id", "编号", "ID", planner.KindText), col("name", "名称", "Name", planner.KindText),
		col("a", fmt.Sprintf("方案 %d（公顷）", c.ScenarioA), fmt.Sprintf("Scenario %d (hm²)", c.ScenarioA), planner.KindNumber),
		col("b", fmt.Sprintf("方案 %d（公顷）", c.ScenarioB), fmt.Sprintf("Scenario %d (hm²)", c.ScenarioB), planner.KindNumber),
		col("delta", "差额（公顷）", "Difference (hm²)", planner.KindNumber)}}
	add := func(level string, rows ...quota.CompareRow) {
		for _, r := range rows {
			t.Rows = append(t.Rows, []any{level, r.ID, r.Name, r.GrantedA.Hectares(), r.GrantedB.Hectares(), r.Delta.Hectares()})
		}
	}
	add("合计", c.Totals)
	add("区县", c.Districts...)
	add("园区", c.Parks...)
	add("项目", c.Projects...)
	return t
}

// wantsXLSX reads ?format=: json (the default) or xlsx; anything else is a
// 400 naming the parameter.
func wantsXLSX(r *http.Request) (bool, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "", "json":
		return false, nil
	case "xlsx":
		return true, nil
	default:
		return false, invalidParam("format", "unknown format %q (json or xlsx)", f)
	}
}

// jsonOrSheets answers v as JSON (200), or with xlsx (?format=xlsx, read
// by wantsXLSX) as the download that download writes.
func jsonOrSheets(w http.ResponseWriter, xlsx bool, v any, download func() error) error {
	if xlsx {
		return download()
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// sheetsDownload answers tables as an xlsx download; an error means
// nothing was written.
func sheetsDownload(w http.ResponseWriter, title, ascii string, tables []sheet) error {
	body, err := sheetsXLSX(title, time.Now(), tables)
	if err != nil {
		return err
	}
	sendFile(w, contentXLSX, ascii+".xlsx", title+".xlsx", body)
	return nil
}
