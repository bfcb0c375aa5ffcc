package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/planning/adapters/importer"
	"github.com/hangzhou-hitech/landquota/planning/planner"
)

// Report content types.
const (
	contentCSV  = "text/csv; charset=utf-8"
	contentXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// yearReport serves GET /api/reports/{year}: the year's statistics per
// district and park. ?format=json (default), csv (UTF-8 with a BOM, so
// Excel reads the Chinese) or xlsx (one sheet per table); ?table= one
// table only (quota, supply, stock, low_efficiency, land_use); ?asof= the
// day stock figures are taken (default the year's last day, or today
// during the year).
func (s *Server) yearReport(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	year, asof, format, err := reportParams(chi.URLParam(r, "year"), v)
	if err != nil {
		return err
	}
	rep, err := s.store.YearReport(r.Context(), year, asof, planner.DefaultRules())
	if err != nil {
		return err
	}
	name := fmt.Sprintf("landquota-report-%d", year)
	nameZh := fmt.Sprintf("用地统计-%d", year)
	if key := v.Get("table"); key != "" {
		if rep.Tables, err = oneTable(rep.Tables, key); err != nil {
			return err
		}
		name += "-" + rep.Tables[0].Key
		nameZh += "-" + rep.Tables[0].TitleZh
	}
	var body []byte
	switch format {
	case "csv":
		if body, err = reportCSV(rep); err == nil {
			sendFile(w, contentCSV, name+".csv", nameZh+".csv", body)
		}
	case "xlsx":
		if body, err = reportXLSX(rep); err == nil {
			sendFile(w, contentXLSX, name+".xlsx", nameZh+".xlsx", body)
		}
	default:
		writeJSON(w, http.StatusOK, rep)
	}
	return err
}

// reportParams reads a year report's year (2000..2100), its format (json,
// csv or xlsx; default json) and asof, a day of that year (default its last
// day, or today during the year).
func reportParams(y string, v url.Values) (year int, asof time.Time, format string, err error) {
	year, err = strconv.Atoi(y)
	if err != nil || year < 2000 || year > 2100 {
		return 0, asof, "", invalidParam("year", "%q is not a year between 2000 and 2100", y)
	}
	switch format = v.Get("format"); format {
	case "":
		format = "json"
	case "json", "csv", "xlsx":
	default:
		return 0, asof, "", invalidParam("format", "unknown format %q (json, csv or xlsx)", format)
	}
	first, last := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	def := last
	if t := today(); !t.Before(first) && t.Before(last) {
		def = t
	}
	if asof, err = parseDay(v, "asof", def); err != nil {
		return 0, asof, "", err
	}
	if asof.Before(first) || asof.After(last) {
		return 0, asof, "", invalidParam("asof", "%s is not in %d", asof.Format(time.DateOnly), year)
	}
	return year, asof, format, nil
}

// oneTable keeps the table named key, or says which tables there are.
func oneTable(tables []planner.Table, key string) ([]planner.Table, error) {
	var keys []string
	for _, t := range tables {
		if t.Key == key {
			return []planner.Table{t}, nil
		}
		keys = append(keys, t.Key)
	}
	return nil, invalidParam("table", "unknown table %q (one of %v)", key, keys)
}

// sendFile answers with a download: an ASCII filename for old clients and
// the Chinese one (RFC 6266 / 5987) for the rest.
func sendFile(w http.ResponseWriter, contentType, ascii, utf8Name string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(utf8Name)))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// cellText writes a value for CSV: numbers in plain decimal, 是/否 for
// flags, nothing for a missing value, text neutralised (importer.CSVText).
func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return importer.CSVText(x)
	case bool:
		if x {
			return "是"
		}
		return "否"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// reportCSV writes UTF-8 with a byte-order mark. One table is a plain
// table (header row, then rows); several are stacked, each under a title
// line and separated by an empty line, with the notes at the end.
func reportCSV(rep planner.Report) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true // what Excel writes
	many := len(rep.Tables) > 1
	for i, t := range rep.Tables {
		if many {
			if i > 0 {
				cw.Write([]string{})
			}
			cw.Write([]string{fmt.Sprintf("%s（%d年，截至%s）", t.TitleZh, rep.Year, rep.AsOf)})
		}
		head := make([]string, len(t.Columns))
		for j, c := range t.Columns {
			head[j] = c.Zh
		}
		cw.Write(head)
		for _, row := range t.Rows {
			rec := make([]string, len(row))
			for j, v := range row {
				rec[j] = cellText(v)
			}
			cw.Write(rec)
		}
	}
	if many {
		cw.Write([]string{})
		for _, n := range rep.Notes {
			cw.Write([]string{n.Zh})
		}
	}
	cw.Flush()
	return buf.Bytes(), cw.Error()
}

// reportXLSX writes one sheet per table with Chinese headers, numbers as
// numbers (2 decimals; ratios as percentages), and a sheet of notes.
func reportXLSX(rep planner.Report) ([]byte, error) {
	x, err := newWorkbook()
	if err != nil {
		return nil, err
	}
	defer x.f.Close()
	for i, t := range rep.Tables {
		if err := x.sheet(i, t, nil); err != nil {
			return nil, err
		}
	}
	lines := []string{fmt.Sprintf("年度：%d", rep.Year), "统计期：" + rep.From + " 至 " + rep.AsOf,
		"生成时间：" + rep.GeneratedAt.In(chinaTime).Format("2006-01-02 15:04:05"), ""}
	for _, n := range rep.Notes {
		lines = append(lines, n.Zh, n.En)
	}
	if err := x.notes("说明", lines); err != nil {
		return nil, err
	}
	return x.bytes()
}
