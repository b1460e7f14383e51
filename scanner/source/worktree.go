package source

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/clayscan/clayscan/internal/git"
	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/ignore"
)

// Worktree scans what git would commit: tracked files as they are on disk,
// and untracked files that are not ignored. Outside a repository it scans
// the directory, honouring the .gitignore files it finds.
//
// Tracked files come from the index, so a tracked file is scanned even when
// a .gitignore pattern matches it; the directory walk only looks for
// untracked files and never enters ignored directories (unless
// IncludeIgnored), .git directories or nested repositories. Symlinks are
// never followed.
type Worktree struct {
	Path string
	// Repo, when set, is the repository holding Path, opened by the
	// caller (who closes it), so that a command opens it once.
	Repo           *git.Repository
	MaxFileSize    int64 // skip files larger than this; 0 scans every file
	IncludeIgnored bool  // scan ignored untracked files too
	Workers        int   // 0 means GOMAXPROCS
}

// tree is an opened work tree: what the index says, and how to walk the
// rest.
type tree struct {
	root   string // absolute root of the work tree (or scanned directory)
	start  string // absolute directory the scan covers (root or below)
	isRepo bool
	// trackedJobs are tracked regular files under start, from the index.
	trackedJobs  []string
	trackedSkips map[string]scanner.SkipReason // tracked symlinks, submodules
	tracked      map[string]struct{}           // every tracked path
	trackedDirs  map[string]struct{}           // every directory holding a tracked path
	matcher      *ignore.Matcher
	includeIgn   bool
	gitDir       string // the repository's own git directory, real path ("" outside one)
	lfsDir       string // where its LFS objects are ("" outside a repository)
}

func (w *Worktree) open() (*tree, error) {
	path := w.Path
	if path == "" {
		path = "."
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolving %q: %w", path, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("opening %q: %w", path, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%q is not a directory", path)
	}
	t := &tree{start: abs, includeIgn: w.IncludeIgnored, trackedSkips: map[string]scanner.SkipReason{}}
	repo, release, err := openRepo(w.Repo, abs)
	switch {
	case errors.Is(err, ErrNotRepository):
		t.root = abs
		t.matcher = ignore.New(abs, ignore.Options{})
		return t, nil
	case err != nil:
		return nil, err
	}
	defer release()
	if repo.Root == "" {
		if filepath.Base(repo.GitDir) == ".git" {
			// Inside a .git directory, which git treats as bare too.
			return nil, fmt.Errorf("%q is inside a git directory: like a %w, it has no working tree to scan (scan the work tree above it, or its commits with 'clayscan history')", path, ErrBareRepository)
		}
		return nil, fmt.Errorf("%q is a %w: it has no working tree to scan (scan its commits with 'clayscan history')", path, ErrBareRepository)
	}
	t.root, t.isRepo = repo.Root, true
	t.gitDir = realPath(repo.GitDir)
	t.lfsDir = lfsObjectsDir(repo)
	// The index is read as the staged scan reads it (skipHash, split and
	// sparse indexes included), so the two fail alike on one that cannot
	// be read. Sparse directories are expanded: their files are tracked,
	// though not checked out.
	idx, err := repo.ReadIndex()
	if err != nil {
		return nil, err
	}
	defer idx.Close()
	if err := idx.ExpandSparse(repo.TreeReader()); err != nil {
		return nil, err
	}
	// Limit to the requested subdirectory, if any. Compare real paths: the
	// root go-git reports and the path given may differ by symlinks
	// (macOS's /var is /private/var).
	prefix := ""
	rel, err := filepath.Rel(realPath(repo.Root), realPath(abs))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("%q is not inside the working tree at %q", path, repo.Root)
	}
	if rel != "." {
		prefix = filepath.ToSlash(rel) + "/"
		t.start = filepath.Join(t.root, rel)
	} else {
		t.start = t.root
	}
	if strings.HasPrefix(prefix, ".git/") {
		return nil, fmt.Errorf("%q is inside the git directory, not the working tree", path)
	}
	t.tracked = make(map[string]struct{}, len(idx.Entries))
	t.trackedDirs = map[string]struct{}{}
	t.trackedJobs = make([]string, 0, len(idx.Entries))
	for i := range idx.Entries {
		e := &idx.Entries[i]
		if _, dup := t.tracked[e.Name]; dup { // conflict stages list a path more than once
			continue
		}
		name := strings.Clone(e.Name) // the index is unmapped on return
		t.tracked[name] = struct{}{}
		for d := name; ; {
			i := strings.LastIndexByte(d, '/')
			if i < 0 {
				break
			}
			d = d[:i]
			if _, ok := t.trackedDirs[d]; ok {
				break
			}
			t.trackedDirs[d] = struct{}{}
		}
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		switch e.Mode {
		case filemode.Submodule:
			t.trackedSkips[name] = scanner.SkipSubmodule
		case filemode.Symlink:
			t.trackedSkips[name] = scanner.SkipSymlink
		default:
			t.trackedJobs = append(t.trackedJobs, name)
		}
	}
	// core.excludesFile and core.ignorecase, as git reads them.
	if t.matcher, err = ignore.ForRepo(repo); err != nil {
		return nil, err
	}
	return t, nil
}

func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// ErrBareRepository is returned when the working tree of a bare repository
// is asked for.
var ErrBareRepository = errors.New("bare repository")

// walkSink receives what the directory walk finds.
type walkSink struct {
	file  func(rel string) // an untracked file to scan
	skip  func(rel string, why scanner.SkipReason)
	error func(rel string, err error) // a directory that could not be read
}

// walk reports the untracked files below t.start that git would not ignore.
// Only an unreadable start directory fails the walk; any other unreadable
// directory goes to s.error and the walk goes on.
func (t *tree) walk(s walkSink) error {
	rel := ""
	if t.start != t.root {
		r, err := filepath.Rel(t.root, t.start)
		if err != nil {
			return fmt.Errorf("resolving %q: %w", t.start, err)
		}
		rel = filepath.ToSlash(r)
	}
	entries, err := readDir(t.start)
	if err != nil {
		return fmt.Errorf("reading directory %q: %w", t.start, err)
	}
	t.walkEntries(rel, t.start, entries, s)
	return nil
}

// walkDir walks the directory dir (absolute full, relative rel), which is
// not ignored (or IncludeIgnored is set).
func (t *tree) walkDir(rel, full string, s walkSink) {
	entries, err := readDir(full)
	if err != nil {
		// The sink names the path (relative); keep the absolute one out.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = fmt.Errorf("%s: %w", pe.Op, pe.Err)
		}
		s.error(rel, err)
		return
	}
	// An untracked nested repository: git shows it as one entry and does
	// not look inside.
	if t.isNestedRepo(rel, full, entries) {
		s.skip(rel, scanner.SkipSubmodule)
		return
	}
	t.walkEntries(rel, full, entries, s)
}

// isNestedRepo decides as git's treat_directory does: a directory with
// tracked paths is walked; otherwise its .git must make it a repository
// (git.IsNonbareRepositoryDir: an empty .git/ or a .git file with a
// dangling gitdir: does not, and git adds its files), and that .git must
// not be this repository's own git directory.
func (t *tree) isNestedRepo(rel, full string, entries []os.DirEntry) bool {
	for _, e := range entries {
		if e.Name() != ".git" {
			continue
		}
		if _, hasTracked := t.trackedDirs[rel]; hasTracked {
			return false
		}
		if !git.IsNonbareRepositoryDir(full) {
			return false
		}
		return t.gitDir == "" || realPath(filepath.Join(full, ".git")) != t.gitDir
	}
	return false
}

func (t *tree) walkEntries(rel, full string, entries []os.DirEntry, s walkSink) {
	for _, e := range entries {
		name := e.Name()
		if name == ".git" {
			continue
		}
		crel := name
		if rel != "" {
			crel = rel + "/" + name
		}
		typ := e.Type()
		if typ.IsDir() {
			if !t.includeIgn && t.matcher.Match(crel, true).Ignored {
				continue
			}
			t.walkDir(crel, full+string(filepath.Separator)+name, s)
			continue
		}
		if _, ok := t.tracked[crel]; ok {
			continue
		}
		if !t.includeIgn && t.matcher.Match(crel, false).Ignored {
			continue
		}
		switch {
		case typ&fs.ModeSymlink != 0:
			s.skip(crel, scanner.SkipSymlink)
		case typ.IsRegular():
			s.file(crel)
		}
		// Sockets, pipes and devices are not content git would commit.
	}
}

// readDir lists a directory without sorting it: the walk's order does not
// matter, reports sort findings.
func readDir(dir string) ([]os.DirEntry, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	return entries, err
}

// Scan implements scanner.Source. Tracked files are read while the walk
// looks for untracked ones; workers read and scan in parallel.
func (w *Worktree) Scan(ctx context.Context, sink scanner.Sink) (scanner.SourceInfo, error) {
	t, err := w.open()
	if err != nil {
		return scanner.SourceInfo{Kind: "worktree"}, err
	}
	info := scanner.SourceInfo{Kind: "worktree", Root: t.root}
	for rel, why := range t.trackedSkips {
		sink.Skip(scanner.Skipped{Path: rel, Reason: why})
	}
	limit := w.MaxFileSize
	workers := w.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Paths go to the workers in batches: one channel handoff (and
	// goroutine wakeup) per file costs more than reading a small file.
	const batchSize = 32
	type batch struct {
		paths   []string
		tracked bool
	}
	jobs := make(chan batch, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := fileReader{root: t.root, limit: limit, lfs: newLFSStore(t.lfsDir, w.MaxFileSize)}
			for b := range jobs {
				// Outside a repository nothing is tracked or untracked.
				status := scanner.Target{Tracked: t.isRepo && b.tracked, Untracked: t.isRepo && !b.tracked}
				for _, rel := range b.paths {
					r.scan(rel, status, sink)
				}
			}
		}()
	}
	push := func(paths []string, tracked bool) {
		select {
		case jobs <- batch{paths, tracked}:
		case <-ctx.Done():
		}
	}
	var pending []string
	send := func(rel string) {
		if pending == nil {
			pending = make([]string, 0, batchSize)
		}
		pending = append(pending, rel)
		if len(pending) == batchSize {
			push(pending, false)
			pending = nil
		}
	}
	t.rootFact(sink)
	for i := 0; i < len(t.trackedJobs); i += batchSize {
		paths := t.trackedJobs[i:min(i+batchSize, len(t.trackedJobs))]
		for _, rel := range paths {
			t.fact(sink, rel, true)
		}
		push(paths, true)
	}
	werr := t.walk(walkSink{
		file: func(rel string) {
			t.fact(sink, rel, false)
			send(rel)
		},
		skip: func(rel string, why scanner.SkipReason) {
			sink.Skip(scanner.Skipped{Path: rel, Reason: why})
		},
		error: sink.Error,
	})
	if len(pending) > 0 {
		push(pending, false)
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return info, err
	}
	return info, werr
}

// fact reports what the work tree says about a file the scan covers, when
// a path rule wants it. Outside a repository there is nothing to commit,
// so there are no facts.
func (t *tree) fact(sink scanner.Sink, rel string, tracked bool) {
	if !t.isRepo || rel == ".gitignore" || !sink.WantsPath(rel) { // rootFact reports .gitignore
		return
	}
	sink.Path(scanner.PathFact{PathFact: rules.PathFact{
		Path:    rel,
		Where:   rules.InWorktree,
		Tracked: tracked,
		Ignore:  rules.IgnoreMatchOf(t.matcher.Match(rel, false)),
	}})
}

// rootFact reports the root .gitignore, which every clone gets: the rule
// that checks it for env-file patterns asks it about root-level names.
func (t *tree) rootFact(sink scanner.Sink) {
	if !t.isRepo || !sink.WantsPath(".gitignore") {
		return
	}
	f := rules.PathFact{Path: ".gitignore", Where: rules.InWorktree}
	if l := t.matcher.Dir(""); l != nil {
		f.RootIgnore = func(name string) rules.IgnoreMatch {
			d, _ := l.Match(name, false)
			return rules.IgnoreMatchOf(d)
		}
	}
	sink.Path(scanner.PathFact{PathFact: f})
}

// fileReader reads files for one worker into a buffer it reuses: targets
// are scanned before Sink.Scan returns, so the buffer is free again after.
type fileReader struct {
	root  string
	limit int64
	lfs   lfsStore
	buf   []byte
	dirs  map[string]bool // directory → is a real directory, not reached through a symlink
}

// realDir reports whether the directory dir (slash-separated, relative to
// the root) and its parents are directories, not symlinks. Git does not
// follow a symlink that replaced a tracked directory (the files below it
// are deleted as far as git is concerned), and neither does the scan:
// opening the file would follow the link out of the work tree.
func (r *fileReader) realDir(dir string) bool {
	if dir == "" {
		return true
	}
	if ok, seen := r.dirs[dir]; seen {
		return ok
	}
	parent := ""
	if i := strings.LastIndexByte(dir, '/'); i >= 0 {
		parent = dir[:i]
	}
	ok := r.realDir(parent)
	if ok {
		fi, err := os.Lstat(r.root + string(filepath.Separator) + filepath.FromSlash(dir))
		ok = err == nil && fi.IsDir()
	}
	if r.dirs == nil {
		r.dirs = map[string]bool{}
	}
	r.dirs[dir] = ok
	return ok
}

// scan reads rel and scans it as a target with status's Tracked and
// Untracked.
func (r *fileReader) scan(rel string, status scanner.Target, sink scanner.Sink) {
	if i := strings.LastIndexByte(rel, '/'); i >= 0 && !r.realDir(rel[:i]) {
		return // below a symlink or a deleted directory: not in the work tree
	}
	full := r.root + string(filepath.Separator) + filepath.FromSlash(rel)
	data, f, res, err := readRegular(full, r.limit, r.buf)
	switch res {
	case readOK:
		if cap(data) > cap(r.buf) {
			r.buf = data[:0]
		}
		if t := (scanner.Target{Path: rel, Data: data, Tracked: status.Tracked, Untracked: status.Untracked}); !r.lfs.redirect(sink, t) {
			sink.Scan(t)
		}
	case readStream:
		sink.Scan(scanner.Target{Path: rel, Reader: f, Tracked: status.Tracked, Untracked: status.Untracked})
		f.Close()
	case readMissing, readNotRegular:
		// A tracked file deleted from disk (nothing to commit), or a path
		// that is now a directory or special file.
	case readSymlink:
		sink.Skip(scanner.Skipped{Path: rel, Reason: scanner.SkipSymlink})
	case readTooLarge:
		sink.Skip(scanner.Skipped{Path: rel, Reason: scanner.SkipTooLarge})
	case readFailed:
		sink.Error(rel, err)
	}
}

type readResult int

const (
	readOK     readResult = iota
	readStream            // too large to read whole: stream it
	readMissing
	readSymlink
	readNotRegular
	readTooLarge
	readFailed
)
