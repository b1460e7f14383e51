package ignore_test

import (
	"fmt"

	"github.com/clayscan/clayscan/scanner/ignore"
)

// A single ignore file: the last matching line decides, and the decision
// names it the way `git check-ignore -v` does.
func ExampleParse() {
	l := ignore.Parse([]byte(".env*\n!.env.example\n"), "", ".gitignore")
	for _, p := range []string{".env.local", ".env.example", "main.go"} {
		d, matched := l.Match(p, false)
		fmt.Printf("%-13s ignored=%-5v matched=%-5v %s %s\n", p, d.Ignored, matched, d.Source, d.Pattern)
	}
	// Output:
	// .env.local    ignored=true  matched=true  .gitignore:1 .env*
	// .env.example  ignored=false matched=true  .gitignore:2 !.env.example
	// main.go       ignored=false matched=false
}
