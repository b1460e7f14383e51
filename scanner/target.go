// Package scanner runs clayscan's one-way pipeline:
//
//	source → targets (path, commit, bytes) → detector (rules) → findings → filters → report
//	       → path facts (tracked, ignored, staged, first commit) → path rules ↗
//
// A Source knows git (or the file system) and pushes Targets, and facts
// about the paths some path rule wants, into a Sink; the Detector knows
// rules and bytes; Run wires them, collapses history findings to the
// commit that introduced them, judges the path facts with the path rules
// (the .env policy), applies Filters and returns a Result that reporters
// turn into text, JSON, SARIF or GitHub output.
//
// The main entry point is Run.
package scanner

import (
	"context"
	"io"
	"time"

	"github.com/clayscan/clayscan/rules"
)

// Commit identifies where a history target entered the repository.
type Commit struct {
	Hash   string
	Author string
	Email  string
	Date   time.Time
}

// LineRange is an inclusive, 1-based range of lines.
type LineRange struct{ Start, End int }

// LineSet is a sorted list of line ranges; a nil LineSet means every line.
type LineSet []LineRange

// Has reports whether line is in the set. A nil set holds every line.
func (s LineSet) Has(line int) bool {
	if s == nil {
		return true
	}
	lo, hi := 0, len(s)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case line < s[m].Start:
			hi = m
		case line > s[m].End:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}

// Target is one piece of content to scan.
type Target struct {
	// Path is slash-separated and relative to the repository root.
	Path string
	Data []byte
	// Commit is where this content first entered history; nil outside
	// history.
	Commit *Commit
	// Order places Commit in ancestry order (lower is older) so that a
	// secret seen in several blobs is reported at its oldest commit.
	Order int64
	// InHead is true when this exact content is present in HEAD's tree.
	InHead bool
	// Lines, when non-nil, limits findings to these lines (the lines a
	// staged change adds).
	Lines LineSet
	// Blob is the content's object id in history ("" elsewhere), so that
	// a skipped blob can be named.
	Blob string
	// Tracked and Untracked (worktree) say whether git tracks the file, for
	// the guidance; neither is set outside a repository or elsewhere.
	Tracked, Untracked bool
	// Kind is "" for file content, or says which message Data is (then
	// Path is a label such as "commit message", not a file, and lines
	// count from the message's first line).
	Kind Kind
	// Reader, when set, streams the content instead of Data: sources set
	// it for content larger than StreamThreshold, which is then scanned in
	// bounded windows (see Detector.DetectReader). Sink.Scan reads it to
	// the end (or to an error) before returning.
	Reader io.Reader
	// Prev, when set on a streamed target, opens the content this one
	// replaces (the HEAD version of a staged file too large to diff in
	// memory): a finding is kept only when its line occurs more often here
	// than in Prev, which is read only when there are findings. Like the
	// diff behind Lines, it may keep an old key, never drop a new one.
	Prev func() (io.ReadCloser, error)
	// Seen, when set, receives the Anchors met in the content's text (see
	// Rescanner): the Detector adds them as it reads the text the sink
	// hands it; the source reads them once the sink's Scan returns.
	Seen *Anchors
}

// Anchors is a set of the detector's anchor keywords (the literals its
// prefilter looks for: "clay", "sk_live_", "bearer", ...): bit i for
// anchor i, bit 63 for every anchor past the 63rd. Found case-insensitively
// in the text the detector reads, so a text holding any string that
// contains an anchor holds that anchor (issue 14).
type Anchors uint64

// anchorBit is anchor i's bit.
func anchorBit(i int) Anchors { return 1 << min(i, 63) }

// Kind says what a target's content is when it is not a file's.
type Kind string

const (
	// KindCommitMessage is a commit's message; Commit is that commit.
	KindCommitMessage Kind = "commit_message"
	// KindTagMessage is an annotated tag's message; Commit is the tag
	// object (its hash, and the tagger as author).
	KindTagMessage Kind = "tag_message"
)

// SkipReason says why a file was not scanned. Values appear in the JSON
// summary.
type SkipReason string

const (
	SkipBinary    SkipReason = "binary"
	SkipTooLarge  SkipReason = "too_large"
	SkipSymlink   SkipReason = "symlink"
	SkipSubmodule SkipReason = "submodule"
	// SkipLFSMissing is a Git LFS pointer whose object is not in the
	// local LFS store: the content it stands for was not scanned.
	SkipLFSMissing SkipReason = "lfs_missing"
)

// Skipped names one file or blob that was deliberately not scanned. Its
// JSON form is part of the contract (docs/formats.md, "skipped").
type Skipped struct {
	// Repository names the repository in a report that covers several.
	Repository string `json:"repository,omitempty"`
	Path       string `json:"path"`
	// Blob and Commit are set in history: the blob's id and the commit
	// where it first appears at Path.
	Blob   string     `json:"blob,omitempty"`
	Commit string     `json:"commit,omitempty"`
	Reason SkipReason `json:"reason"`
}

// Sink receives what a source produces. All methods are safe for concurrent
// use: sources may call them from many goroutines.
type Sink interface {
	// Scan scans one target; detection happens in the caller's goroutine,
	// so a source parallelises scanning by calling Scan from its workers.
	// t.Data belongs to the source again once Scan returns (the worktree
	// source reuses its read buffers): a sink must not keep it.
	Scan(t Target)
	// Skip records content that was deliberately not scanned.
	Skip(s Skipped)
	// Error records content that could not be read. The run goes on, keeps
	// its findings, and ends as an operational error (exit 2): a scan that
	// missed content never reports a clean result.
	Error(path string, err error)
	// WantsPath reports whether a path rule looks at path; a source
	// gathers facts (PathFact) only for those.
	WantsPath(path string) bool
	// Path records what the source knows about a path apart from its
	// content (tracked, ignored, staged, first commit). Path rules judge
	// the facts once the source is done, even when it failed part way.
	Path(f PathFact)
}

// PathFact is what a source knows about one path, for path rules: the
// facts rules see (rules.PathFact) and, in history, the commit that first
// had the path.
type PathFact struct {
	rules.PathFact
	// At (history) is the oldest scanned commit whose tree has the path;
	// Order places it as Target.Order does. Run fills the embedded Commit
	// and Date from At.
	At    *Commit
	Order int64
}

// SourceInfo describes what a source covered, for the summary.
type SourceInfo struct {
	Kind    string // "worktree", "staged" or "history"
	Root    string // absolute repository (or directory) root
	Commits int64  // history: commits walked
	Blobs   int64  // history: distinct blobs considered
	Refs    int    // history: refs walked
	Shallow bool   // history: the repository is a shallow clone
}

// Source produces targets.
type Source interface {
	Scan(ctx context.Context, sink Sink) (SourceInfo, error)
}

// A Rescanner is a Source that can read its targets' contents again for
// the second pass (link.go) without redoing the rest of its work: a
// history sweep reads its blobs and messages again, not its refs, commits
// and trees (issue 14).
type Rescanner interface {
	// KeepForRescan(true) makes the next Scan keep what Rescan needs;
	// KeepForRescan(false) drops it.
	KeepForRescan(keep bool)
	// Rescan sends the last Scan's contents to sink, and reports false
	// when nothing was kept (the caller then calls Scan). With need != 0,
	// the contents whose Seen set (recorded by the first Scan, whose
	// targets carry Seen when a rescan may follow) shares no anchor with
	// need may be left out: they cannot hold what the second pass looks
	// for.
	Rescan(ctx context.Context, sink Sink, need Anchors) bool
}
