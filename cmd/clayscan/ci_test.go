package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPlanCI(t *testing.T) {
	const (
		a = "1111111111111111111111111111111111111111"
		b = "2222222222222222222222222222222222222222"
		z = "0000000000000000000000000000000000000000"
	)
	for _, c := range []struct {
		name, event, payload string
		wantRange, wantBase  string
		wantNothing          bool
		wantErr              string
		scope                string
	}{
		{name: "pull request", event: "pull_request", payload: `{"pull_request":{"number":3,"base":{"sha":"` + a + `"},"head":{"sha":"` + b + `"}}}`,
			wantRange: a + ".." + b, wantBase: a, scope: "pull request #3"},
		{name: "pull request target", event: "pull_request_target", payload: `{"pull_request":{"number":3,"base":{"sha":"` + a + `"},"head":{"sha":"` + b + `"}}}`,
			wantRange: a + ".." + b, wantBase: a},
		{name: "pull request without shas", event: "pull_request", payload: `{"pull_request":{"number":3}}`, wantErr: "no valid pull_request.base.sha"},
		{name: "pull request payload without pull_request", event: "pull_request", payload: `{}`, wantErr: "has no pull_request"},
		{name: "merge queue", event: "merge_group", payload: `{"merge_group":{"base_sha":"` + a + `","head_sha":"` + b + `","head_ref":"refs/heads/gh-readonly-queue/main/pr-1"}}`,
			wantRange: a + ".." + b, wantBase: a, scope: "merge group"},
		{name: "push", event: "push", payload: `{"ref":"refs/heads/main","before":"` + a + `","after":"` + b + `"}`, wantRange: a + ".." + b},
		{name: "new branch", event: "push", payload: `{"ref":"refs/heads/x","before":"` + z + `","after":"` + b + `","created":true}`, scope: "the full history"},
		{name: "deleted branch", event: "push", payload: `{"ref":"refs/heads/x","before":"` + a + `","after":"` + z + `","deleted":true}`, wantNothing: true},
		{name: "push after from GITHUB_SHA", event: "push", payload: `{"ref":"refs/heads/main","before":"` + a + `"}`, wantRange: a + ".." + b},
		{name: "push with a bad before", event: "push", payload: `{"before":"HEAD~1","after":"` + b + `"}`, wantErr: "invalid before"},
		{name: "schedule", event: "schedule", payload: `{}`, scope: "the full history (event schedule)"},
		{name: "no event", event: "", scope: "the full history"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "event.json")
			os.WriteFile(path, []byte(c.payload), 0o644)
			env := map[string]string{"GITHUB_EVENT_NAME": c.event, "GITHUB_EVENT_PATH": path, "GITHUB_SHA": b}
			p, err := planCI(func(k string) string { return env[k] })
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("got %v, want an error with %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.rng != c.wantRange || p.base != c.wantBase || p.nothing != c.wantNothing {
				t.Errorf("got range %q base %q nothing %v", p.rng, p.base, p.nothing)
			}
			if !strings.Contains(p.scope, c.scope) {
				t.Errorf("scope %q lacks %q", p.scope, c.scope)
			}
		})
	}
}

// A payload that is not JSON is reported without echoing it: it could hold
// anything, including a key.
func TestPlanCIBadPayloadNotEchoed(t *testing.T) {
	key := "sk_" + "live_" + "Xq7Lm2Pz9Rt4Vw8Nb3Kd6Hs1"
	path := filepath.Join(t.TempDir(), "event.json")
	os.WriteFile(path, []byte(`{"pull_request": `+key), 0o644)
	env := map[string]string{"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": path}
	_, err := planCI(func(k string) string { return env[k] })
	if err == nil || strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "Xq7") {
		t.Fatalf("got %v", err)
	}
	env["GITHUB_EVENT_PATH"] = ""
	if _, err := planCI(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "GITHUB_EVENT_PATH is not set") {
		t.Fatalf("got %v", err)
	}
}
