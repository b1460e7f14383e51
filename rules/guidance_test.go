package rules

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// Issue 13: guidance per rule. Webhook URLs are replaced by a new webhook
// source, auth tokens regenerated at the sender, sk_live_ keys rotated in
// Stripe's or Clay's dashboard depending on the context, API keys in
// Clay's; every verify step reads the key from an environment variable.
func TestGuidancePerRule(t *testing.T) {
	byID := map[string]Rule{}
	for _, r := range Default() {
		byID[r.ID] = r
	}
	want := map[string][]string{
		"clay-webhook-url":           {"add a new webhook source", "Delete the old webhook source", "$CLAY_WEBHOOK_URL"},
		"clay-webhook-auth-header":   {"generate a new auth token", "update the sender", "$CLAY_WEBHOOK_AUTH"},
		"clay-credential-assignment": {"new API key in the Clay dashboard", "environment variable or secret store", "$CLAY_API_KEY", "Revoke the old key"},
		"clay-sk-live-key":           {"Stripe", "Clay", "$STRIPE_SECRET_KEY", "$CLAY_API_KEY"},
	}
	for id, subs := range want {
		g := byID[id].Guidance
		for _, s := range subs {
			if !strings.Contains(g, s) {
				t.Errorf("%s guidance lacks %q:\n%s", id, s, g)
			}
		}
	}
	sk := byID["clay-sk-live-key"]
	if g := sk.GuidanceFor("Stripe live secret key (sk_live_)"); !strings.Contains(g, "Roll the Stripe") || strings.Contains(g, "Clay dashboard") {
		t.Errorf("Stripe-titled sk_live_ guidance:\n%s", g)
	}
	if g := sk.GuidanceFor("Clay live secret key (sk_live_)"); !strings.Contains(g, "Clay dashboard") || strings.Contains(g, "Stripe") {
		t.Errorf("Clay-titled sk_live_ guidance:\n%s", g)
	}
	// No rule's guidance tells a webhook or Stripe finding to use the
	// Clay dashboard, and no verify command holds a literal key.
	for _, id := range []string{"clay-webhook-url", "clay-webhook-auth-header"} {
		if strings.Contains(byID[id].Guidance, "Revoke the old key in the Clay dashboard") {
			t.Errorf("%s is told to revoke a key in the Clay dashboard", id)
		}
	}
	curl := regexp.MustCompile(`(?m)^\s+curl .*$`)
	for _, r := range Default() {
		for _, line := range curl.FindAllString(r.Guidance, -1) {
			if !strings.Contains(line, "$") || strings.Contains(line, "sk_live_") {
				t.Errorf("%s: verify command does not read the key from a variable: %s", r.ID, line)
			}
		}
	}
}

// Issue 13: guidance per context. A staged key is not committed yet; an
// untracked file's key has not been committed from here; a key in history
// says since when.
func TestContextGuidance(t *testing.T) {
	staged := ContextGuidance(Context{Where: InStaged})
	if !strings.Contains(staged, "Not committed yet") || !strings.Contains(staged, "git restore --staged") ||
		!strings.Contains(staged, ".env.local") || !strings.Contains(staged, "ever pushed, shared") || strings.Contains(staged, "leaked") {
		t.Errorf("staged:\n%s", staged)
	}
	if u := ContextGuidance(Context{Where: InWorktree, Untracked: true}); !strings.Contains(u, "not tracked by git") {
		t.Errorf("untracked:\n%s", u)
	}
	if ContextGuidance(Context{Where: InWorktree}) != "" {
		t.Error("outside a repository a file is neither tracked nor untracked")
	}
	h := ContextGuidance(Context{Where: InHistory, Since: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Now: time.Date(2024, 1, 12, 3, 4, 5, 0, time.UTC), InHead: true})
	if !strings.Contains(h, "In history since 2024-01-02 (10 days)") || !strings.Contains(h, "Rotate it first") ||
		!strings.Contains(h, "decide whether to purge") || !strings.Contains(h, "still in the current tree") {
		t.Errorf("history:\n%s", h)
	}
}
