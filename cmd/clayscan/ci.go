package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"

	"github.com/clayscan/clayscan/config"
	"github.com/clayscan/clayscan/internal/escape"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/report"
	"github.com/clayscan/clayscan/scanner/source"

	"github.com/clayscan/clayscan/internal/git"
)

// runCI scans what a GitHub Actions event brings (docs/action.md):
// a pull request's commits, a push's commits, or else the full history.
func runCI(ctx context.Context, e *env, args []string) int {
	fs, sf := newScanFlagSet(e, "ci")
	if e.getenv("GITHUB_ACTIONS") == "true" {
		// Annotations by default on the runner; text elsewhere.
		sf.format = "github"
		fs.Lookup("format").DefValue = "github"
		fs.Lookup("f").DefValue = "github"
	}
	sarifPath := fs.String("sarif", "", "also write a SARIF report to `FILE`, for github/codeql-action/upload-sarif")
	noSummary := fs.Bool("no-summary", false, "do not append the Markdown summary to $GITHUB_STEP_SUMMARY")
	path, err := sf.parse(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	if sf.showSecrets {
		return usageError(e, errors.New("--show-secrets is not allowed in ci: CI logs, annotations and summaries are shared"))
	}
	if _, ok := formats[sf.format]; !ok {
		return usageError(e, fmt.Errorf("unknown format %q: use one of %s", sf.format, strings.Join(formatNames(), ", ")))
	}

	// An error before the scan still leaves the report files CI reads
	// (-o, --sarif), saying that nothing was scanned (issue 11).
	fail := func(err error, hint string) int {
		code := ciError(e, err, hint, !*noSummary)
		writeFailureFiles(e, sf, *sarifPath, err)
		return code
	}
	plan, err := planCI(e.getenv)
	if err != nil {
		return fail(err, "")
	}
	repo, err := git.Open(path)
	if err != nil {
		return fail(err, "run clayscan ci inside the checked-out repository (actions/checkout)")
	}
	defer repo.Close()
	if err := plan.check(e, repo); err != nil {
		return fail(err, "")
	}
	if plan.nothing {
		fmt.Fprintf(e.stderr, "clayscan: %s: nothing to scan\n", plan.scope)
		return exitClean
	}
	fmt.Fprintf(e.stderr, "clayscan: scanning %s\n", plan.scope)
	sf.suppressionBase = plan.base
	sf.repo = repo
	sf.alsoWrite = func(res *scanner.Result) error {
		if res.Summary.Shallow {
			// The up-front check makes this unreachable; never report a
			// clean result over history that was not there.
			return errShallow
		}
		return writeCIOutputs(e, res, plan.scopeMD, *sarifPath, !*noSummary)
	}
	return execScan(ctx, e, sf, path, func(cfg *config.Settings) scanner.Source {
		return &source.History{Path: path, Repo: cfg.Repo, Range: plan.rng, MaxFileSize: cfg.MaxFileSize}
	}, scanner.Options{})
}

// writeFailureFiles writes the report files ci was asked for (-o FILE,
// --sarif FILE) when it stops before scanning: each holds the error and
// nothing scanned.
func writeFailureFiles(e *env, sf *scanFlags, sarifPath string, err error) {
	res := &scanner.Result{Source: "history", Failure: err.Error(), Summary: scanner.Summary{Skipped: map[scanner.SkipReason]int64{}}}
	if sf.output != "" {
		if werr := writeReport(e, sf, formats[sf.format], res, false); werr != nil {
			e.errorf(werr, "")
		}
	}
	if sarifPath != "" {
		var buf bytes.Buffer
		if werr := report.SARIF(&buf, res, report.Tool{Name: "clayscan", Version: version}); werr == nil {
			if werr := writePrivate(sarifPath, buf.Bytes()); werr != nil {
				e.errorf(fmt.Errorf("writing the SARIF report: %w", werr), "")
			}
		}
	}
}

// ciError reports an error that stops ci before it scans, also where people
// look on GitHub: an error annotation and the job summary.
func ciError(e *env, err error, hint string, summary bool) int {
	e.errorf(err, hint)
	var h *hintError
	if hint == "" && errors.As(err, &h) {
		hint = h.hint
	}
	msg := safe(err.Error())
	if hint != "" {
		msg += "\n" + safe(hint)
	}
	if e.getenv("GITHUB_ACTIONS") == "true" {
		fmt.Fprintf(e.stdout, "::error title=%s::%s\n", escape.WorkflowProperty("clayscan: error"), escape.WorkflowData(msg))
	}
	if p := e.getenv("GITHUB_STEP_SUMMARY"); p != "" && summary {
		_ = appendTo(p, func(w io.Writer) error {
			_, err := fmt.Fprintf(w, "## clayscan: error\n\nNothing was scanned: %s\n\n", escape.MarkdownCode(strings.ReplaceAll(msg, "\n", ". "), false))
			return err
		})
	}
	return exitError
}

// ciPlan is what an event asks to scan.
type ciPlan struct {
	event string
	// scope tells people what was scanned, in the log line; scopeMD is
	// the same in Markdown, for the job summary (setScope).
	scope, scopeMD string
	// rng is "BASE..HEAD", or "" for the full history.
	rng string
	// base is the pull request's base commit: config and ignores are read
	// from it so that a pull request cannot suppress its own key.
	base string
	// from and to are the range's ends, checked to be in the checkout.
	from, to string
	// push: when from is missing (a force push) the full history is
	// scanned instead.
	push bool
	ref  string
	// nothing is set for a deleted branch.
	nothing bool
}

var (
	shaRE      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:[0-9a-f]{40}|[0-9a-f]{64})$`) })
	errShallow = withHint(errors.New("the checkout is a shallow clone: clayscan ci would scan less history than it claims"),
		"set fetch-depth: 0 on actions/checkout (or run git fetch --unshallow) so the commits to scan are present")
)

// untrusted marks a name (a ref or event name from the payload) for
// setScope.
type untrusted string

// setScope sets the scope for the terminal, where names are C-quoted like
// paths, and for the Markdown job summary, where they are code spans;
// everything else in args is clayscan's own (numbers, checked SHAs).
func (p *ciPlan) setScope(format string, args ...any) {
	text, md := make([]any, len(args)), make([]any, len(args))
	for i, a := range args {
		text[i], md[i] = a, a
		if n, ok := a.(untrusted); ok {
			text[i], md[i] = escape.Path(string(n)), escape.MarkdownCode(string(n), false)
		}
	}
	p.scope, p.scopeMD = fmt.Sprintf(format, text...), fmt.Sprintf(format, md...)
}

func isZeroSHA(s string) bool { return s != "" && strings.Trim(s, "0") == "" }

// ghEvent is the part of a GitHub event payload that ci reads.
type ghEvent struct {
	Before     string `json:"before"`
	After      string `json:"after"`
	Ref        string `json:"ref"`
	Deleted    bool   `json:"deleted"`
	MergeGroup *struct {
		BaseSHA string `json:"base_sha"`
		HeadSHA string `json:"head_sha"`
		HeadRef string `json:"head_ref"`
	} `json:"merge_group"`
	PullRequest *struct {
		Number int `json:"number"`
		Base   struct {
			SHA string `json:"sha"`
			Ref string `json:"ref"`
		} `json:"base"`
		Head struct {
			SHA string `json:"sha"`
			Ref string `json:"ref"`
		} `json:"head"`
	} `json:"pull_request"`
}

// planCI reads GITHUB_EVENT_NAME and the payload at GITHUB_EVENT_PATH.
func planCI(getenv func(string) string) (*ciPlan, error) {
	event := getenv("GITHUB_EVENT_NAME")
	p := &ciPlan{event: event}
	switch event {
	case "pull_request", "pull_request_target":
		ev, err := readEvent(getenv)
		if err != nil {
			return nil, err
		}
		if ev.PullRequest == nil {
			return nil, fmt.Errorf("the %s event payload has no pull_request", event)
		}
		base, head := ev.PullRequest.Base.SHA, ev.PullRequest.Head.SHA
		if !shaRE().MatchString(base) || !shaRE().MatchString(head) {
			return nil, fmt.Errorf("the %s event payload has no valid pull_request.base.sha and head.sha", event)
		}
		p.rng, p.base, p.from, p.to = base+".."+head, base, base, head
		p.setScope("pull request #%d: the commits in %s..%s", ev.PullRequest.Number, shortSHA(base), shortSHA(head))
	case "merge_group":
		// A merge queue: the queued commits on top of the base branch.
		ev, err := readEvent(getenv)
		if err != nil {
			return nil, err
		}
		if ev.MergeGroup == nil || !shaRE().MatchString(ev.MergeGroup.BaseSHA) || !shaRE().MatchString(ev.MergeGroup.HeadSHA) {
			return nil, errors.New("the merge_group event payload has no valid merge_group.base_sha and head_sha")
		}
		mg := ev.MergeGroup
		p.rng, p.base, p.from, p.to = mg.BaseSHA+".."+mg.HeadSHA, mg.BaseSHA, mg.BaseSHA, mg.HeadSHA
		p.setScope("merge group %s: the commits in %s..%s", untrusted(mg.HeadRef), shortSHA(mg.BaseSHA), shortSHA(mg.HeadSHA))
	case "push":
		ev, err := readEvent(getenv)
		if err != nil {
			return nil, err
		}
		after := ev.After
		if after == "" {
			after = getenv("GITHUB_SHA")
		}
		switch {
		case ev.Deleted || isZeroSHA(after):
			p.nothing = true
			p.setScope("push deleting %s", untrusted(ev.Ref))
		case !shaRE().MatchString(after):
			return nil, errors.New("the push event payload has no valid after commit (and GITHUB_SHA is not set)")
		case ev.Before == "" || isZeroSHA(ev.Before):
			// A new branch: no before to compare with.
			p.setScope("push creating %s: the full history", untrusted(ev.Ref))
			p.to = after
		case !shaRE().MatchString(ev.Before):
			return nil, errors.New("the push event payload has an invalid before commit")
		default:
			p.rng, p.from, p.to, p.push, p.ref = ev.Before+".."+after, ev.Before, after, true, ev.Ref
			p.setScope("push to %s: the commits in %s..%s", untrusted(ev.Ref), shortSHA(ev.Before), shortSHA(after))
		}
	case "":
		p.setScope("the full history (GITHUB_EVENT_NAME is not set)")
	default:
		p.setScope("the full history (event %s)", untrusted(event))
	}
	return p, nil
}

func readEvent(getenv func(string) string) (*ghEvent, error) {
	path := getenv("GITHUB_EVENT_PATH")
	if path == "" {
		return nil, withHint(fmt.Errorf("GITHUB_EVENT_PATH is not set for the %s event", getenv("GITHUB_EVENT_NAME")),
			"run clayscan ci in a GitHub Actions step, or use clayscan history --range BASE..HEAD")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the event payload: %w", err)
	}
	var ev ghEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		// The error names a position, never the payload's content.
		return nil, fmt.Errorf("parsing the event payload %s: not valid JSON", path)
	}
	return &ev, nil
}

// check makes sure the checkout holds what the plan scans: never a
// shallow clone, and both ends of the range.
func (p *ciPlan) check(e *env, repo *git.Repository) error {
	shallow, err := repo.Shallow()
	if err != nil {
		return fmt.Errorf("reading the repository's shallow list: %w", err)
	}
	if len(shallow) > 0 {
		return errShallow
	}
	has := func(sha string) bool {
		if _, err := repo.CommitObject(git.NewHash(sha)); err == nil {
			return true
		}
		// A push that moves an annotated tag names the tag object: the
		// range ends at its commit, and its message is scanned (issue 11).
		_, err := repo.ResolveRevision(sha)
		return err == nil
	}
	if p.to != "" && !has(p.to) {
		hint := "use actions/checkout with fetch-depth: 0"
		if p.event == "pull_request_target" {
			hint += ", and ref: ${{ github.event.pull_request.head.sha }} to check out the pull request's commits"
		}
		return withHint(fmt.Errorf("commit %s is not in the checkout: it cannot be scanned", shortSHA(p.to)), hint)
	}
	if p.from != "" && !has(p.from) {
		if p.push {
			// A force push: the old tip is gone. Scan everything rather
			// than guess.
			fmt.Fprintf(e.stderr, "clayscan: warning: the push's before commit %s is not in the checkout (force push?): scanning the full history\n", shortSHA(p.from))
			p.rng = ""
			p.setScope("push to %s: the full history (before commit %s not found)", untrusted(p.ref), shortSHA(p.from))
			return nil
		}
		return withHint(fmt.Errorf("the base commit %s is not in the checkout", shortSHA(p.from)),
			"use actions/checkout with fetch-depth: 0 so the base branch is fetched")
	}
	return nil
}

// writeCIOutputs writes what the action and the job page read: the SARIF
// file, the Markdown job summary and the step outputs.
func writeCIOutputs(e *env, res *scanner.Result, scopeMD, sarifPath string, summary bool) error {
	if sarifPath != "" {
		var buf bytes.Buffer
		if err := report.SARIF(&buf, res, report.Tool{Name: "clayscan", Version: version}); err != nil {
			return err
		}
		if err := writePrivate(sarifPath, buf.Bytes()); err != nil {
			return fmt.Errorf("writing the SARIF report: %w", err)
		}
	}
	if p := e.getenv("GITHUB_STEP_SUMMARY"); p != "" && summary {
		if err := appendTo(p, func(w io.Writer) error {
			return report.GitHubSummary(w, res, report.SummaryOptions{ScopeMarkdown: scopeMD})
		}); err != nil {
			return fmt.Errorf("writing the job summary: %w", err)
		}
	}
	if p := e.getenv("GITHUB_OUTPUT"); p != "" {
		if err := appendTo(p, func(w io.Writer) error {
			_, err := fmt.Fprintf(w, "findings=%d\nsarif=%s\n", len(res.Findings), oneLine(sarifPath))
			return err
		}); err != nil {
			return fmt.Errorf("writing the step outputs: %w", err)
		}
	}
	return nil
}

func appendTo(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	werr := write(f)
	return errors.Join(werr, f.Close())
}

func oneLine(s string) string { return strings.NewReplacer("\r", "", "\n", "").Replace(s) }

func shortSHA(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
