package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clayscan/clayscan/config"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/merge"
	"github.com/clayscan/clayscan/scanner/source"
)

// readRepoList reads --repos FILE: one repository path per line; blank
// lines and lines starting with # are ignored. Relative paths are relative
// to the current directory, as on the command line.
func readRepoList(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("reading the repository list %q: %w", name, unwrapPath(err))
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the repository list %q: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the repository list %q names no repository", name)
	}
	return out, nil
}

// dedupePaths drops repeated repositories (the same cleaned path).
func dedupePaths(paths []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		c := filepath.Clean(p)
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// runHistoryMany scans several repositories, jobs at a time, and writes one
// report: every finding names its repository, and Result.Repositories holds
// each one's summary or error (docs/many-repositories.md). Each repository
// is scanned with its own settings (.clayscan.toml, ignores), as a scan of
// it alone would be. A repository that cannot be scanned is reported and
// the others still are; the exit code is then 2.
func runHistoryMany(ctx context.Context, e *env, sf *scanFlags, paths []string, proto source.History, jobs int) int {
	format, ok := formats[sf.format]
	if !ok {
		return usageError(e, fmt.Errorf("unknown format %q: use one of %s", sf.format, strings.Join(formatNames(), ", ")))
	}
	if jobs < 1 {
		jobs = 1
	}
	start := time.Now()
	results := make([]*scanner.Result, len(paths))
	cfgs := make([]*config.Settings, len(paths))
	errs := make([]error, len(paths))
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i, p := range paths {
		if ctx.Err() != nil {
			errs[i] = ctx.Err()
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i], cfgs[i], errs[i] = loadAndRun(ctx, e, sf, p, func(cfg *config.Settings) scanner.Source {
				h := proto
				h.Path = p
				h.MaxFileSize = cfg.MaxFileSize
				return &hintedHistory{finished: &atomic.Bool{}, h: &h}
			}, scanner.Options{})
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		// Interrupted: no report of a partial sweep (issue 12).
		return interrupted(e)
	}
	res := merge.Results(paths, results, errs)
	res.Summary.DurationMS = time.Since(start).Milliseconds()

	warnShallow(e, sf, res)
	colored := !sf.noColor && e.getenv("NO_COLOR") == "" && sf.output == "" && isTerminal(e.stdout)
	if err := writeReport(e, sf, format, res, colored); err != nil {
		e.errorf(err, "")
		return exitError
	}
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			e.errorf(fmt.Errorf("%s: %w", paths[i], err), "")
		}
	}
	if ctx.Err() != nil {
		return exitError
	}
	if failed > 0 {
		e.errorf(fmt.Errorf("%d of %d repositories could not be scanned in full; the report covers the rest", failed, len(paths)), "")
		return exitError
	}
	if len(res.Errors) > 0 {
		e.errorf(fmt.Errorf("%d object(s) or file(s) could not be read; the scan is incomplete", len(res.Errors)), "")
		return exitError
	}
	// Each repository's own fail threshold decides its findings.
	failing, below := 0, 0
	for i, r := range results {
		if r == nil {
			continue
		}
		for _, f := range r.Findings {
			if cfgs[i].Fails(f.Severity) {
				failing++
			} else {
				below++
			}
		}
	}
	if below > 0 {
		fmt.Fprintf(e.stderr, "clayscan: %d finding%s below the fail threshold: reported, not failing the scan\n", below, plural(below))
	}
	if failing > 0 {
		return exitFindings
	}
	return exitClean
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
