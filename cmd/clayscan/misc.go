package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/clayscan/clayscan/rules"
)

func runRules(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "rules", "")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	if len(pos) > 0 {
		return usageError(e, withHint(fmt.Errorf("'clayscan rules' takes no arguments, got %q", strings.Join(pos, " ")), "run 'clayscan rules' to list every rule"))
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tTITLE")
	for _, r := range rules.Default() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, r.Title)
	}
	// Path rules judge paths (the .env policy), not content.
	for _, r := range rules.DefaultPathRules() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, r.Title)
	}
	tw.Flush()
	return exitClean
}

func runVersion(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "version", "")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	if len(pos) > 0 {
		return usageError(e, withHint(fmt.Errorf("'clayscan version' takes no arguments, got %q", strings.Join(pos, " ")), "run 'clayscan version'"))
	}
	fmt.Fprintf(e.stdout, "clayscan %s\n", version)
	return exitClean
}
