package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/clayscan/clayscan/config"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
)

func runHistory(ctx context.Context, e *env, args []string) int {
	fs, sf := newScanFlagSet(e, "history")
	rng := fs.String("range", "", "scan only the commits in `BASE..HEAD` (reachable from HEAD, not from BASE; merges included)")
	since := fs.String("since-commit", "", "scan only the commits after `SHA` up to HEAD (same as --range SHA..HEAD)")
	branch := fs.String("branch", "", "scan only the history of `REF` instead of every ref")
	allObjects := fs.Bool("all-objects", false, "also scan unreachable blobs in the object database (dropped stashes, rewritten history)")
	reposFile := fs.String("repos", "", "scan the repositories listed in `FILE` (one path per line), with any PATHs given")
	jobs := fs.Int("jobs", 2, "with several repositories: scan `N` at a time (memory grows with N)")
	paths, err := parseArgs(fs, args)
	if err == nil {
		err = sf.check()
	}
	if err != nil {
		return usageError(e, err)
	}
	if *reposFile != "" {
		listed, err := readRepoList(*reposFile)
		if err != nil {
			e.errorf(err, "list one repository path per line")
			return exitError
		}
		paths = append(paths, listed...)
	}
	if *jobs < 1 {
		return usageError(e, fmt.Errorf("--jobs %d: scan at least one repository at a time", *jobs))
	}
	if *rng != "" && *since != "" {
		return usageError(e, errors.New("use either --range or --since-commit, not both"))
	}
	if *allObjects && (*rng != "" || *since != "" || *branch != "") {
		return usageError(e, errors.New("--all-objects scans the whole object database; it cannot be combined with --range, --since-commit or --branch"))
	}
	if *branch != "" && (*rng != "" || *since != "") {
		return usageError(e, errors.New("--branch cannot be combined with --range or --since-commit"))
	}
	// A sweep's memory is mostly flat arrays that the collector does not
	// scan, and its blob phase recycles its buffers (issue 14), so
	// collecting at 1.75x the live heap instead of Go's 2x costs little
	// CPU for less memory: on the 200,000-commit synthetic history GOGC=75
	// ran about 5% faster than 50 for 10-25 MiB more (about 150 MiB),
	// and 100 about 5% faster again for 165-170 MiB. A GOGC the user sets
	// wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(75)
	}
	if len(paths) > 1 || *reposFile != "" {
		proto := source.History{Range: *rng, SinceCommit: *since, Branch: *branch, AllObjects: *allObjects}
		return runHistoryMany(ctx, e, sf, dedupePaths(paths), proto, *jobs)
	}
	path := "."
	if len(paths) == 1 {
		path = paths[0]
	}
	counters := &source.HistoryCounters{}
	finished := &atomic.Bool{}
	var opts scanner.Options
	if isTerminal(e.stderr) {
		bar := &progressBar{w: e.stderr, c: counters, finished: finished, width: stderrWidth(e)}
		opts.Progress = bar.update
		opts.ProgressEvery = 250 * time.Millisecond
	}
	return execScan(ctx, e, sf, path, func(cfg *config.Settings) scanner.Source {
		return &hintedHistory{finished: finished, h: &source.History{
			Path:        path,
			Repo:        cfg.Repo,
			Range:       *rng,
			SinceCommit: *since,
			Branch:      *branch,
			AllObjects:  *allObjects,
			MaxFileSize: cfg.MaxFileSize,
			Counters:    counters,
		}}
	}, opts)
}

// hintedHistory adds the CLI's hints to the history source's errors.
type hintedHistory struct {
	h        *source.History
	finished *atomic.Bool // the progress bar clears its line from then on
}

// KeepForRescan and Rescan let the second pass (linking) read the sweep's
// blobs again without walking the history again.
func (s *hintedHistory) KeepForRescan(keep bool) { s.h.KeepForRescan(keep) }

func (s *hintedHistory) Rescan(ctx context.Context, sink scanner.Sink, need scanner.Anchors) bool {
	return s.h.Rescan(ctx, sink, need)
}

func (s *hintedHistory) Scan(ctx context.Context, sink scanner.Sink) (scanner.SourceInfo, error) {
	info, err := s.h.Scan(ctx, sink)
	s.finished.Store(true)
	switch {
	case err == nil:
	case errors.Is(err, source.ErrShallowBase):
		err = withHint(err, "this is a shallow clone: fetch the full history (actions/checkout with fetch-depth: 0, or git fetch --unshallow) and scan again")
	case errors.Is(err, source.ErrNoCommits):
		err = withHint(err, "commit first, or run 'clayscan scan' to scan the working tree")
	case errors.Is(err, source.ErrUnknownRevision):
		if info.Shallow {
			err = withHint(err, "this is a shallow clone: fetch the full history (actions/checkout with fetch-depth: 0, or git fetch --unshallow) and scan again")
		} else {
			err = withHint(err, "check the name with 'git rev-parse', and fetch the ref if it lives on a remote")
		}
	case errors.Is(err, source.ErrCorrupt):
		err = withHint(err, "run 'git fsck' to see what is damaged (a partial or shallow clone lacks objects by design); findings from the rest of the history are still reported")
	case errors.Is(err, source.ErrNotRepository):
		err = withHint(err, "run clayscan history inside a git repository, or pass its path")
	}
	return info, err
}

func humanSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
