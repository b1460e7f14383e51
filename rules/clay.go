package rules

import "regexp"

// RotateGuidance is the rotate-immediately advice every Clay finding carries.
const RotateGuidance = "Rotate this key now: once committed, it is leaked.\n" +
	"1. Generate a new key in the Clay dashboard.\n" +
	"2. Update the environment variable or secret store that holds it (CI secrets, .env.local, vault).\n" +
	"3. Verify the new key works (call a read-only endpoint such as the health check).\n" +
	"4. Revoke the old key in the Clay dashboard.\n" +
	"Deleting the commit or rewriting history does not un-leak the key: clones, forks, caches and CI logs keep it."

// settingName matches a Clay-named setting in any casing: CLAY_API_KEY,
// CLAY_WEBHOOK_SECRET, clayApiKey, clay_api_key, clay-api-key, Clay.ApiKey.
const settingName = `(?i:[a-z0-9_.-]*clay[a-z0-9_.-]*?(?:api[_.-]?key|key|secret|token|auth|cookie|password|passwd|credentials?)s?)`

// assignment joins a name to its value in .env, shell, YAML, JSON, TOML/INI,
// Go, Python, JS/TS, docker-compose and HTTP header syntax.
const assignment = `["'\]]?\s*(?:=>|:=|=|:|,)\s*(?:\[\s*)?`

// quotedOrBare captures the value: quoted, or bare up to a delimiter.
const quotedOrBare = "(?:\"([^\"\\s]{1,512})\"|'([^'\\s]{1,512})'|`([^`\\s]{1,512})`|([^\\s\"'`,;#(){}\\[\\]<>]{1,512}))"

// Default returns the built-in Clay rule pack, in a stable order: specific
// rules first, so that when two rules find the same secret the more precise
// one is reported.
func Default() []Rule {
	return []Rule{
		{
			ID:       "clay-webhook-url",
			Title:    "Clay table webhook URL",
			Severity: High,
			Keywords: []string{"api.clay.com/v"},
			// The URL itself is the credential: anyone holding it can write rows.
			Regex:            regexp.MustCompile(`(?i)https?://api\.clay\.com/v\d+/sources/webhook/[a-z0-9-]*?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`),
			KeepPlaceholders: true,
			Guidance: "A Clay table webhook URL lets anyone who has it write rows into your table. " +
				"Create a new webhook source on the table, point your senders at it, and delete the old source.\n" + RotateGuidance,
		},
		{
			ID:       "clay-ent-key",
			Title:    "Clay enterprise API key (clay_ent_)",
			Severity: Critical,
			Keywords: []string{"clay_ent_"},
			Regex:    regexp.MustCompile(`\b(clay_ent_[A-Za-z0-9_-]{16,128})\b`),
			// Require some randomness after the prefix.
			SecretGroup: 1,
			MinEntropy:  3.0,
			Guidance:    RotateGuidance,
		},
		{
			ID:          "clay-sk-live-key",
			Title:       "Live secret key (sk_live_): Clay or Stripe",
			Severity:    Critical,
			Keywords:    []string{"sk_live_"},
			Regex:       regexp.MustCompile(`\b(sk_live_[A-Za-z0-9]{16,247})\b`),
			SecretGroup: 1,
			MinEntropy:  3.0,
			Titles: []ContextTitle{
				{Near: []string{"clay"}, Title: "Clay live secret key (sk_live_)"},
				{Near: []string{"stripe"}, Title: "Stripe live secret key (sk_live_)"},
			},
			Guidance: "Clay and Stripe both issue sk_live_ keys; rotate it in whichever dashboard issued it.\n" + RotateGuidance,
		},
		{
			ID:          "clay-webhook-auth-header",
			Title:       "Clay webhook auth header (x-clay-webhook-auth)",
			Severity:    High,
			Keywords:    []string{"x-clay-webhook-auth"},
			Regex:       regexp.MustCompile(`(?i)x-clay-webhook-auth` + assignment + `["']?([0-9a-f]{16,128})\b`),
			SecretGroup: 1,
			MinEntropy:  2.5,
			Guidance:    "The x-clay-webhook-auth value authenticates writes to a Clay webhook. Generate a new auth token in the table's webhook settings.\n" + RotateGuidance,
		},
		{
			ID:          "clay-bearer-token",
			Title:       "Bearer token sent to api.clay.com",
			Severity:    High,
			Keywords:    []string{"bearer"},
			Regex:       regexp.MustCompile(`(?i)\bbearer\s+([A-Za-z0-9_\-.=+/~]{16,512})`),
			SecretGroup: 1,
			MinEntropy:  3.0,
			Near:        []string{"api.clay.com"},
			NearBytes:   1024,
			Guidance:    RotateGuidance,
		},
		{
			ID:       "clay-credential-assignment",
			Title:    "Clay credential assigned to a Clay-named setting",
			Severity: Critical,
			Keywords: []string{"clay"},
			Regex:    regexp.MustCompile(`(?:^|[^A-Za-z0-9_.-])` + settingName + assignment + quotedOrBare),
			// The secret is whichever of the four value groups matched.
			SecretGroup: FirstGroup,
			MinEntropy:  2.8,
			Guidance:    RotateGuidance,
		},
	}
}
