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

func (c *countingRescan) Rescan(ctx context.Context, sink scanner.Sink, need scanner.Anchors) bool {
	ok := c.History.Rescan(ctx, sink, need)
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
	if c.History.Rescan(context.Background(), nil, 0) {
		t.Error("Rescan still had a sweep to read after Run returned")
	}
}

// Issue 14: when every value the second pass looks for contains one of the
// detector's anchor keywords ("clay", "sk_live_", ...), Rescan reads only
// the blobs whose text held one in the first pass; the result is still
// what a second full sweep finds, including occurrences no rule matches
// on its own (inside a longer token, in prose).
func TestHistoryRescanByAnchorsLikeASecondSweep(t *testing.T) {
	r := newHistRepo(t)
	live := "sk_" + "live_" + "Hq7Lm2Pz9Rt4Vw8Nb3Kd6Hs1"
	named := "Zq4Rt8ClaYWm2Xp6Lk9Nv3Bh7Jd5" // holds the anchor "clay", in mixed case
	for i := 0; i < 40; i++ {               // blobs without any anchor, packed
		r.write(fmt.Sprintf("src/f%02d.go", i), fmt.Sprintf("package src\n\nconst n%d = %d\n", i, i))
	}
	r.write("README.md", "# demo\n\nold token: x"+live+"y and "+named+"\n")
	r.commit("readme")
	r.write("deploy/app.env.tmpl", "CLAY_API_KEY="+named+"\nCLAY_SECRET="+live+"\n")
	r.commit("deploy template")
	r.git("gc", "-q")
	r.write("notes.txt", "see "+named+" and prefix"+live+"\n")
	r.write("src/f00.go", "package src\n\n// "+named+"\n")
	r.commit("notes\n\nrotated " + named + "\n")

	det, err := scanner.NewDetector(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	opts := scanner.Options{LinkSecrets: true}
	run := func(src scanner.Source) []scanner.Finding {
		t.Helper()
		res, err := scanner.Run(context.Background(), src, det, opts)
		if err != nil {
			t.Fatal(err)
		}
		return res.Findings
	}
	want := run(plainSource{&source.History{Path: r.dir}})
	c := &countingRescan{History: &source.History{Path: r.dir}}
	got := run(c)
	if c.served != 1 {
		t.Errorf("Rescan served %d second passes, want 1", c.served)
	}
	linked := 0
	for _, f := range want {
		if f.SameSecretAs != "" {
			linked++
		}
	}
	if linked < 4 {
		t.Errorf("the second full sweep linked %d occurrences, want at least 4", linked)
	}
	inMessage := false
	for _, f := range want {
		inMessage = inMessage || f.Path == source.CommitMessagePath && f.SameSecretAs != ""
	}
	if !inMessage {
		t.Error("the second full sweep linked no occurrence in a commit message")
	}
	show := func(fs []scanner.Finding) string {
		s := ""
		for _, f := range fs {
			s += fmt.Sprintf("%s:%d:%d %s %s %s\n", f.Path, f.Line, f.Column, f.Commit, f.RuleID, f.SameSecretAs)
		}
		return s
	}
	if a, b := show(got), show(want); a != b {
		t.Errorf("with Rescan by anchors:\n%s\nwith a second sweep:\n%s", a, b)
	}
}
