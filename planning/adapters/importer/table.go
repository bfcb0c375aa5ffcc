package importer

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Table is a small attribute table without geometry (parcel events, district
// evaluations): a header and its rows, all text.
type Table struct {
	Header []string
	Rows   [][]string
}

// maxTableBytes bounds a table file: these are lists typed by officials.
const maxTableBytes = 64 << 20

// ReadTable reads a CSV (UTF-8, with or without BOM; anything else is read
// as GB18030, the superset of GBK) or the first sheet of an .xlsx file.
// Blank rows are dropped; the header's names are trimmed and lowercased.
func ReadTable(path string) (Table, error) {
	var t Table
	info, err := os.Stat(path)
	if err != nil {
		return t, planning.Errorf(planning.ErrInvalid, "%s: %v", path, err)
	}
	if info.Size() > maxTableBytes {
		return t, planning.Errorf(planning.ErrInvalid, "%s: %d bytes, more than the %d a table may have", path, info.Size(), maxTableBytes)
	}
	var rows [][]string
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx":
		f, err := excelize.OpenFile(path)
		if err != nil {
			return t, planning.Errorf(planning.ErrInvalid, "%s: not a readable .xlsx file: %v", path, err)
		}
		defer f.Close()
		if rows, err = f.GetRows(f.GetSheetName(0)); err != nil {
			return t, planning.Errorf(planning.ErrInvalid, "%s: %v", path, err)
		}
	case ".csv", ".txt":
		b, err := os.ReadFile(path)
		if err != nil {
			return t, planning.Errorf(planning.ErrInvalid, "%s: %v", path, err)
		}
		b = bytes.TrimPrefix(b, []byte("\ufeff"))
		if !utf8.Valid(b) {
			if b, err = simplifiedchinese.GB18030.NewDecoder().Bytes(b); err != nil {
				return t, planning.Errorf(planning.ErrInvalid, "%s: text is neither UTF-8 nor GB18030", path)
			}
		}
		r := csv.NewReader(bytes.NewReader(b))
		r.FieldsPerRecord = -1
		if rows, err = r.ReadAll(); err != nil {
			return t, planning.Errorf(planning.ErrInvalid, "%s: %v", path, err)
		}
	default:
		return t, planning.Errorf(planning.ErrInvalid, "%s: give a .csv or .xlsx file", path)
	}
	for _, row := range rows {
		blank := true
		for i := range row {
			row[i] = strings.TrimSpace(row[i])
			blank = blank && row[i] == ""
		}
		if blank {
			continue
		}
		if t.Header == nil {
			for _, h := range row {
				t.Header = append(t.Header, strings.ToLower(h))
			}
			continue
		}
		t.Rows = append(t.Rows, row)
	}
	if t.Header == nil {
		return t, planning.Errorf(planning.ErrInvalid, "%s: the table is empty", path)
	}
	return t, nil
}

// Column finds the column named by any of names (lowercase); -1 if none.
func (t *Table) Column(names ...string) int {
	for i, h := range t.Header {
		for _, n := range names {
			if h == n {
				return i
			}
		}
	}
	return -1
}

// Cell is row r's value in column c ("" when the column or cell is absent).
func (t *Table) Cell(r, c int) string {
	if c < 0 || c >= len(t.Rows[r]) {
		return ""
	}
	return t.Rows[r][c]
}

// RowError names a table row (1 is the first row after the header, as an
// official counts lines under the titles) and column.
func RowError(path string, row int, column, format string, args ...any) error {
	return planning.Errorf(planning.ErrInvalid, "%s row %d, %s: %s", filepath.Base(path), row+1, column, planning.Textf(format, args...)).
		WithDetail("row", row+1).WithDetail("column", column)
}
