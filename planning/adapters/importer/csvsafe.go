package importer

import "strconv"

// CSVText neutralises a text cell for spreadsheets, as OWASP recommends
// against CSV injection: a cell starting with =, +, -, @, a tab or a
// carriage return is run as a formula by Excel, so it gets a leading single
// quote. A text that is a plain number ("-5", "+86") is left alone: it
// cannot call anything, and the quote would turn it into text.
func CSVText(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
	case '+', '-':
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return s
		}
	default:
		return s
	}
	return "'" + s
}
