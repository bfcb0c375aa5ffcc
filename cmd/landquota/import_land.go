package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/adapters/importer"
	landplanner "github.com/hangzhou-hitech/landquota/planning/planner"
)

// tableImport is the configuration of the table imports (parcel events,
// district evaluations): a database and one .csv or .xlsx file.
type tableImport struct {
	DB     dbConfig
	File   string
	DryRun bool
}

// readTableImport parses a table import's flags (one file, the database,
// --dry-run) and reads the file.
func readTableImport(env environ, what string, args []string) (tableImport, importer.Table, error) {
	var c tableImport
	fs := flag.NewFlagSet("import "+what, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "usage: landquota import %s FILE.csv|FILE.xlsx [flags]\n", what)
		fs.PrintDefaults()
	}
	c.DB.register(fs, env)
	fs.BoolVar(&c.DryRun, "dry-run", false, "check every row, write nothing")
	pos, err := positional(fs, args, 1, "import "+what+": give one file")
	if err != nil {
		return c, importer.Table{}, err
	}
	c.File = pos[0]
	if err := c.DB.validate(); err != nil {
		return c, importer.Table{}, err
	}
	t, err := importer.ReadTable(c.File)
	return c, t, err
}

func cliUser(env environ) string {
	if u := env.getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}

// eventKindNames maps the words officials write to the event kinds.
var eventKindNames = map[string]landplanner.EventKind{
	"认定书": landplanner.EventDetermination, "闲置土地认定书": landplanner.EventDetermination, "认定": landplanner.EventDetermination,
	"处置决定书": landplanner.EventDisposal, "闲置土地处置决定书": landplanner.EventDisposal,
	"延期": landplanner.EventExtension, "延长动工": landplanner.EventExtension, "延长动工开发期限": landplanner.EventExtension,
	"闲置费": landplanner.EventFee, "征缴闲置费": landplanner.EventFee, "征缴土地闲置费": landplanner.EventFee,
	"收回": landplanner.EventRecovery, "无偿收回": landplanner.EventRecovery, "收回土地使用权": landplanner.EventRecovery,
}

var causeNames = map[string]landplanner.IdleCause{"企业原因": landplanner.CauseEnterprise, "政府原因": landplanner.CauseGovernment}

// runImportEvents reads a table of idle-land events (one per row, parcels
// by code) and records them all in one transaction.
func runImportEvents(ctx context.Context, env environ, args []string) error {
	c, t, err := readTableImport(env, "parcel-events", args)
	if err != nil {
		return err
	}
	col := map[string]int{
		"parcel_code": t.Column("parcel_code", "code", "地块编号", "地块编码"),
		"kind":        t.Column("kind", "类型", "事项", "文书"),
		"event_on":    t.Column("event_on", "date", "日期", "发文日期"),
		"document":    t.Column("document", "文号", "文书编号"),
		"cause":       t.Column("cause", "原因", "闲置原因"),
		"extended_to": t.Column("extended_to", "延期至", "新动工日期"),
		"amount_wan":  t.Column("amount_wan", "金额", "金额（万元）", "金额(万元)", "闲置费（万元）"),
		"note":        t.Column("note", "备注"),
	}
	if err := needColumns(c.File, &t, col, "parcel_code", "kind", "event_on", "document"); err != nil {
		return err
	}
	codes := make([]string, 0, len(t.Rows))
	events := make([]landplanner.ParcelEvent, 0, len(t.Rows))
	for i := range t.Rows {
		kind := t.Cell(i, col["kind"])
		if k, ok := eventKindNames[kind]; ok {
			kind = string(k)
		}
		cause := t.Cell(i, col["cause"])
		if k, ok := causeNames[cause]; ok {
			cause = string(k)
		}
		in := landplanner.EventInput{Kind: kind, EventOn: t.Cell(i, col["event_on"]), Document: t.Cell(i, col["document"]),
			Cause: cause, ExtendedTo: t.Cell(i, col["extended_to"]), Note: t.Cell(i, col["note"])}
		if x := t.Cell(i, col["amount_wan"]); x != "" {
			v, err := strconv.ParseFloat(x, 64)
			if err != nil {
				return importer.RowError(c.File, i, "amount_wan", "%q is not a number of 万元", x)
			}
			in.AmountWan = &v
		}
		e, err := in.Check()
		if err != nil {
			field, msg := fieldMessage(err)
			return importer.RowError(c.File, i, field, "%s", msg)
		}
		codes = append(codes, t.Cell(i, col["parcel_code"]))
		events = append(events, e)
	}
	return c.write(ctx, env, fmt.Sprintf("%d events checked (dry run: nothing written; parcels are checked when written)", len(events)),
		func(store *pgstore.Store) error {
			n, err := store.AddParcelEvents(ctx, codes, events, cliUser(env))
			if err != nil {
				return nothingWritten(c.File, "recorded", err)
			}
			fmt.Fprintf(env.stdout, "%s: %d events recorded\n", c.File, n)
			return nil
		})
}

// runImportEvaluations reads a district evaluation table (year, adcode,
// tax per mu, value added per mu, in 万元/亩) and stores it in one
// transaction.
func runImportEvaluations(ctx context.Context, env environ, args []string) error {
	c, t, err := readTableImport(env, "district-evaluations", args)
	if err != nil {
		return err
	}
	col := map[string]int{
		"year":                   t.Column("year", "年度", "年份"),
		"adcode":                 t.Column("adcode", "行政区代码", "区划代码"),
		"tax_per_mu_wan":         t.Column("tax_per_mu_wan", "亩均税收", "亩均税收（万元/亩）", "亩均税收(万元/亩)"),
		"value_added_per_mu_wan": t.Column("value_added_per_mu_wan", "亩均增加值", "亩均增加值（万元/亩）", "亩均增加值(万元/亩)"),
	}
	if err := needColumns(c.File, &t, col, "year", "adcode", "tax_per_mu_wan", "value_added_per_mu_wan"); err != nil {
		return err
	}
	var es []landplanner.DistrictEvaluation
	seen := map[[2]string]int{}
	for i := range t.Rows {
		year, err := strconv.Atoi(t.Cell(i, col["year"]))
		if err != nil || year < 1990 || year > 2100 {
			return importer.RowError(c.File, i, "year", "%q is not a year between 1990 and 2100", t.Cell(i, col["year"]))
		}
		adcode := t.Cell(i, col["adcode"])
		if len(adcode) != 6 || strings.Trim(adcode, "0123456789") != "" {
			return importer.RowError(c.File, i, "adcode", "%q is not a six-digit adcode", adcode)
		}
		if j, dup := seen[[2]string{strconv.Itoa(year), adcode}]; dup {
			return importer.RowError(c.File, i, "adcode", "%s %d is given again (first in row %d)", adcode, year, j+1)
		}
		seen[[2]string{strconv.Itoa(year), adcode}] = i
		e := landplanner.DistrictEvaluation{Year: year, Adcode: adcode}
		for name, dst := range map[string]*float64{"tax_per_mu_wan": &e.TaxPerMuWan, "value_added_per_mu_wan": &e.ValueAddedPerMuWan} {
			x := t.Cell(i, col[name])
			v, err := strconv.ParseFloat(x, 64)
			if err != nil || v < 0 || v > 1e8 {
				return importer.RowError(c.File, i, name, "%q is not a figure in 万元/亩 (0 or more)", x)
			}
			*dst = v
		}
		es = append(es, e)
	}
	return c.write(ctx, env, fmt.Sprintf("%d district evaluations checked (dry run: nothing written)", len(es)), func(store *pgstore.Store) error {
		if err := store.SaveDistrictEvaluations(ctx, es, cliUser(env)); err != nil {
			return nothingWritten(c.File, "stored", err)
		}
		fmt.Fprintf(env.stdout, "%s: %d district evaluations stored\n", c.File, len(es))
		return nil
	})
}

// write hands the store to a checked table's write, or on a dry run only
// says what was checked.
func (c tableImport) write(ctx context.Context, env environ, dryRun string, write func(*pgstore.Store) error) error {
	if c.DryRun {
		fmt.Fprintf(env.stdout, "%s: %s\n", c.File, dryRun)
		return nil
	}
	store, err := c.DB.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	return write(store)
}

// needColumns refuses a table that lacks one of the needed columns, naming
// it and the columns the file has.
func needColumns(file string, t *importer.Table, col map[string]int, need ...string) error {
	for _, n := range need {
		if col[n] < 0 {
			return planning.Errorf(planning.ErrInvalid, "%s: no %s column (its columns are %s)", file, n, strings.Join(t.Header, ", "))
		}
	}
	return nil
}

// fieldMessage splits a domain error into the field it names and the
// message without that field's prefix.
func fieldMessage(err error) (string, string) {
	var pe *planning.Error
	if !errors.As(err, &pe) {
		return "", err.Error()
	}
	f, _ := pe.Details["field"].(string)
	return f, strings.TrimPrefix(pe.Message, f+": ")
}

// nothingWritten says that a refused file changed nothing (one transaction).
func nothingWritten(file, what string, err error) error {
	var pe *planning.Error
	if errors.As(err, &pe) {
		pe.Message = fmt.Sprintf("%s: nothing %s: %s", filepath.Base(file), what, pe.Message)
		return pe
	}
	return fmt.Errorf("%s: nothing %s: %w", filepath.Base(file), what, err)
}

// runImportClasses reads a table of local land-use classes (code,
// parent_code, name_zh, name_en, construction, source, aliases separated by
// ; or 、) and adds each; the first refused row stops the rest.
func runImportClasses(ctx context.Context, env environ, args []string) error {
	c, t, err := readTableImport(env, "land-use-classes", args)
	if err != nil {
		return err
	}
	col := map[string]int{
		"code": t.Column("code", "代码", "用地代码"), "parent_code": t.Column("parent_code", "上级代码"),
		"name_zh": t.Column("name_zh", "名称"), "name_en": t.Column("name_en", "英文名称"),
		"construction": t.Column("construction", "建设用地"), "source": t.Column("source", "来源", "依据"),
		"aliases": t.Column("aliases", "别名", "地方代码"),
	}
	if err := needColumns(c.File, &t, col, "code", "name_zh", "construction", "source"); err != nil {
		return err
	}
	var classes []planning.LandUseClass
	for i := range t.Rows {
		var cons bool
		switch x := strings.ToLower(t.Cell(i, col["construction"])); x {
		case "true", "是", "1", "yes":
			cons = true
		case "false", "否", "0", "no":
		default:
			return importer.RowError(c.File, i, "construction", "%q is not yes or no (是/否, true/false)", x)
		}
		var aliases []string
		for _, a := range strings.FieldsFunc(t.Cell(i, col["aliases"]), func(r rune) bool { return r == ';' || r == '、' || r == ',' }) {
			aliases = append(aliases, strings.TrimSpace(a))
		}
		classes = append(classes, planning.LandUseClass{Code: t.Cell(i, col["code"]), ParentCode: t.Cell(i, col["parent_code"]),
			NameZh: t.Cell(i, col["name_zh"]), NameEn: t.Cell(i, col["name_en"]), Construction: cons,
			Source: t.Cell(i, col["source"]), Aliases: aliases})
	}
	return c.write(ctx, env, fmt.Sprintf("%d classes read (dry run: nothing written)", len(classes)), func(store *pgstore.Store) error {
		for i, cl := range classes {
			if _, err := store.AddLandUseClass(ctx, cl); err != nil {
				field, msg := fieldMessage(err)
				return importer.RowError(c.File, i, field, "%s (%d of %d classes added before it)", msg, i, len(classes))
			}
		}
		fmt.Fprintf(env.stdout, "%s: %d local classes added\n", c.File, len(classes))
		return nil
	})
}
