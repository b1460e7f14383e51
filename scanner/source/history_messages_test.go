package source_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
)

// Issue 11: a key pasted into a commit or annotated-tag message is found
// by history, at the message's label with the commit (or tag object) as
// its commit and lines counted from the message's first line.
func TestHistoryCommitAndTagMessages(t *testing.T) {
	r := newHistRepo(t)
	r.write("README", "hello\n")
	r.commit("init")
	r.write("README", "hello again\n")
	withKey := r.commit("rotate the key\n\nold one was " + histKey1 + "\n")
	r.tick++
	r.git("tag", "-a", "-m", "release notes\nkey: "+histKey2, "v1")
	tagObj := r.git("rev-parse", "v1")
	r.git("tag", "light") // a lightweight tag has no message
	r.write("README", "third\n")
	r.commit("mention it again: " + histKey1) // same key: reported once, at the oldest commit
	both(t, r, func(t *testing.T) {
		res := scanHistory(t, &source.History{Path: r.dir})
		wantWhere(t, res,
			"commit message:3@"+withKey[:7]+" in_head=?",
			"tag v1 message:2@"+tagObj[:7]+" in_head=?")
		for _, f := range res.Findings {
			switch f.Path {
			case "commit message":
				if f.Kind != scanner.KindCommitMessage || f.Author != "Ada" || f.RuleID != "clay-sk-live-key" {
					t.Errorf("commit message finding = %+v", f)
				}
			case "tag v1 message":
				if f.Kind != scanner.KindTagMessage || f.Author != "Ada" || f.Email != "ada@example.com" || f.Date == "" {
					t.Errorf("tag message finding = %+v", f)
				}
			}
		}
	})
}

// A range scan reads the messages of the range's commits only: the base
// side's messages were scanned when they were new.
func TestHistoryRangeMessages(t *testing.T) {
	r := newHistRepo(t)
	r.write("README", "hello\n")
	base := r.commit("base has " + histKey1)
	r.write("README", "change\n")
	added := r.commit("range adds " + histKey2)
	res := scanHistory(t, &source.History{Path: r.dir, Range: base + "..HEAD"})
	wantWhere(t, res, "commit message:1@"+added[:7]+" in_head=?")
	if got := res.Findings[0].Secret; got == "" || got[len(got)-4:] != histKey2[len(histKey2)-4:] {
		t.Errorf("secret = %q, want the range's key", got)
	}
}

// Issue 11: a range scan reads the messages of the annotated tags that name
// one of the range's commits (peeled), and of the range's head when it
// names a tag; tags on the base side were scanned when they were new.
func TestHistoryRangeTagMessages(t *testing.T) {
	r := newHistRepo(t)
	r.write("README", "hello\n")
	base := r.commit("base")
	r.tick++
	r.git("tag", "-a", "-m", "old release "+histKey1, "v0")
	r.write("README", "change\n")
	r.commit("range")
	r.tick++
	r.git("tag", "-a", "-m", "release notes\nkey: "+histKey2, "v1")
	r.tick++
	r.git("tag", "-a", "-m", "points at v1: "+histKey2, "v1-alias", "v1") // a tag of a tag
	v1, alias := r.git("rev-parse", "v1"), r.git("rev-parse", "v1-alias")
	both(t, r, func(t *testing.T) {
		for _, rng := range []string{base + "..HEAD", base + "..v1", "v0..v1-alias"} {
			res := scanHistory(t, &source.History{Path: r.dir, Range: rng})
			wantWhere(t, res, "tag v1 message:2@"+v1[:7]+" in_head=?", "tag v1-alias message:1@"+alias[:7]+" in_head=?")
			for _, f := range res.Findings {
				if f.Kind != scanner.KindTagMessage || f.RuleID != "clay-sk-live-key" {
					t.Errorf("%s: finding = %+v", rng, f)
				}
			}
		}
	})
}

// Issue 11: with --all-objects, an unreachable annotated tag object (a
// deleted tag) has its message scanned, as unreachable commits' are, loose
// or packed.
func TestHistoryUnreachableTagMessage(t *testing.T) {
	r := newHistRepo(t)
	r.write("README", "hello\n")
	r.commit("init")
	r.tick++
	r.git("tag", "-a", "-m", "release\n\nkey: "+histKey1, "v1")
	tagObj := r.git("rev-parse", "v1")
	r.git("tag", "-d", "v1")
	wantWhere(t, scanHistory(t, &source.History{Path: r.dir}))
	check := func(t *testing.T) {
		res := scanHistory(t, &source.History{Path: r.dir, AllObjects: true})
		wantWhere(t, res, "tag v1 message:3@"+tagObj[:7]+" in_head=?")
		if len(res.Findings) == 1 && (res.Findings[0].Kind != scanner.KindTagMessage || res.Findings[0].Commit != tagObj || res.Findings[0].RuleID != "clay-sk-live-key") {
			t.Errorf("finding = %+v", res.Findings[0])
		}
	}
	t.Run("loose", check)
	// Pack everything, the unreachable tag included (repack -A keeps it
	// loose, so pack it by hand), and drop the loose copies.
	packDir := filepath.Join(r.dir, ".git", "objects", "pack")
	cmd := exec.Command("git", "pack-objects", "-q", filepath.Join(packDir, "pack"))
	cmd.Dir = r.dir
	cmd.Stdin = strings.NewReader(strings.Join([]string{tagObj, r.git("rev-parse", "HEAD"), r.git("rev-parse", "HEAD^{tree}"), r.git("rev-parse", "HEAD:README")}, "\n") + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pack-objects: %v\n%s", err, out)
	}
	r.git("prune-packed")
	if _, err := os.Stat(filepath.Join(r.dir, ".git", "objects", tagObj[:2], tagObj[2:])); !os.IsNotExist(err) {
		t.Fatalf("the tag object is still loose: %v", err)
	}
	t.Run("packed", check)
}
