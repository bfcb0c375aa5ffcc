package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/quota"
	"github.com/hangzhou-hitech/landquota/planning/service"
)

var planCommands = []subcommand{
	{"list", "list every plan with its state and totals", planList},
	{"open", "open a year's plan: --year Y [--kind K] [--name TEXT] [--doc-number 文号 --doc-date YYYY-MM-DD --doc-issuer BODY] [--issue-hm2 N]; again adds accounts of districts and parks added since", planOpen},
	{"issue", "book a further issue (追加下达): --year Y [--kind K] --hm2 N --doc-number 文号 [--doc-date D] [--doc-issuer B] [--reason TEXT]", planIssue},
	{"close", "close a year: --year Y [--kind K]; shows the preview unless --confirm", planClose},
}

// planFlags are the flags every plan subcommand shares.
type planFlags struct {
	year                        int
	kind                        string
	docNumber, docDate, docBody string
}

// parsePlan parses a plan subcommand: --year and --kind, the issuing
// document's flags when withDoc, then the flags more defines.
func (c *cliContext) parsePlan(ctx context.Context, name string, args []string, withDoc bool, more func(fs *flag.FlagSet)) (planFlags, error) {
	var p planFlags
	err := c.parse(ctx, name, args, func(fs *flag.FlagSet) {
		fs.IntVar(&p.year, "year", 0, "the plan year")
		fs.StringVar(&p.kind, "kind", string(quota.KindNewConstruction), "quota kind: new_construction, linkage or farmland_balance")
		if withDoc {
			fs.StringVar(&p.docNumber, "doc-number", "", "the issuing document's number (文号)")
			fs.StringVar(&p.docDate, "doc-date", "", "its date, YYYY-MM-DD")
			fs.StringVar(&p.docBody, "doc-issuer", "", "the issuing body, e.g. 浙江省自然资源厅")
		}
		more(fs)
	})
	return p, err
}

func (p *planFlags) document() *quota.Document {
	if p.docNumber == "" && p.docDate == "" && p.docBody == "" {
		return nil
	}
	return &quota.Document{Number: p.docNumber, Date: p.docDate, Issuer: p.docBody}
}

// cliKey is an idempotency key for a command-line booking: a command run
// twice books twice, as a person typing it twice means.
func cliKey(what string, year int) string {
	return fmt.Sprintf("cli-%s-%d-%d", what, year, time.Now().UnixNano())
}

func planList(ctx context.Context, c *cliContext, args []string) error {
	return list(ctx, c, "plan list", args, "YEAR\tKIND\tSTATE\tISSUED hm²\tHELD hm²\tCONSUMED hm²\tDOCUMENT\tNAME",
		func(ctx context.Context) ([]quota.Plan, error) { return c.store.Plans(ctx) },
		func(p quota.Plan) string {
			doc := ""
			if p.Document != nil {
				doc = p.Document.Number
			}
			return fmt.Sprintf("%d\t%s\t%s\t%.2f\t%.2f\t%.2f\t%s\t%s", p.Year, p.Kind, p.State, p.IssuedHa, p.HeldHa, p.ConsumedHa, doc, p.Name)
		})
}

func planOpen(ctx context.Context, c *cliContext, args []string) error {
	var name string
	var issue hectaresFlag
	pf, err := c.parsePlan(ctx, "plan open", args, true, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "the plan's name")
		fs.Var(&issue, "issue-hm2", "book this many hectares as the plan's issue (needs the document)")
	})
	if err != nil {
		return err
	}
	o := quota.Opening{Year: pf.year, Kind: quota.Kind(pf.kind), Name: name, Document: pf.document(), By: cliActor,
		Issue: issue.a, IdempotencyKey: cliKey("open", pf.year)}
	p, accounts, entry, created, err := c.store.OpenPlan(ctx, o)
	if err != nil {
		return err
	}
	verb := "opened"
	if !created {
		verb = "brought up to date"
	}
	fmt.Fprintf(c.env.stdout, "%s the %d %s plan: %d accounts, %.2f hm² issued\n", verb, p.Year, p.Kind, len(accounts), p.IssuedHa)
	if entry != nil {
		fmt.Fprintf(c.env.stdout, "entry %d: issue %.2f hm² (%.2f 亩) under %s\n", entry.ID, entry.AmountHa, entry.AmountMu, entry.Document.Number)
	}
	return nil
}

func planIssue(ctx context.Context, c *cliContext, args []string) error {
	var hm2 hectaresFlag
	var reason string
	pf, err := c.parsePlan(ctx, "plan issue", args, true, func(fs *flag.FlagSet) {
		fs.Var(&hm2, "hm2", "hectares issued")
		fs.StringVar(&reason, "reason", "追加下达", "why")
	})
	if err != nil {
		return err
	}
	if pf.docNumber == "" {
		return errors.New("--doc-number is required: a further issue carries its document")
	}
	e, err := c.store.Book(ctx, quota.Booking{Year: pf.year, Kind: quota.Kind(pf.kind), Entry: quota.EntryIssue, To: "330100",
		AmountM2: hm2.value(), Reason: reason, By: cliActor, IdempotencyKey: cliKey("issue", pf.year), Document: pf.document()})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.stdout, "entry %d: issue %.2f hm² (%.2f 亩) to %s under %s\n", e.ID, e.AmountHa, e.AmountMu, e.To, e.Document.Number)
	return nil
}

func planClose(ctx context.Context, c *cliContext, args []string) error {
	var confirm, asJSON bool
	pf, err := c.parsePlan(ctx, "plan close", args, false, func(fs *flag.FlagSet) {
		fs.BoolVar(&confirm, "confirm", false, "book the year end (without it: only the preview)")
		fs.BoolVar(&asJSON, "json", false, "print the closing as JSON")
	})
	if err != nil {
		return err
	}
	var cl quota.Closing
	yearEnd := service.New(c.store).YearEnd
	if confirm {
		cl, err = yearEnd.Close(ctx, pf.year, quota.Kind(pf.kind), cliActor)
	} else {
		cl, err = yearEnd.Preview(ctx, pf.year, quota.Kind(pf.kind))
	}
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(c.env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(cl)
	}
	tw := c.table("ACCOUNT\tNAME\tHELD hm²\tCARRIED hm²\tLAPSED hm²")
	for _, a := range cl.Accounts {
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%.2f\t%.2f\n", a.Code, a.NameZh, a.HeldM2.Rounded(amount.Hectare), a.CarryM2.Rounded(amount.Hectare), a.LapseM2.Rounded(amount.Hectare))
	}
	fmt.Fprintf(tw, "total\t\t%.2f\t%.2f\t%.2f\n", cl.Totals.HeldM2.Rounded(amount.Hectare), cl.Totals.CarryM2.Rounded(amount.Hectare), cl.Totals.LapseM2.Rounded(amount.Hectare))
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, l := range cl.Linkage {
		fmt.Fprintf(c.env.stdout, "增存挂钩 %s %s: %s\n", l.District, l.NameZh, l.ExplanationZh)
	}
	if confirm {
		fmt.Fprintf(c.env.stdout, "closed the %d %s plan; %.2f hm² carried over into %d\n", cl.Year, cl.Kind, cl.Totals.CarryM2.Rounded(amount.Hectare), cl.NextYear)
	} else {
		fmt.Fprintf(c.env.stdout, "preview only: run again with --confirm to close the %d plan (share carried over: %.0f%%)\n", cl.Year, cl.CarryOverShare*100)
	}
	return nil
}

// hectaresFlag is an amount typed in hm², read exactly (0.1 is 1000 m²);
// nil until given.
type hectaresFlag struct{ a *amount.Area }

func (f *hectaresFlag) String() string {
	if f == nil || f.a == nil {
		return ""
	}
	return strconv.FormatFloat(f.a.Hectares(), 'f', -1, 64)
}

func (f *hectaresFlag) Set(s string) error {
	a, err := amount.Parse(s, amount.Hectare)
	if err != nil {
		return err
	}
	f.a = &a
	return nil
}

// value is the amount given, 0 (refused by the booking's check) when none.
func (f *hectaresFlag) value() amount.Area {
	if f.a == nil {
		return 0
	}
	return *f.a
}
