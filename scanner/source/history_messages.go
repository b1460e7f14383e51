package source

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/clayscan/clayscan/internal/git"
	"github.com/clayscan/clayscan/scanner"
)

// Commit and annotated-tag messages are content too: a key pasted into a
// message ("rotate sk_live_…") stays in every clone. Each walked commit's
// message and each annotated tag a walked ref names is scanned once, as a
// target whose Path is a label, not a file:
//
//	commit message      Commit: the commit
//	tag NAME message    Commit: the tag object, its tagger as author
//
// Lines count from the message's first line (the headers are not part of
// it). The messages are read again from the object database after the
// walk rather than kept from it: git/git's 85,000 commits hold 42 MB of
// messages, and the walk loads commits the scan may not cover (a range's
// base side).

// Message target labels (README/docs: "What is scanned and what is not").
const (
	CommitMessagePath = "commit message"
	tagMessagePrefix  = "tag "
	tagMessageSuffix  = " message"
)

// TagMessagePath is the label of annotated tag name's message.
func TagMessagePath(name string) string { return tagMessagePrefix + name + tagMessageSuffix }

// tagRef is an annotated tag met while peeling a ref.
type tagRef struct {
	tag hash
}

// peelTags follows h's chain of annotated tags like peel, and records each
// tag object once in w.tags.
func (w *walker) peelTags(h hash) {
	for i := 0; i < 32; i++ {
		typ, data, err := w.db.Get(h)
		if err != nil || typ != git.ObjTag {
			return
		}
		if w.tagSeen == nil {
			w.tagSeen = map[hash]bool{}
		}
		if w.tagSeen[h] {
			return
		}
		w.tagSeen[h] = true
		w.tags = append(w.tags, tagRef{tag: h})
		next, err := git.TagTarget(h, data)
		if err != nil {
			return
		}
		h = next
	}
}

// rangeTags records, for a range scan, the annotated tags whose target
// (peeled) is one of the range's commits: the range's head when it names a
// tag, and every ref's tag. A tag pushed with a key in its message is new
// content of the push that brings its commit, or of a push that moves it
// (issue 11). Tags on commits outside the range were scanned when they were
// new, as the base side's commit messages were.
func (w *walker) rangeTags(repo *git.Repository, commits []*commitNode, head hash) error {
	in := make(map[hash]bool, len(commits))
	for _, c := range commits {
		in[c.hash] = true
	}
	if len(in) == 0 {
		return nil
	}
	inRange := func(h hash) bool {
		c, typ, err := w.peel(h)
		return err == nil && typ == git.ObjCommit && in[c]
	}
	if inRange(head) {
		w.peelTags(head)
	}
	tips, err := repo.Tips()
	if err != nil {
		return err
	}
	for _, t := range tips {
		if t.Hash == head || !strings.HasPrefix(t.Name, "refs/tags/") {
			continue
		}
		if inRange(t.Hash) {
			w.peelTags(t.Hash)
		}
	}
	return nil
}

// messageJob is one message to read and scan.
type messageJob struct {
	h     hash
	kind  scanner.Kind
	node  *commitNode // commits: from the walk
	order int64
}

// scanMessages reads and scans the messages of commits (in walk order) and
// of the tags the walk met, with workers goroutines.
//
// With ms, the first pass records each message's anchors in ms.rec, and a
// Rescan reads only the messages whose ms.filter entry shares a bit with
// ms.need (as blobPhase does for blobs).
func scanMessages(ctx context.Context, w *walker, commits []*commitNode, tags []tagRef, workers int, ms *messageSeen) {
	runMessages(ctx, w, messageJobs(w, commits, tags), workers, ms)
}

// messageJobs lists the messages to read: commits in walk order, then tags.
// It may load commits (peeling tags), so it runs before anything else uses
// w.
func messageJobs(w *walker, commits []*commitNode, tags []tagRef) []messageJob {
	jobs := make([]messageJob, 0, len(commits)+len(tags))
	for _, c := range commits {
		jobs = append(jobs, messageJob{h: c.hash, kind: scanner.KindCommitMessage, node: c, order: c.order})
	}
	last := int64(len(commits))
	for _, t := range tags {
		// A tag is reported with the order of the commit it names: a
		// key in it is no older than that commit.
		order := last
		if peeled, _, err := w.peel(t.tag); err == nil {
			if c := w.loaded(peeled); c != nil {
				order = c.order
			}
		}
		jobs = append(jobs, messageJob{h: t.tag, kind: scanner.KindTagMessage, order: order})
	}
	return jobs
}

// runMessages reads and scans jobs with workers goroutines. It reads w
// only through its object database, commit store and sink, so it may run
// beside the tree walk.
func runMessages(ctx context.Context, w *walker, jobs []messageJob, workers int, ms *messageSeen) {
	if len(jobs) == 0 {
		return
	}
	if workers < 1 {
		workers = 1
	}
	// Workers take batches of jobs, each reading with its own Reader into
	// a buffer it reuses: through ODB.Get (one shared inflater, under a
	// lock) and a channel send per message, the 200,000 messages of the
	// synthetic history took as long on two cores as on one (issue 14).
	const batch = 256
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := w.db.NewReader()
			var buf []byte
			for ctx.Err() == nil {
				lo := int(next.Add(batch)) - batch
				if lo >= len(jobs) {
					return
				}
				for i := lo; i < min(lo+batch, len(jobs)); i++ {
					var seen *scanner.Anchors
					if ms != nil {
						if ms.need != 0 && ms.filter[i]&ms.need == 0 {
							continue
						}
						if ms.rec != nil {
							seen = new(scanner.Anchors)
						}
					}
					buf = scanMessage(w, r, buf, jobs[i], seen)
					if seen != nil {
						ms.rec[i] = foldAnchors(*seen)
					}
				}
			}
		}()
	}
	wg.Wait()
}

// messageSeen is scanMessages's record of the messages' anchors (rec, one
// byte per message, in job order) or a Rescan's filter over them.
type messageSeen struct {
	rec    []uint8
	filter []uint8
	need   uint8
}

// scanMessage reads and scans one message with r, building the object in
// buf when it is large enough, and returns the buffer to use next (the
// sink does not keep a target's Data).
func scanMessage(w *walker, r *git.Reader, buf []byte, j messageJob, seen *scanner.Anchors) []byte {
	typ, data, err := r.Get(j.h, buf)
	if err != nil {
		label := "commit " + j.h.String() + " message"
		if j.kind == scanner.KindTagMessage {
			label = "tag " + j.h.String() + " message"
		}
		w.sink.Error(label, err)
		return buf
	}
	t := scanner.Target{Kind: j.kind, Order: j.order}
	switch {
	case j.kind == scanner.KindCommitMessage && typ == git.ObjCommit:
		t.Path, t.Commit = CommitMessagePath, w.store.info(j.node)
		t.Data = git.MessageBody(data)
	case j.kind == scanner.KindTagMessage && typ == git.ObjTag:
		name, tagger, msg := git.ParseTagMessage(data)
		c := &scanner.Commit{Hash: j.h.String()}
		if tagger != "" {
			sig := git.ParseSignature(tagger)
			c.Author, c.Email, c.Date = sig.Name, sig.Email, sig.When
		}
		t.Path, t.Commit, t.Data = TagMessagePath(name), c, msg
	default:
		return buf // the walk already reported an object of the wrong type
	}
	if cap(data) > cap(buf) {
		buf = data[:0]
	}
	if len(bytes.TrimSpace(t.Data)) == 0 {
		return buf
	}
	t.Seen = seen
	w.sink.Scan(t)
	return buf
}
