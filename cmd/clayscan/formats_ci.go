package main

import (
	"io"

	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/report"
)

// writeSARIF writes SARIF 2.1.0 for GitHub code scanning (docs/formats.md, "SARIF").
func writeSARIF(w io.Writer, res *scanner.Result, s *scanFlags, _ bool) error {
	return report.SARIF(w, res, report.Tool{Name: "clayscan", Version: version})
}

// writeGitHub writes GitHub Actions workflow commands, one annotation per
// finding (docs/formats.md, "GitHub annotations").
func writeGitHub(w io.Writer, res *scanner.Result, s *scanFlags, _ bool) error {
	return report.GitHub(w, res)
}
