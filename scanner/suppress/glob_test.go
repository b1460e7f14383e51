package suppress

import (
	"testing"

	gitignore "github.com/sabhiram/go-gitignore"
)

// go-gitignore's known gaps. Each case shows the library alone getting a
// pattern wrong; if one starts passing, the library was fixed and the
// matching rewrite in translate can go.
func TestGoGitignoreKnownGaps(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		gitMatches    bool
	}{
		{"key?.txt", "key1.txt", true},              // '?' is escaped to a literal
		{"[!a]bc.txt", "abc.txt", false},            // "[!a]" becomes the class {!, a}
		{"[!a]bc.txt", "xbc.txt", true},             // …and so misses everything else
		{"a+b.txt", "a+b.txt", true},                // '+' leaks into the regex
		{"(x).txt", "(x).txt", true},                // so do parentheses
		{"docs/key.txt", "sub/docs/key.txt", false}, // a middle slash anchors to the root in git
	} {
		lib := gitignore.CompileIgnoreLines(tc.pattern).MatchesPath(tc.path)
		if lib == tc.gitMatches {
			t.Errorf("go-gitignore now gets %q vs %q right: the workaround in translate may be dropped", tc.pattern, tc.path)
		}
		if got := CompileGlobs([]string{tc.pattern}).Match(tc.path); got != tc.gitMatches {
			t.Errorf("Globs(%q).Match(%q) = %v, git says %v", tc.pattern, tc.path, got, tc.gitMatches)
		}
	}
}

// Globs matches as git matches (checked against `git check-ignore` by hand
// for each row).
func TestGlobs(t *testing.T) {
	for _, tc := range []struct {
		patterns []string
		path     string
		want     bool
	}{
		{[]string{"*.md"}, "README.md", true},
		{[]string{"*.md"}, "docs/deep/x.md", true},
		{[]string{"*.md"}, "x.mdx", false},
		{[]string{"testdata/**"}, "testdata/a/b.env", true},
		{[]string{"testdata/**"}, "src/testdata/a.env", false},
		{[]string{"**/fixtures/"}, "a/b/fixtures/key.txt", true},
		{[]string{"fixtures"}, "a/fixtures/key.txt", true},
		{[]string{"/config.yml"}, "config.yml", true},
		{[]string{"/config.yml"}, "app/config.yml", false},
		{[]string{"docs/*.md"}, "docs/a.md", true},
		{[]string{"docs/*.md"}, "docs/sub/a.md", false},
		{[]string{"key?.txt"}, "key12.txt", false},
		{[]string{"key?.txt"}, "key/.txt", false},
		{[]string{"key[0-9].txt"}, "key7.txt", true},
		{[]string{"key[0-9].txt"}, "keyx.txt", false},
		{[]string{"key[!0-9].txt"}, "keyx.txt", true},
		{[]string{"key[!0-9].txt"}, "key7.txt", false},
		{[]string{`key\?.txt`}, "key?.txt", true},
		{[]string{`key\?.txt`}, "key1.txt", false},
		{[]string{`\#notes`}, "#notes", true},
		{[]string{`a\*b`}, "a*b", true},
		{[]string{`a\*b`}, "axb", false},
		{[]string{"v{1}.txt"}, "v{1}.txt", true},
		{[]string{"a^b$.txt"}, "a^b$.txt", true},
		{[]string{"*.env", "!safe.env"}, "safe.env", false},
		{[]string{"*.env", "!safe.env"}, "prod.env", true},
		{[]string{"# comment", ""}, "# comment", false},
	} {
		if got := CompileGlobs(tc.patterns).Match(tc.path); got != tc.want {
			t.Errorf("Globs(%q).Match(%q) = %v, want %v (library input %q)", tc.patterns, tc.path, got, tc.want, translate(tc.patterns[len(tc.patterns)-1]))
		}
	}
}
