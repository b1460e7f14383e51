// Package ignore decides whether a path is ignored exactly the way git
// decides it, so that "ignored" in clayscan's findings means what it means
// to `git add`.
//
// The rules, as in git's dir.c: patterns come from the .gitignore of each
// directory on the way to the path (a deeper file wins), then
// .git/info/exclude, then the global excludes file (core.excludesFile,
// default $XDG_CONFIG_HOME/git/ignore); within a file the last matching
// line wins and a "!" line re-includes; a path below an excluded directory
// is excluded, whatever a deeper pattern or negation says, because git never
// looks inside that directory. Glob matching is a port of git's wildmatch.
//
// The main entry points are ForRepo and Matcher.Match; Parse and List serve
// single files (the .env policy checks the root .gitignore on its own).
// The package is tested against `git check-ignore` itself: see
// TestDifferentialAgainstGit.
package ignore

import (
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/clayscan/clayscan/internal/git"
)

// Decision is the outcome for one path: whether it is ignored and which
// pattern decided it (empty when none matched).
type Decision struct {
	Ignored bool
	// Pattern is the line as written, e.g. ".env*" or "!.env.example".
	Pattern string
	// Source is "FILE:LINE", where FILE is "path/to/.gitignore",
	// ".git/info/exclude" or the global excludes file.
	Source string
	File   string
	Line   int
}

// Matched reports whether some pattern decided the path (as opposed to no
// pattern matching at all).
func (d Decision) Matched() bool { return d.Pattern != "" || d.File != "" }

// Options locate the ignore files outside the work tree.
type Options struct {
	// GitDir holds info/exclude (a linked worktree's git dir is followed to
	// the common dir); empty outside a repository.
	GitDir string
	// ExcludesFile is the global excludes file (core.excludesFile or its
	// default); empty for none.
	ExcludesFile string
	// IgnoreCase is core.ignorecase: ASCII letters match either case.
	IgnoreCase bool
}

// Matcher answers ignore questions for one work tree. It reads .gitignore
// files lazily, once per directory, and is safe for concurrent use.
type Matcher struct {
	root string
	fold bool
	// fixed holds info/exclude then the global excludes file: the order
	// git consults them in, after every .gitignore.
	fixed []*List
	mu    sync.Mutex
	dirs  map[string]*List    // dir ("" for root) → its .gitignore
	xdirs map[string]Decision // dir → why it (or an ancestor) is excluded; Ignored false if not
}

// New returns a matcher for the work tree at root.
func New(root string, opts Options) *Matcher {
	m := &Matcher{root: root, fold: opts.IgnoreCase, dirs: map[string]*List{}, xdirs: map[string]Decision{}}
	if opts.GitDir != "" {
		file := filepath.Join(git.CommonDir(opts.GitDir), "info", "exclude")
		if l := readList(file, "", displayName(root, file), false); l != nil {
			m.fixed = append(m.fixed, l)
		}
	}
	if opts.ExcludesFile != "" {
		if l := readList(opts.ExcludesFile, "", opts.ExcludesFile, false); l != nil {
			m.fixed = append(m.fixed, l)
		}
	}
	return m
}

// displayName shows files inside the work tree relative to it, as git
// does (".git/info/exclude").
func displayName(root, file string) string {
	if rel, err := filepath.Rel(root, file); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return file
}

// readList reads one ignore file; nil when it cannot be read. Like git,
// an in-tree .gitignore that is a symlink is not followed.
func readList(file, base, display string, noFollow bool) *List {
	if noFollow {
		fi, err := os.Lstat(file)
		if err != nil || !fi.Mode().IsRegular() {
			return nil
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	return Parse(data, base, display)
}

// Dir returns the patterns of dir's .gitignore ("" for the root), nil when
// it has none.
func (m *Matcher) Dir(dir string) *List {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.dirLocked(dir)
}

func (m *Matcher) dirLocked(dir string) *List {
	if l, ok := m.dirs[dir]; ok {
		return l
	}
	display := ".gitignore"
	if dir != "" {
		display = dir + "/.gitignore"
	}
	l := readList(filepath.Join(m.root, filepath.FromSlash(display)), dir, display, true)
	m.dirs[dir] = l
	return l
}

// Match decides for one path (slash-separated, relative to the root; isDir
// says whether it is a directory). A path below an excluded directory is
// ignored, and the decision names the pattern that excluded the directory,
// as `git check-ignore -v` does.
func (m *Matcher) Match(p string, isDir bool) Decision {
	p = strings.Trim(p, "/")
	if p == "" {
		return Decision{}
	}
	if dir := parentDir(p); dir != "" {
		if d := m.excludedDir(dir); d.Ignored {
			return d
		}
	}
	d, _ := m.decide(p, isDir)
	return d
}

func parentDir(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

// excludedDir returns the decision that excludes dir or one of its
// ancestors (Ignored false when none does), caching it per directory.
func (m *Matcher) excludedDir(dir string) Decision {
	m.mu.Lock()
	d, ok := m.xdirs[dir]
	m.mu.Unlock()
	if ok {
		return d
	}
	if parent := parentDir(dir); parent != "" {
		d = m.excludedDir(parent)
	}
	if !d.Ignored {
		d, _ = m.decide(dir, true)
		if !d.Ignored {
			d = Decision{}
		}
	}
	m.mu.Lock()
	m.xdirs[dir] = d
	m.mu.Unlock()
	return d
}

// decide applies the patterns that can see p, without looking at whether
// a parent is excluded: the deepest .gitignore first, up to the root, then
// info/exclude and the global file.
func (m *Matcher) decide(p string, isDir bool) (Decision, bool) {
	m.mu.Lock()
	var lists []*List
	for dir := parentDir(p); ; dir = parentDir(dir) {
		if l := m.dirLocked(dir); l != nil {
			lists = append(lists, l)
		}
		if dir == "" {
			break
		}
	}
	m.mu.Unlock()
	lists = append(lists, m.fixed...)
	for _, l := range lists {
		if d, ok := l.match(p, isDir, m.fold); ok {
			return d, true
		}
	}
	return Decision{}, false
}

// DefaultExcludesFile returns git's default global excludes file,
// $XDG_CONFIG_HOME/git/ignore or ~/.config/git/ignore. ForRepo honours
// core.excludesFile first.
func DefaultExcludesFile() string {
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "git", "ignore")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".config", "git", "ignore")
	}
	return ""
}
