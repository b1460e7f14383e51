package rules

import (
	"fmt"
	"strings"
	"time"
)

// Guidance is written in blocks separated by a blank line: one block says
// what to do about the credential (per rule, or per context title such as
// Stripe or Clay for sk_live_), another what to do about where it was
// found (staged, untracked, in history since a date). A finding's guidance
// joins its blocks, and a text report prints each distinct block once per
// run however many findings share it. Every verify step reads the key from
// its environment variable: guidance never asks anyone to paste a key.

// GuidanceClayKey is how to rotate a Clay API key.
const GuidanceClayKey = "Rotate the Clay API key:\n" +
	"1. Create a new API key in the Clay dashboard.\n" +
	"2. Put it where your code reads it from: the environment variable or secret store (CI secrets, an ignored .env.local, a vault), never the code.\n" +
	"3. Verify the new key from its variable (expect 200, not 401; use an endpoint your code calls):\n" +
	"     curl -sS -o /dev/null -w '%{http_code}\\n' -H \"clay-api-key: $CLAY_API_KEY\" https://api.clay.com/public/v0/tables\n" +
	"4. Revoke the old key in the Clay dashboard. Until then it works for whoever has a copy."

// GuidanceWebhookURL is how to replace a leaked Clay table webhook URL: the
// URL is the credential and cannot be rotated in place.
const GuidanceWebhookURL = "Replace the table's webhook source: anyone with this URL can write rows into the table, and a URL cannot be rotated in place.\n" +
	"1. In the Clay table, add a new webhook source; it gets a new URL.\n" +
	"2. Store the new URL in each sender's environment variable or secret store (e.g. CLAY_WEBHOOK_URL), not in the code.\n" +
	"3. Verify by sending a test row from the variable:\n" +
	"     curl -sS -X POST -H 'Content-Type: application/json' -d '{\"clayscan_test\": true}' \"$CLAY_WEBHOOK_URL\"\n" +
	"4. Delete the old webhook source from the table, so the leaked URL stops accepting rows."

// GuidanceWebhookAuth is how to replace a leaked x-clay-webhook-auth token.
const GuidanceWebhookAuth = "Regenerate the webhook's auth token and update the sender:\n" +
	"1. In the table's webhook source settings, generate a new auth token; the old one stops working.\n" +
	"2. Update the sender's environment variable or secret store (e.g. CLAY_WEBHOOK_AUTH) that it sends as x-clay-webhook-auth.\n" +
	"3. Verify from the variables:\n" +
	"     curl -sS -X POST -H \"x-clay-webhook-auth: $CLAY_WEBHOOK_AUTH\" -H 'Content-Type: application/json' -d '{\"clayscan_test\": true}' \"$CLAY_WEBHOOK_URL\"\n" +
	"4. Check the table for rows you did not send while the old token was exposed."

// GuidanceStripeKey is how to roll a Stripe live secret key.
const GuidanceStripeKey = "Roll the Stripe live secret key:\n" +
	"1. In the Stripe Dashboard (Developers, API keys), roll the secret key and let the old one expire now.\n" +
	"2. Update the environment variable or secret store that holds it (e.g. STRIPE_SECRET_KEY).\n" +
	"3. Verify the new key from its variable (expect a JSON balance, not an authentication error):\n" +
	"     curl -sS https://api.stripe.com/v1/balance -u \"$STRIPE_SECRET_KEY:\"\n" +
	"4. Review the Dashboard's request logs for calls you do not recognise."

// guidanceSkLive decides between Stripe and Clay when nothing near an
// sk_live_ key names either.
const guidanceSkLive = "Clay and Stripe both issue sk_live_ keys, and nothing near this one says which. " +
	"Find where it is used: passed to a Stripe SDK or sent to api.stripe.com, it is Stripe's; sent to api.clay.com, it is Clay's. " +
	"Then follow the matching steps below.\n\n" + GuidanceStripeKey + "\n\n" + GuidanceClayKey

// guidanceURLCredential adds the reason a key in a URL query is worse.
const guidanceURLCredential = "Query strings end up in server, proxy and browser logs: send the new key in a header instead.\n\n" + GuidanceClayKey

// Context is where a credential was found, for the guidance block that
// depends on it.
type Context struct {
	// Where is the view the finding comes from.
	Where Where
	// Untracked (worktree): git does not track the file; Tracked: it does.
	// Neither outside a repository.
	Untracked, Tracked bool
	// Since (history) is the date of the commit that added the key, Now
	// the time of the scan.
	Since, Now time.Time
	// InHead (history): the key is still in the tip's tree.
	InHead bool
}

// ContextGuidance is the block about where a credential was found, or ""
// when the place adds nothing to the rule's own steps.
func ContextGuidance(c Context) string {
	switch c.Where {
	case InStaged:
		return "Not committed yet: nothing has reached git history.\n" +
			"1. Unstage it: git restore --staged <file> (or take the key out of the file and git add it again).\n" +
			"2. Move the value to an ignored .env.local or a secret store, and read it from an environment variable.\n" +
			"3. Rotate it only if it was ever pushed, shared or committed elsewhere (steps below)."
	case InWorktree:
		switch {
		case c.Untracked:
			return "The file is not tracked by git, so the key has not been committed from here.\n" +
				"Keep it out: move the value to an ignored .env.local or a secret store, or add the file to .gitignore. " +
				"Rotate it if the file was ever committed, pushed or shared (steps below)."
		case c.Tracked:
			return "The file is tracked by git: the key is committed, and anyone with a clone has it. " +
				"Rotate it first (steps below), then read it from an environment variable instead of the file."
		}
	case InHistory:
		var b strings.Builder
		if c.Since.IsZero() {
			b.WriteString("In history: anyone with a clone or fork has it. ")
		} else {
			days := int(c.Now.Sub(c.Since).Hours() / 24)
			fmt.Fprintf(&b, "In history since %s (%d day%s): anyone with a clone or fork has it. ", c.Since.UTC().Format("2006-01-02"), days, plural(days))
		}
		b.WriteString("Rotate it first (steps below): deleting the commit or rewriting history does not un-leak it.\n")
		if c.InHead {
			b.WriteString("It is still in the current tree: take it out of the file too.\n")
		}
		b.WriteString("Then decide whether to purge it (git filter-repo, force-push, everyone re-clones): that stops new clones from getting it, and is no substitute for rotating.")
		return b.String()
	}
	return ""
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// GuidanceFor is the rule's guidance for a finding titled title: a context
// title (Stripe or Clay for sk_live_) may carry its own.
func (r *Rule) GuidanceFor(title string) string {
	for _, t := range r.Titles {
		if t.Title == title && t.Guidance != "" {
			return t.Guidance
		}
	}
	return r.Guidance
}
