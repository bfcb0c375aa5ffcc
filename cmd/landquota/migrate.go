package main

import (
	"context"
	"fmt"

	"github.com/hangzhou-hitech/landquota/migrations"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
)

func runMigrate(ctx context.Context, env environ, args []string) error {
	db, _, err := parseDBCommand("migrate", env, args, nil)
	if err != nil {
		return err
	}
	from, to, err := pgstore.Migrate(ctx, db.URL)
	if err != nil {
		return err
	}
	if from == to {
		fmt.Fprintf(env.stdout, "schema is current at version %d of %d\n", to, migrations.Latest())
	} else {
		fmt.Fprintf(env.stdout, "schema migrated from version %d to %d\n", from, to)
	}
	return nil
}
