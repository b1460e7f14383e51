package wildmatch

import "testing"

// Cases from git's t/t3070-wildmatch.sh that the ignore rules depend on;
// the differential test covers the rest against git itself.
func TestWildmatch(t *testing.T) {
	tests := []struct {
		pattern, text string
		flags         int
		want          bool
	}{
		{"foo", "foo", 0, true},
		{"???", "foo", 0, true},
		{"??", "foo", 0, false},
		{"*", "foo", 0, true},
		{"f*", "foo", 0, true},
		{"*f", "foo", 0, false},
		{"*foo*", "foo", 0, true},
		{"\\*", "*", 0, true},
		{"\\*", "x", 0, false},
		{"[!a]", "a", 0, false},
		{"[!a]", "b", 0, true},
		{"[^a]", "b", 0, true},
		{"[]a]", "]", 0, true},
		{"[a-c]", "b", 0, true},
		{"[[:alpha:]]", "x", 0, true},
		{"[[:alpha:]]", "1", 0, false},
		{"[[:foo:]]", "f", 0, false}, // malformed class: no match at all
		{"[a", "a", 0, false},
		{"[\\]]", "]", 0, true},
		{"a?b", "a/b", Pathname, false},
		{"a?b", "a/b", 0, true},
		{"a*b", "a/b", Pathname, false},
		{"a[/]b", "a/b", Pathname, false},
		{"a[!x]b", "a/b", Pathname, false},
		{"**/foo", "foo", Pathname, true},
		{"**/foo", "a/b/foo", Pathname, true},
		{"a/**/b", "a/b", Pathname, true},
		{"a/**/b", "a/x/y/b", Pathname, true},
		{"a/**", "a/x/y", Pathname, true},
		{"a**/b", "ax/b", Pathname, true},
		{"a**/b", "a/x/b", Pathname, false}, // "**" inside a segment is '*'
		{"*/foo", "x/foo", Pathname, true},
		{"*/foo", "x/y/foo", Pathname, false},
		{"FOO", "foo", CaseFold, true},
		{"[A-Z]", "q", CaseFold, true},
		{"*a*a*a*a*a*a*a*a*a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 0, false},
	}
	for _, tt := range tests {
		if got := Match(tt.pattern, tt.text, tt.flags); got != tt.want {
			t.Errorf("Match(%q, %q, %d) = %v, want %v", tt.pattern, tt.text, tt.flags, got, tt.want)
		}
	}
}
