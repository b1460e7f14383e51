package source_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
)

// plainSource hides History's Rescan: the second pass then scans the whole
// history again, as it did before issue 14.
type plainSource struct{ h *source.History }

func (p plainSource) Scan(ctx context.Context, sink scanner.Sink) (scanner.SourceInfo, error) {
	return p.h.Scan(ctx, sink)
}

// countingRescan is History, counting the second passes Rescan served.
type countingRescan struct {
	*source.History
	served int
}

func (c *countingRescan) Rescan(ctx context.Context, sink scanner.Sink) bool {
	ok := c.History.Rescan(ctx, sink)
	if ok {
		c.served++
	}
	return ok
}

// Issue 14: the second pass (linking a found key's other occurrences)
// reads the sweep's blobs and messages again without walking the history
// again, and finds exactly what a second full sweep finds: occurrences in
// packed and loose blobs, in other paths, and in commit messages.
func TestHistoryRescanLinksLikeASecondSweep(t *testing.T) {
	r := newHistRepo(t)
	tok := "Zq4Rt8Wm2Xp6Lk9Nv3Bh7Jd5" // no Clay prefix: found only by its assignment
	r.write("README.md", "# demo\n\nstaging uses `"+tok+"` for now\n")
	r.commit("readme")
	r.write("deploy/app.env.tmpl", "CLAY_API_KEY="+tok+"\n")
	r.commit("deploy template")
	r.write("src/proxy.ts", "headers: { Authorization: \"Bearer "+tok+"\" }\n")
	r.commit("proxy\n\nuses " + tok + " for now\n")
	r.git("gc", "-q")
	r.write("notes.txt", "old key: "+tok+"\n") // loose after the gc
	r.commit("notes")

	det, err := scanner.NewDetector(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	opts := scanner.Options{LinkSecrets: true}
	run := func(src scanner.Source) *scanner.Result {
		t.Helper()
		res, err := scanner.Run(context.Background(), src, det, opts)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	want := run(plainSource{&source.History{Path: r.dir}})
	c := &countingRescan{History: &source.History{Path: r.dir}}
	got := run(c)
	if c.served != 1 {
		t.Errorf("Rescan served %d second passes, want 1", c.served)
	}
	linked := map[string]bool{}
	for _, f := range want.Findings {
		if f.SameSecretAs != "" {
			linked[f.Path] = true
		}
	}
	for _, p := range []string{"README.md", "src/proxy.ts", "notes.txt", source.CommitMessagePath} {
		if !linked[p] {
			t.Errorf("the second full sweep linked no occurrence in %s: %v", p, linked)
		}
	}
	show := func(fs []scanner.Finding) string {
		s := ""
		for _, f := range fs {
			in := "-"
			if f.InHead != nil {
				in = fmt.Sprint(*f.InHead)
			}
			s += fmt.Sprintf("%s:%d:%d %s %s %s %s\n", f.Path, f.Line, f.Column, f.Commit, f.RuleID, f.SameSecretAs, in)
		}
		return s
	}
	if a, b := show(got.Findings), show(want.Findings); a != b {
		t.Errorf("with Rescan:\n%s\nwith a second sweep:\n%s", a, b)
	}
	// Nothing is kept once Run is done.
	if c.History.Rescan(context.Background(), nil) {
		t.Error("Rescan still had a sweep to read after Run returned")
	}
}
