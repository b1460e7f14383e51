package main

import (
	"errors"
	"io"

	"github.com/clayscan/clayscan/scanner"
)

// writeSARIF and writeGitHub are placeholders until the integrations issue.
func writeSARIF(w io.Writer, res *scanner.Result, s *scanFlags, colored bool) error {
	return errors.New("sarif: not implemented yet")
}

func writeGitHub(w io.Writer, res *scanner.Result, s *scanFlags, colored bool) error {
	return errors.New("github: not implemented yet")
}
