package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/clayscan/clayscan/scanner"
)

// Issue 11: ci on a push scans the messages of the annotated tags on the
// pushed commits, so a tag pushed with a key in its message is found; a
// tag on a commit before the push is not rescanned.
func TestCIPushScansTagMessages(t *testing.T) {
	dir, git := detectRepo(t)
	key := fakeKeys()["SK_LIVE"]
	old := fakeKeys()["SK_LIVE2"]
	writeFile(t, dir, "README", "hello\n")
	git("add", ".")
	git("commit", "-qm", "base")
	before := gitHead(t, dir)
	git("tag", "-a", "-m", "old release "+old, "v0")
	writeFile(t, dir, "README", "change\n")
	git("add", ".")
	git("commit", "-qm", "release")
	after := gitHead(t, dir)
	git("tag", "-a", "-m", "release notes\n\nkey: "+key, "v1")
	tag := revParse(t, dir, "v1")

	for _, c := range []struct{ name, ref, after string }{
		{"branch push", "refs/heads/main", after},
		{"tag moved", "refs/tags/v1", tag},
	} {
		t.Run(c.name, func(t *testing.T) {
			event := filepath.Join(t.TempDir(), "event.json")
			payload := `{"ref":"` + c.ref + `","before":"` + before + `","after":"` + c.after + `"}`
			if err := os.WriteFile(event, []byte(payload), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Setenv("GITHUB_ACTIONS", "")
			t.Setenv("GITHUB_EVENT_NAME", "push")
			t.Setenv("GITHUB_EVENT_PATH", event)
			t.Setenv("GITHUB_SHA", after)
			t.Setenv("GITHUB_STEP_SUMMARY", "")
			t.Setenv("GITHUB_OUTPUT", "")
			// ci masks secrets (--show-secrets is refused there).
			code, out, errs := runCLI(t, "ci", "--format", "json", dir)
			var doc detectDoc
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("exit %d, output is not JSON: %v\n%s\n%s", code, err, out, errs)
			}
			checkFindings(t, "ci "+c.name, code, doc, tag, wantFinding{rule: "clay-sk-live-key", path: "tag v1 message", line: 3, secret: scanner.Mask(key)})
		})
	}
}

// Issue 11: history --all-objects scans an unreachable annotated tag's
// message (a deleted tag), as it scans unreachable commits'.
func TestHistoryAllObjectsUnreachableTag(t *testing.T) {
	dir, git := detectRepo(t)
	key := fakeKeys()["SK_LIVE"]
	writeFile(t, dir, "README", "hello\n")
	git("add", ".")
	git("commit", "-qm", "base")
	git("tag", "-a", "-m", "release notes\n\nkey: "+key, "v1")
	tag := revParse(t, dir, "v1")
	git("tag", "-d", "v1")
	if code, doc := runJSON(t, "history", dir); code != 0 || len(doc.Findings) != 0 {
		t.Errorf("history: exit %d, findings %+v; want 0 and none (the tag is unreachable)", code, doc.Findings)
	}
	code, doc := runJSON(t, "history", "--all-objects", dir)
	checkFindings(t, "history --all-objects", code, doc, tag, wantFinding{rule: "clay-sk-live-key", path: "tag v1 message", line: 3, secret: key})
}
