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

	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/ignore"
)

// DefaultMaxFileSize is the size above which files are skipped (and counted).
const DefaultMaxFileSize = 10 << 20

// Worktree scans what git would commit: tracked files as they are on disk,
// and untracked files that are not ignored. Outside a repository it scans
// the directory, honouring the .gitignore files it finds.
type Worktree struct {
	Path           string
	MaxFileSize    int64 // 0 means DefaultMaxFileSize
	IncludeIgnored bool  // scan ignored untracked files too
	Workers        int   // 0 means GOMAXPROCS
}

// WorktreeFile is one file the worktree source would scan, with its status.
type WorktreeFile struct {
	Path    string // slash-separated, relative to the root
	Tracked bool
}

// Files lists the files the source scans, and the root they are relative
// to, without reading them. The .env policy uses it to see untracked files
// exactly as the scan does.
func (w *Worktree) Files() (root string, files []WorktreeFile, skipped map[string]scanner.SkipReason, isRepo bool, err error) {
	plan, err := w.plan()
	if err != nil {
		return "", nil, nil, false, err
	}
	for _, j := range plan.jobs {
		files = append(files, WorktreeFile{Path: j.rel, Tracked: j.tracked})
	}
	return plan.root, files, plan.skipped, plan.isRepo, nil
}

type job struct {
	rel     string
	tracked bool
}

type plan struct {
	root    string
	isRepo  bool
	jobs    []job
	skipped map[string]scanner.SkipReason
}

func (w *Worktree) plan() (*plan, error) {
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
	p := &plan{skipped: map[string]scanner.SkipReason{}}
	repo, err := OpenRepo(abs)
	switch {
	case errors.Is(err, ErrNotRepository):
		p.root = abs
		m := ignore.New(abs, ignore.Options{})
		return p, p.walk(abs, nil, m, w.IncludeIgnored)
	case err != nil:
		return nil, err
	}
	if repo.Root == "" {
		return nil, fmt.Errorf("%q is a bare repository: it has no working tree to scan (use 'clayscan history')", path)
	}
	p.root, p.isRepo = repo.Root, true
	idx, err := repo.Git.Storer.Index()
	if err != nil {
		return nil, fmt.Errorf("reading the index of %q: %w", repo.Root, err)
	}
	// Limit to the requested subdirectory, if any.
	prefix := ""
	if rel, err := filepath.Rel(repo.Root, abs); err == nil && rel != "." {
		prefix = filepath.ToSlash(rel) + "/"
	}
	tracked := make(map[string]bool, len(idx.Entries))
	for _, e := range idx.Entries {
		if tracked[e.Name] { // conflict stages list a path more than once
			continue
		}
		tracked[e.Name] = true
		if !strings.HasPrefix(e.Name, prefix) {
			continue
		}
		switch e.Mode {
		case filemode.Submodule:
			p.skipped[e.Name] = scanner.SkipSubmodule
		case filemode.Symlink:
			p.skipped[e.Name] = scanner.SkipSymlink
		default:
			p.jobs = append(p.jobs, job{rel: e.Name, tracked: true})
		}
	}
	m := ignore.New(repo.Root, ignore.Options{GitDir: repo.GitDir, ExcludesFile: ignore.DefaultExcludesFile()})
	return p, p.walk(abs, tracked, m, w.IncludeIgnored)
}

// walk adds the untracked files below dir that git would not ignore.
func (p *plan) walk(dir string, tracked map[string]bool, m *ignore.Matcher, includeIgnored bool) error {
	return filepath.WalkDir(dir, func(full string, d fs.DirEntry, err error) error {
		if err != nil {
			if full == dir {
				return err
			}
			p.skipped[full] = "unreadable"
			return nil
		}
		rel, _ := filepath.Rel(p.root, full)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			if full != dir {
				// An untracked nested repository: git shows it as one
				// entry and does not look inside.
				if _, err := os.Lstat(filepath.Join(full, ".git")); err == nil && !hasTrackedPrefix(tracked, rel+"/") {
					if !m.Match(rel, true).Ignored || includeIgnored {
						p.skipped[rel] = scanner.SkipSubmodule
					}
					return filepath.SkipDir
				}
			}
			if !includeIgnored && m.Match(rel, true).Ignored {
				return filepath.SkipDir
			}
			return nil
		}
		if tracked[rel] {
			return nil
		}
		if !includeIgnored && m.Match(rel, false).Ignored {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			p.skipped[rel] = scanner.SkipSymlink
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		p.jobs = append(p.jobs, job{rel: rel})
		return nil
	})
}

func hasTrackedPrefix(tracked map[string]bool, prefix string) bool {
	for t := range tracked {
		if strings.HasPrefix(t, prefix) {
			return true
		}
	}
	return false
}

// Scan implements scanner.Source.
func (w *Worktree) Scan(ctx context.Context, sink scanner.Sink) (scanner.SourceInfo, error) {
	p, err := w.plan()
	if err != nil {
		return scanner.SourceInfo{Kind: "worktree"}, err
	}
	info := scanner.SourceInfo{Kind: "worktree", Root: p.root}
	for path, why := range p.skipped {
		sink.Skip(path, why)
	}
	limit := w.MaxFileSize
	if limit <= 0 {
		limit = DefaultMaxFileSize
	}
	workers := w.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan job, 64)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				scanFile(p.root, j.rel, limit, sink)
			}
		}()
	}
	var cerr error
feed:
	for _, j := range p.jobs {
		select {
		case jobs <- j:
		case <-ctx.Done():
			cerr = ctx.Err()
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return info, cerr
}

func scanFile(root, rel string, limit int64, sink scanner.Sink) {
	full := filepath.Join(root, filepath.FromSlash(rel))
	fi, err := os.Lstat(full)
	if errors.Is(err, fs.ErrNotExist) {
		return // a tracked file deleted from disk: nothing to commit
	}
	if err != nil {
		sink.Error(rel, err)
		return
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		sink.Skip(rel, scanner.SkipSymlink)
		return
	case fi.IsDir():
		// A tracked path that is now a directory (or a submodule checkout).
		return
	case !fi.Mode().IsRegular():
		return
	case fi.Size() > limit:
		sink.Skip(rel, scanner.SkipTooLarge)
		return
	}
	data, err := os.ReadFile(full)
	if err != nil {
		sink.Error(rel, err)
		return
	}
	sink.Scan(scanner.Target{Path: rel, Data: data})
}
