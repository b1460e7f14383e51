package main

import (
	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
)

// suppression is the rule set and filters a scan runs with (issue 6: config
// file, ignores, baseline).
type suppression struct {
	rules   []rules.Rule
	filters []scanner.Filter
	// extra findings about suppression itself (suppression-changed).
	extra []scanner.Finding
}

func setupSuppression(e *env, sf *scanFlags, path string) (*suppression, error) {
	return &suppression{rules: rules.Default()}, nil
}

// finish runs after the scan (e.g. to report unused ignores).
func (s *suppression) finish(e *env, res *scanner.Result) error { return nil }
