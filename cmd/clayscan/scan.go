package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/clayscan/clayscan/config"
	"github.com/clayscan/clayscan/internal/git"
	"github.com/clayscan/clayscan/internal/redact"
	"github.com/clayscan/clayscan/internal/safefile"
	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/report"
	"github.com/clayscan/clayscan/scanner/source"
)

// scanFlags are shared by every command that scans.
type scanFlags struct {
	format      string
	output      string
	showSecrets bool
	noColor     bool
	verbose     bool
	maxSize     string
	failOn      string // "" when not given: the config's fail_on or the default applies
	// suppressionBase, set by "clayscan ci" on a pull request, is the
	// commit whose config and ignore files apply, so a PR cannot hide its
	// own key by editing them (suppress.go).
	suppressionBase string
	// Suppression flags (suppress.go).
	config       string
	baseline     string
	reportUnused bool
	maxSizeSet   bool // --max-file-size was given, so the config's max_file_size does not apply
	// repo, set by "clayscan ci", is the repository it opened already.
	repo *git.Repository
	// alsoWrite, set by "clayscan ci", writes extra outputs from a
	// successful scan (SARIF file, job summary, step outputs) (ci.go).
	alsoWrite func(res *scanner.Result) error
}

func (s *scanFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.format, "format", "text", "report format: "+strings.Join(formatNames(), ", "))
	fs.StringVar(&s.format, "f", "text", "shorthand for --format")
	fs.StringVar(&s.output, "output", "", "write the report to `FILE` (created 0600); the terminal gets the summary")
	fs.StringVar(&s.output, "o", "", "shorthand for --output")
	fs.BoolVar(&s.showSecrets, "show-secrets", false, "print full secrets instead of masked ones (never do this in CI logs)")
	fs.BoolVar(&s.noColor, "no-color", false, "disable colours (NO_COLOR is honoured too)")
	fs.BoolVar(&s.verbose, "verbose", false, "list suppressed findings and every skipped file, binary ones too")
	fs.StringVar(&s.maxSize, "max-file-size", "", "skip (and count) files larger than `SIZE`, such as 20MiB (default: no limit, every file is scanned)")
	fs.StringVar(&s.failOn, "fail-on", "", "exit 1 only for findings of `SEVERITY` (critical, high, medium, low) or above (default medium, or fail_on in the config); lower ones are reported")
	s.registerSuppression(fs) // suppress.go: --config, --baseline, --report-unused-ignores
}

// maxFileSize returns the --max-file-size limit; 0, no limit, when the flag
// is not given.
func (s *scanFlags) maxFileSize() (int64, error) {
	if s.maxSize == "" {
		return 0, nil
	}
	return rules.ParseSize(s.maxSize)
}

// newScanFlagSet is the flag set of a command that scans, with the shared
// flags registered.
func newScanFlagSet(e *env, name string) (*flag.FlagSet, *scanFlags) {
	fs := newFlagSet(e, name, "[flags] [PATH]")
	sf := &scanFlags{}
	sf.register(fs)
	return fs, sf
}

// parse parses a scanning command's arguments: its flags and the optional
// PATH. A bad --max-file-size is reported here, before any scanning.
func (s *scanFlags) parse(fs *flag.FlagSet, args []string) (path string, err error) {
	if path, err = parsePath(fs, args); err != nil {
		return "", err
	}
	return path, s.check()
}

// check normalises and validates the parsed flags, before any scanning.
func (s *scanFlags) check() error {
	// Format names are case-insensitive: -f JSON is -f json.
	s.format = strings.ToLower(s.format)
	if _, err := s.maxFileSize(); err != nil {
		return err
	}
	if s.failOn != "" {
		if _, err := rules.ParseSeverity(s.failOn); err != nil {
			return fmt.Errorf("--fail-on: %w", err)
		}
	}
	return nil
}

// parsePath parses flags anywhere among args and returns the one optional
// PATH ("." when none is given).
func parsePath(fs *flag.FlagSet, args []string) (string, error) {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return "", err
	}
	return onePath(pos)
}

// formatter writes a result in one format.
type formatter func(w io.Writer, res *scanner.Result, s *scanFlags, colored bool) error

var formats = map[string]formatter{
	"text": func(w io.Writer, res *scanner.Result, s *scanFlags, colored bool) error {
		return report.Text(w, res, report.TextOptions{Color: colored, Verbose: s.verbose})
	},
	"json": func(w io.Writer, res *scanner.Result, s *scanFlags, _ bool) error {
		return report.JSON(w, res, report.Tool{Name: "clayscan", Version: version}, report.JSONOptions{Verbose: s.verbose})
	},
	"sarif":  writeSARIF,  // formats_ci.go
	"github": writeGitHub, // formats_ci.go
}

func formatNames() []string {
	names := make([]string, 0, len(formats))
	for _, n := range []string{"text", "json", "sarif", "github"} {
		if _, ok := formats[n]; ok {
			names = append(names, n)
		}
	}
	return names
}

func runScan(ctx context.Context, e *env, args []string) int {
	fs, sf := newScanFlagSet(e, "scan")
	includeIgnored := fs.Bool("include-ignored", false, "also scan untracked files that .gitignore ignores (such as .env.local)")
	path, err := sf.parse(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	if err := checkDir(path); err != nil {
		e.errorf(err, "name the repository, or a directory in it, to scan: clayscan scan [PATH]")
		return exitError
	}
	return execScan(ctx, e, sf, path, func(cfg *config.Settings) scanner.Source {
		return &source.Worktree{Path: path, Repo: cfg.Repo, MaxFileSize: cfg.MaxFileSize, IncludeIgnored: *includeIgnored}
	}, scanner.Options{})
}

// checkDir reports a PATH that is missing or not a directory before any
// scanning starts.
func checkDir(path string) error {
	fi, err := os.Stat(path)
	var pe *os.PathError
	switch {
	case errors.As(err, &pe):
		return fmt.Errorf("cannot scan %q: %w", path, pe.Err)
	case err != nil:
		return fmt.Errorf("cannot scan %q: %w", path, err)
	case !fi.IsDir():
		return fmt.Errorf("cannot scan %q: not a directory", path)
	}
	return nil
}

func onePath(pos []string) (string, error) {
	switch len(pos) {
	case 0:
		return ".", nil
	case 1:
		return pos[0], nil
	}
	return "", fmt.Errorf("expected at most one PATH, got %d: %s", len(pos), strings.Join(pos, " "))
}

func usageError(e *env, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	hint := "run 'clayscan help' or 'clayscan <command> -h'"
	var h *hintError
	if errors.As(err, &h) {
		hint = "" // the error's own
	}
	e.errorf(err, hint)
	return exitError
}

// buildSource makes a command's source from the finished settings.
type buildSource func(cfg *config.Settings) scanner.Source

// execScan loads the configuration, builds the source from it, runs it
// through the detector and reports the result. It is the one place that
// turns a scan into output and an exit code.
// path is what the user named; the config and ignore files are looked up
// from it.
func execScan(ctx context.Context, e *env, sf *scanFlags, path string, build buildSource, opts scanner.Options) int {
	format, ok := formats[sf.format]
	if !ok {
		return usageError(e, fmt.Errorf("unknown format %q: use one of %s", sf.format, strings.Join(formatNames(), ", ")))
	}
	if _, err := sf.maxFileSize(); sf.maxSizeSet && err != nil {
		return usageError(e, err)
	}
	if _, err := rules.ParseSeverity(sf.failOn); sf.failOn != "" && err != nil {
		return usageError(e, fmt.Errorf("--fail-on: %w", err))
	}
	res, cfg, runErr := loadAndRun(ctx, e, sf, path, build, opts)
	if runErr != nil && ctx.Err() != nil {
		// Interrupted (Ctrl-C, or the CI job cancelled): what was scanned
		// is not a result. No report, no summary, no findings list that
		// could read as one (issue 12).
		return interrupted(e)
	}
	if res == nil {
		return failBeforeScan(e, sf, format, runErr)
	}
	colored := !sf.noColor && e.getenv("NO_COLOR") == "" && sf.output == "" && isTerminal(e.stdout)
	if runErr != nil {
		res.Failure = redact.String(runErr.Error()) // every format says the report is partial
	}
	warnShallow(e, sf, res)
	// A failed scan's report is written to a file (-o) and in JSON or
	// SARIF, so that CI always has one to read (issue 11); on the terminal
	// a text report of a failed scan without findings is left out, the
	// error says it all. Findings made before a failure are always
	// reported.
	if runErr == nil || len(res.Findings) > 0 || sf.output != "" || sf.format == "json" || sf.format == "sarif" {
		if err := writeReport(e, sf, format, res, colored); err != nil {
			e.errorf(err, "")
			return exitError
		}
	}
	if runErr != nil {
		e.errorf(runErr, "")
		if sf.alsoWrite != nil {
			// ci's SARIF file and job summary too, marked as failed.
			if err := sf.alsoWrite(res); err != nil {
				e.errorf(err, "")
			}
		}
		return exitError
	}
	if sf.alsoWrite != nil {
		if err := sf.alsoWrite(res); err != nil {
			e.errorf(err, "")
			return exitError
		}
	}
	if len(res.Errors) > 0 {
		e.errorf(fmt.Errorf("%d file(s) could not be read; the scan is incomplete", len(res.Errors)), "fix the permissions or remove the files, then scan again")
		return exitError
	}
	return exitFor(e, cfg, res)
}

// warnShallow says on stderr that a shallow clone's history was not
// scanned in full. The text report opens with this warning; a report
// written to a file or read by a tool must not be the only place it
// appears.
func warnShallow(e *env, sf *scanFlags, res *scanner.Result) {
	if res.Summary.Shallow && (sf.output != "" || sf.format != "text") {
		fmt.Fprintf(e.stderr, "clayscan: warning: this is a shallow clone: history before the shallow boundary was NOT scanned\nclayscan: hint: fetch the full history (git fetch --unshallow, or actions/checkout with fetch-depth: 0) and scan again\n")
	}
}

// exitFor is exit 1 when a finding is at or above the fail threshold.
// Findings below it are reported and do not fail, and stderr says so, so
// that a report with findings and exit 0 is not read as an error.
func exitFor(e *env, cfg *config.Settings, res *scanner.Result) int {
	failing := 0
	for _, f := range res.Findings {
		if cfg.Fails(f.Severity) {
			failing++
		}
	}
	if below := len(res.Findings) - failing; below > 0 {
		fmt.Fprintf(e.stderr, "clayscan: %d finding%s below the fail threshold (%s): reported, not failing the scan\n",
			below, map[bool]string{true: "", false: "s"}[below == 1], cfg.FailOn)
	}
	if failing > 0 {
		return exitFindings
	}
	return exitClean
}

// interrupted reports a scan stopped by a signal: exit 130, as a shell
// reports a command killed by SIGINT.
func interrupted(e *env) int {
	e.errorf(errors.New("scan interrupted: results are incomplete"), "nothing was reported and no report file was written; run the scan again to completion")
	return exitInterrupted
}

// loadAndRun loads the settings for path, builds the source and runs it.
// A nil result means the run could not start (bad flags or configuration):
// err says why.
func loadAndRun(ctx context.Context, e *env, sf *scanFlags, path string, build buildSource, opts scanner.Options) (*scanner.Result, *config.Settings, error) {
	copts := config.Options{Path: path, ConfigFile: sf.config, Baseline: sf.baseline, Base: sf.suppressionBase, Repo: sf.repo}
	if sf.maxSizeSet {
		n, err := sf.maxFileSize()
		if err != nil {
			return nil, nil, err
		}
		copts.MaxFileSize = n
	}
	if sf.failOn != "" {
		sev, err := rules.ParseSeverity(sf.failOn)
		if err != nil {
			return nil, nil, fmt.Errorf("--fail-on: %w", err)
		}
		copts.FailOn = sev
	}
	cfg, err := config.Load(copts)
	if err != nil {
		return nil, nil, err
	}
	defer cfg.Close() // the repository, opened once by Load and read by the source
	det, err := scanner.NewDetector(cfg.Rules)
	if err != nil {
		return nil, nil, err
	}
	src := build(cfg)
	opts.ShowSecrets = sf.showSecrets
	opts.LinkSecrets = true           // other occurrences of a found key (issue 11); free when nothing is found
	opts.ListBinarySkips = sf.verbose // binary skips are counted only, unless asked
	opts.Filters = append(opts.Filters, cfg.Filters...)
	opts.LineFilter = cfg.LineFilter
	opts.PathRules = cfg.PathRules
	opts.Facts = cfg.Facts
	res, runErr := scanner.Run(ctx, src, det, opts)
	if runErr == nil && sf.reportUnused {
		reportUnusedIgnores(e, cfg.Ignores) // suppress.go
	}
	return res, cfg, runErr
}

// failBeforeScan reports an error that stopped the scan before it began
// (a bad config): with -o, the report file still gets written, holding the
// error and nothing scanned, so that CI always has a file to read.
func failBeforeScan(e *env, sf *scanFlags, format formatter, err error) int {
	e.errorf(err, "")
	if sf.output != "" {
		res := &scanner.Result{Failure: redact.String(err.Error()), Summary: scanner.Summary{Skipped: map[scanner.SkipReason]int64{}}}
		if werr := writeReport(e, sf, format, res, false); werr != nil {
			e.errorf(werr, "")
		}
	}
	return exitError
}

// writePrivate writes a report to the file name, created 0600 since it may
// hold findings: atomically, never through a symlink (safefile).
func writePrivate(name string, data []byte) error {
	return safefile.Write(name, data, 0o600)
}

// writeReport writes the report to stdout, or to -o FILE (mode 0600) with
// the summary line on stdout.
func writeReport(e *env, sf *scanFlags, format formatter, res *scanner.Result, colored bool) error {
	if sf.output == "" {
		return format(e.stdout, res, sf, colored)
	}
	var buf bytes.Buffer
	if err := format(&buf, res, sf, false); err != nil {
		return err
	}
	if err := writePrivate(sf.output, buf.Bytes()); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	fmt.Fprintf(e.stdout, "%s\nReport written to %s\n", report.SummaryLine(res, !sf.noColor && e.getenv("NO_COLOR") == "" && isTerminal(e.stdout)), safePath(sf.output))
	return nil
}
