package suppress

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/clayscan/clayscan/scanner"
)

// IgnoreFile is the name of the ignore file at a repository's root.
const IgnoreFile = ".clayscanignore"

// fingerprintRE is scanner.Fingerprint's shape: "<rule-id>:<16 hex>".
var fingerprintRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]*:[0-9a-f]{16}$`) })

// ValidFingerprint reports whether s has the shape of a fingerprint.
func ValidFingerprint(s string) bool { return fingerprintRE().MatchString(s) }

// IgnoreEntry is one line of an ignore file:
//
//	<fingerprint> [<path-glob>] [# reason]
type IgnoreEntry struct {
	Line        int
	Fingerprint string
	// Path, when set, is a gitignore-style glob the finding's path must
	// match; empty means anywhere.
	Path   string
	Reason string
	glob   *Globs
}

// String formats the entry as a line of the ignore file.
func (e IgnoreEntry) String() string {
	s := e.Fingerprint
	if e.Path != "" {
		s += " " + e.Path
	}
	if e.Reason != "" {
		s += "  # " + e.Reason
	}
	return s
}

// Ignores is a parsed ignore file. It is a scanner.Filter that suppresses
// with reason "ignore", and remembers which entries matched something.
type Ignores struct {
	Name    string
	Entries []IgnoreEntry
	byFP    map[string][]int

	mu   sync.Mutex
	used []bool
}

// ParseIgnores parses an ignore file's content. Blank lines and lines
// starting with # are skipped; '#' after whitespace starts a comment (the
// reason). A malformed line is an error naming the file and line, never
// silently skipped: a typo must not leave a key unsuppressed without
// notice, nor be mistaken for an ignore.
func ParseIgnores(name string, data []byte) (*Ignores, error) {
	ig := &Ignores{Name: name, byFP: map[string][]int{}}
	// go-gitignore compiles several regexes per pattern; entries scoped to
	// the same glob share one matcher.
	globs := map[string]*Globs{}
	var errs []error
	for i, raw := range strings.Split(string(data), "\n") {
		e, ok, err := ParseIgnoreLine(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", name, i+1, err))
			continue
		}
		if !ok {
			continue
		}
		e.Line = i + 1
		if e.Path != "" {
			g, ok := globs[e.Path]
			if !ok {
				g = CompileGlobs([]string{e.Path})
				globs[e.Path] = g
			}
			e.glob = g
		}
		ig.byFP[e.Fingerprint] = append(ig.byFP[e.Fingerprint], len(ig.Entries))
		ig.Entries = append(ig.Entries, e)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	ig.used = make([]bool, len(ig.Entries))
	return ig, nil
}

// ParseIgnoreLine parses one line; ok is false for blank and comment lines.
func ParseIgnoreLine(raw string) (e IgnoreEntry, ok bool, err error) {
	line := strings.TrimSpace(strings.TrimRight(raw, "\r"))
	if line == "" || strings.HasPrefix(line, "#") {
		return e, false, nil
	}
	body := line
	if i := strings.Index(line, " #"); i >= 0 {
		body, e.Reason = line[:i], strings.TrimSpace(line[i+2:])
	} else if i := strings.Index(line, "\t#"); i >= 0 {
		body, e.Reason = line[:i], strings.TrimSpace(line[i+2:])
	}
	fields := strings.Fields(body)
	switch {
	case len(fields) > 2:
		return e, false, errors.New("too many fields: want <fingerprint> [path-glob] [# reason]")
	case !ValidFingerprint(strings.ToLower(fields[0])):
		return e, false, errors.New("not a fingerprint: want <rule-id>:<16 hex digits>, as printed in reports")
	}
	e.Fingerprint = strings.ToLower(fields[0])
	if len(fields) == 2 {
		e.Path = fields[1]
	}
	return e, true, nil
}

// Suppress implements scanner.Filter.
func (ig *Ignores) Suppress(f *scanner.Finding) string {
	if ig == nil || protected(f) {
		return ""
	}
	for _, i := range ig.byFP[f.Fingerprint] {
		e := &ig.Entries[i]
		if e.glob != nil && !e.glob.Match(f.Path) {
			continue
		}
		ig.mu.Lock()
		ig.used[i] = true
		ig.mu.Unlock()
		return "ignore"
	}
	return ""
}

// Unused returns the entries that have suppressed nothing so far.
func (ig *Ignores) Unused() []IgnoreEntry {
	if ig == nil {
		return nil
	}
	ig.mu.Lock()
	defer ig.mu.Unlock()
	var out []IgnoreEntry
	for i, u := range ig.used {
		if !u {
			out = append(out, ig.Entries[i])
		}
	}
	return out
}

// Has reports whether the file already holds an entry for fingerprint and
// path.
func (ig *Ignores) Has(fingerprint, path string) bool {
	for _, i := range ig.byFP[fingerprint] {
		if ig.Entries[i].Path == path {
			return true
		}
	}
	return false
}
