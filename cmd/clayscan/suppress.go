package main

import (
	"flag"
	"fmt"

	"github.com/clayscan/clayscan/internal/escape"
	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner/suppress"
)

// registerSuppression adds the suppression flags to every scanning command.
func (s *scanFlags) registerSuppression(fs *flag.FlagSet) {
	fs.StringVar(&s.config, "config", "", "read the config from `FILE` (default: "+rules.ConfigFile+" at the repository root, if there is one)")
	fs.StringVar(&s.baseline, "baseline", "", "suppress the findings already in `FILE`, a previous JSON report ('clayscan baseline create' writes one)")
	fs.BoolVar(&s.reportUnused, "report-unused-ignores", false, "list "+suppress.IgnoreFile+" entries that matched nothing, so stale ones can be removed")
	// The config's max_file_size applies unless --max-file-size is given.
	if f := fs.Lookup("max-file-size"); f != nil {
		f.Value = &setTracker{Value: f.Value, set: &s.maxSizeSet}
	}
}

// setTracker records that a flag was given on the command line, so a config
// value does not override what the user typed.
type setTracker struct {
	flag.Value
	set *bool
}

func (t *setTracker) Set(v string) error { *t.set = true; return t.Value.Set(v) }

// String is nil-safe: flag calls it on a zero value to print defaults.
func (t *setTracker) String() string {
	if t == nil || t.Value == nil {
		return ""
	}
	return t.Value.String()
}

// reportUnusedIgnores lists the .clayscanignore entries that matched
// nothing, for --report-unused-ignores.
func reportUnusedIgnores(e *env, ig *suppress.Ignores) {
	if ig == nil {
		return
	}
	unused := ig.Unused()
	for _, u := range unused {
		fmt.Fprintf(e.stderr, "clayscan: unused ignore: %s:%d: %s\n", escape.Path(ig.Name), u.Line, escape.Text(u.String()))
	}
	if len(unused) > 0 {
		fmt.Fprintf(e.stderr, "clayscan: hint: %d %s entr%s matched nothing in this scan; remove stale entries once the keys are gone (a partial scan, such as staged, matches fewer)\n",
			len(unused), suppress.IgnoreFile, map[bool]string{true: "y", false: "ies"}[len(unused) == 1])
	}
}
