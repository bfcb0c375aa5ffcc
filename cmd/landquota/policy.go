package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/hangzhou-hitech/landquota/planning/planner"
)

var policyCommands = []subcommand{
	{"tolerance", "the protected-line tolerance: shows it, or sets [--area-m2 X] [--sliver-width-m Y] [--note TEXT]", policyTolerance},
}

// policyTolerance shows the eligibility tolerance, or changes the figures
// given (the others stay) and shows the result. The change is one
// statement: what another admin changes at the same time is not mixed in.
func policyTolerance(ctx context.Context, c *cliContext, args []string) error {
	var area, width float64
	var note string
	var flags *flag.FlagSet
	if err := c.parse(ctx, "policy tolerance", args, func(fs *flag.FlagSet) {
		flags = fs
		fs.Float64Var(&area, "area-m2", 0, "an overlap with a protected line of at most this many m² is no conflict (0 to 10000)")
		fs.Float64Var(&width, "sliver-width-m", 0, "nor one thinner everywhere than this many metres (0 to 10; 0 switches the width off)")
		fs.StringVar(&note, "note", "", "why (kept with the policy)")
	}); err != nil {
		return err
	}
	set := map[string]bool{} // the flags given
	flags.Visit(func(f *flag.Flag) { set[f.Name] = true })
	delete(set, "database-url")
	delete(set, "statement-timeout")
	var p planner.TolerancePolicy
	var err error
	if len(set) == 0 {
		p, err = c.store.TolerancePolicy(ctx)
	} else {
		ch := planner.ToleranceChange{By: cliActor}
		if set["area-m2"] {
			ch.AreaToleranceM2 = &area
		}
		if set["sliver-width-m"] {
			ch.SliverWidthM = &width
		}
		if set["note"] {
			ch.Note = &note
		}
		p, err = c.store.ChangeTolerancePolicy(ctx, ch)
	}
	if err != nil {
		return err
	}
	writeTolerance(c, p)
	return nil
}

func writeTolerance(c *cliContext, p planner.TolerancePolicy) {
	w := c.env.stdout
	width := fmt.Sprintf("%g m", p.SliverWidthM)
	if p.SliverWidthM == 0 {
		width = "0 (off)"
	}
	fmt.Fprintln(w, "protected-line tolerance (eligibility_policy): an overlap is no conflict when")
	fmt.Fprintf(w, "  area_tolerance_m2  %g m²   it is at most this large, or\n", p.AreaToleranceM2)
	fmt.Fprintf(w, "  sliver_width_m     %s   it is thinner than this everywhere\n", width)
	if p.Note != "" {
		fmt.Fprintf(w, "  note               %s\n", p.Note)
	}
	by := p.UpdatedBy
	if by == "" {
		by = "the migrations"
	}
	fmt.Fprintf(w, "  set by             %s at %s\n", by, p.UpdatedAt.Format(time.RFC3339))
}
