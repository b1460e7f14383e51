// Package ignore decides whether a path is ignored the way git decides it:
// .gitignore files scoped to their directories, .git/info/exclude, the
// global excludes file, negation, and no re-inclusion below an excluded
// directory.
package ignore

import (
	"bufio"
	"bytes"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// Decision is the outcome for one path: whether it is ignored and which
// pattern decided it (empty when none matched).
type Decision struct {
	Ignored bool
	// Pattern is the line as written, e.g. ".env*" or "!.env.example".
	Pattern string
	// Source is "path/to/.gitignore:LINE", ".git/info/exclude:LINE" or the
	// global excludes file.
	Source string
}

type pattern struct {
	p      gitignore.Pattern
	text   string
	source string
}

// Options locate the ignore files outside the work tree.
type Options struct {
	// GitDir holds info/exclude; empty outside a repository.
	GitDir string
	// ExcludesFile is the global excludes file (core.excludesFile or its
	// default); empty for none.
	ExcludesFile string
}

// Matcher answers ignore questions for one work tree. It reads .gitignore
// files lazily, once per directory, and is safe for concurrent use.
type Matcher struct {
	root string
	base []pattern // global excludes, then info/exclude (lowest priority first)
	mu   sync.Mutex
	dirs map[string][]pattern // dir ("" for root) → patterns of its .gitignore
}

// New returns a matcher for the work tree at root.
func New(root string, opts Options) *Matcher {
	m := &Matcher{root: root, dirs: map[string][]pattern{}}
	if opts.ExcludesFile != "" {
		m.base = append(m.base, readFile(opts.ExcludesFile, nil, opts.ExcludesFile)...)
	}
	if opts.GitDir != "" {
		m.base = append(m.base, readFile(filepath.Join(opts.GitDir, "info", "exclude"), nil, ".git/info/exclude")...)
	}
	return m
}

func readFile(file string, domain []string, source string) []pattern {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var out []pattern
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		out = append(out, pattern{p: gitignore.ParsePattern(line, domain), text: line, source: source + ":" + itoa(n)})
	}
	return out
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

func (m *Matcher) dirPatterns(dir string) []pattern {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ps, ok := m.dirs[dir]; ok {
		return ps
	}
	var domain []string
	src := ".gitignore"
	if dir != "" {
		domain = strings.Split(dir, "/")
		src = dir + "/.gitignore"
	}
	ps := readFile(filepath.Join(m.root, filepath.FromSlash(dir), ".gitignore"), domain, src)
	m.dirs[dir] = ps
	return ps
}

// Match decides for one path (slash-separated, relative to the root). It
// checks the path's parent directories first: nothing below an excluded
// directory can be re-included.
func (m *Matcher) Match(p string, isDir bool) Decision {
	parts := strings.Split(p, "/")
	for i := 1; i < len(parts); i++ {
		if d := m.matchOne(parts[:i], true); d.Ignored {
			return d
		}
	}
	return m.matchOne(parts, isDir)
}

// matchOne applies the patterns that can see parts, last match wins.
func (m *Matcher) matchOne(parts []string, isDir bool) Decision {
	check := func(ps []pattern) (Decision, bool) {
		for i := len(ps) - 1; i >= 0; i-- {
			switch ps[i].p.Match(parts, isDir) {
			case gitignore.Exclude:
				return Decision{Ignored: true, Pattern: ps[i].text, Source: ps[i].source}, true
			case gitignore.Include:
				return Decision{Ignored: false, Pattern: ps[i].text, Source: ps[i].source}, true
			}
		}
		return Decision{}, false
	}
	// Deepest .gitignore first: it has the highest priority.
	for i := len(parts) - 1; i >= 0; i-- {
		if d, ok := check(m.dirPatterns(path.Join(parts[:i]...))); ok {
			return d
		}
	}
	d, _ := check(m.base)
	return d
}

// DefaultExcludesFile returns git's default global excludes file,
// $XDG_CONFIG_HOME/git/ignore or ~/.config/git/ignore.
func DefaultExcludesFile() string {
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "git", "ignore")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".config", "git", "ignore")
	}
	return ""
}
