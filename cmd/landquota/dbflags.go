package main

import (
	"flag"
)

// parseDBCommand parses a subcommand's flags: the database flags every
// command shares, then the command's own (define may be nil), and checks
// the database settings. The flag set is returned for its arguments.
func parseDBCommand(name string, env environ, args []string, define func(fs *flag.FlagSet)) (dbConfig, *flag.FlagSet, error) {
	var db dbConfig
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	db.register(fs, env)
	if define != nil {
		define(fs)
	}
	if err := fs.Parse(args); err != nil {
		return db, fs, err
	}
	return db, fs, db.validate()
}
