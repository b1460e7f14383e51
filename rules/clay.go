package rules

// The pieces below are shared by the rules' regexes. None uses a large
// counted repetition ({1,512}): each copy is a program instruction, and a
// large program pushes Go's regexp from its backtracker onto the much slower
// NFA. Lengths are bounded by the detector's window instead.
const (
	// settingName matches a Clay-named setting from "clay" on, in any
	// casing: CLAY_API_KEY, CLAY_WEBHOOK_SECRET, clayApiKey, clay_api_key,
	// clay-api-key, Clay.ApiKey, CLAY_SESSION_COOKIE, CLAY_API_KEY_PROD.
	// What comes before "clay" (export, process.env., NEXT_PUBLIC_) does
	// not matter.
	settingName = `(?i:clay[a-z0-9_.-]*?(?:api[_.-]?key|key|secret|token|auth|cookie|password|passwd|credentials?)s?` +
		`(?:[_.-](?:prod|production|live|dev|development|staging|test|v\d+|\d+))?)`

	// closeName ends a quoted or indexed name: "NAME", 'NAME', ["NAME"].
	closeName = "[\"'`]?\\]?[ \\t]*"

	// assign joins a name to its value: = := => and a typed assignment
	// (name: string = …, name: str = …, var name string = …). A bare ":" is
	// handled apart: see the assignment rule.
	assign = `(?::[ \t]*[A-Za-z_][\w.]*(?:\[\])?[ \t]+=|[ \t]+string[ \t]*=|:=|=>|=)[ \t]*`

	// comma joins a quoted name to a quoted value in a call:
	// os.Setenv("CLAY_API_KEY", "…"), headers.set('clay-api-key', '…').
	// It needs the quotes, so a list of names in prose is not a match.
	comma = `["']\]?[ \t]*,[ \t]*`

	// quotedValue captures a quoted value. Short values need no length
	// check here: MinEntropy 2.8 needs at least seven distinct characters.
	quotedValue = "(?:\"([^\"\\s]+)\"|'([^'\\s]+)'|`([^`\\s]+)`)"

	// bareValue captures an unquoted value up to a delimiter; it cannot
	// start with "=" (a comparison, ==) or "{" (a template).
	bareValue = "([^\\s\"'`,;#(){}\\[\\]<>&=|\\\\][^\\s\"'`,;(){}\\[\\]<>&|\\\\]*)"

	// token is the character set of header and bearer values.
	token = `[A-Za-z0-9_\-.=+/~]`
)

// headerRegex matches a header named name with its value, in curl -H,
// raw HTTP, JS/Python dict, YAML and Go Header.Set syntax.
func headerRegex(name string) *Pattern {
	return MustPattern(`(?i)` + name + `(?:` + closeName + `(?:=>|=|:)[ \t]*["']?(` + token + `{12,})` +
		`|` + comma + `["'](` + token + `{12,})["'])`)
}

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
			// The URL itself is the credential: anyone holding it can write
			// rows. Its UUID is what must look random.
			Regex: MustPattern(`(?i)(?:https?://)?api\.clay\.com/v\d+/sources/webhook/(?:[a-z0-9-]*-)?` +
				`([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`),
			SecretGroup: 0,
			CheckGroup:  1,
			Guidance:    GuidanceWebhookURL,
		},
		{
			ID:       "clay-webhook-slug",
			Title:    "Clay table webhook slug (pull-in-data-from-a-webhook-…)",
			Severity: High,
			Keywords: []string{"pull-in-data-from-a-webhook-"},
			// A table webhook's default slug names the source by itself
			// (issue 11): a URL split over two string literals, or a slug
			// stored in a setting, is the credential without the host. Where
			// the whole URL is there, clay-webhook-url reports it instead.
			Regex:       MustPattern(`(?i)pull-in-data-from-a-webhook-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`),
			SecretGroup: 0,
			CheckGroup:  1,
			Guidance:    GuidanceWebhookURL,
		},
		{
			ID:          "clay-ent-key",
			Title:       "Clay enterprise API key (clay_ent_)",
			Severity:    Critical,
			Keywords:    []string{"clay_ent_"},
			Regex:       MustPattern(`\b(clay_ent_[A-Za-z0-9_-]{16,})`),
			SecretGroup: 1,
			MinEntropy:  3.0,
			Guidance:    GuidanceClayKey,
		},
		{
			ID:          "clay-sk-live-key",
			Title:       "Live secret key (sk_live_): Clay or Stripe",
			Severity:    Critical,
			Keywords:    []string{"sk_live_"},
			Regex:       MustPattern(`\b(sk_live_[A-Za-z0-9]{16,})\b`),
			SecretGroup: 1,
			MinEntropy:  3.0,
			// The nearest mention decides: STRIPE_SECRET_KEY=sk_live_… in
			// a file that also talks about Clay is Stripe's.
			Titles: []ContextTitle{
				{Near: []string{"clay"}, Title: "Clay live secret key (sk_live_)", Guidance: GuidanceClayKey},
				{Near: []string{"stripe"}, Title: "Stripe live secret key (sk_live_)", Guidance: GuidanceStripeKey},
			},
			Guidance: guidanceSkLive,
		},
		{
			ID:          "clay-webhook-auth-header",
			Title:       "Clay webhook auth header (x-clay-webhook-auth)",
			Severity:    High,
			Keywords:    []string{"x-clay-webhook-auth"},
			Regex:       headerRegex(`x-clay-webhook-auth`),
			SecretGroup: FirstGroup,
			MinEntropy:  2.5,
			Guidance:    GuidanceWebhookAuth,
		},
		{
			ID:       "clay-api-key-header",
			Title:    "Clay API key header (clay-api-key)",
			Severity: Critical,
			Keywords: []string{"clay-api-key"},
			// Sent to https://api.clay.com/public/v0; the header name alone
			// makes the value Clay's.
			Regex:       headerRegex(`clay-api-key`),
			SecretGroup: FirstGroup,
			MinEntropy:  2.8,
			Guidance:    GuidanceClayKey,
		},
		{
			ID:          "clay-bearer-token",
			Title:       "Bearer token sent to api.clay.com",
			Severity:    High,
			Keywords:    []string{"bearer"},
			Regex:       MustPattern(`(?i)\bbearer[ \t]+(` + token + `{16,})`),
			SecretGroup: 1,
			MinEntropy:  3.0,
			Near:        []string{"api.clay.com"},
			NearBytes:   2048,
			// The request the header rides must be Clay's own: a Clay URL
			// further away than another host's does not count (issue 11).
			Hosts:    []string{"api.clay.com"},
			Guidance: GuidanceClayKey,
		},
		{
			ID:       "clay-url-credential",
			Title:    "Credential in an api.clay.com URL query",
			Severity: High,
			Keywords: []string{"api.clay.com"},
			Regex: MustPattern(`(?i)api\.clay\.com[^\s"'<>?#]*\?(?:[^\s"'<>#]*?&)?` +
				`(?:api[_-]?key|key|token|access[_-]?token|secret|auth)=([^&\s"'<>#]{8,})`),
			SecretGroup: 1,
			MinEntropy:  2.8,
			Guidance:    guidanceURLCredential,
		},
		{
			ID:       "clay-credential-assignment",
			Title:    "Clay credential assigned to a Clay-named setting",
			Severity: Critical,
			Keywords: []string{"clay"},
			// .env, shell export, YAML, JSON, TOML/INI, docker-compose,
			// Go/Python/JS/TS assignments and calls, URL query parameters.
			//
			// After an unquoted name, ":" needs a space before a bare value
			// (YAML) or a quoted value (minified JS {clayKey:"…"}): a
			// finding fingerprint such as clay-sk-live-key:455969cd89741f1d
			// in an ignore file is not an assignment.
			Regex: MustPattern(settingName + `(?:` +
				"(?:[\"'`]\\]?[ \t]*(?:" + assign + `|:[ \t]*)|\]?[ \t]*(?:` + assign + `|:[ \t]+))` +
				`(?:` + quotedValue + `|` + bareValue + `)` +
				`|(?:\]?[ \t]*:|` + comma + `)` + quotedValue + `)`),
			// The secret is whichever value group matched.
			SecretGroup: FirstGroup,
			MinEntropy:  2.8,
			Guidance:    GuidanceClayKey,
		},
		{
			ID:       "clay-nested-credential",
			Title:    "Clay credential in a Clay settings section",
			Severity: Critical,
			Keywords: []string{"clay"},
			// A section named clay (YAML clay:, TOML [clay], JSON
			// "clay": {) with a key, secret or token setting within the
			// next few lines: clay:\n  api_key: ….
			Regex: MustPattern(`(?i)clay["']?[ \t]*(?::|=|\])?[ \t]*\{?[ \t]*\r?\n` +
				`(?:[^\[\r\n][^\r\n]*\r?\n){0,5}?` +
				`[ \t]*["']?[a-z0-9_.-]*?(?:api[_.-]?key|key|secret|token|auth|cookie|password|passwd|credentials?)s?["']?` +
				`[ \t]*[:=][ \t]*(?:` + quotedValue + `|` + bareValue + `)`),
			SecretGroup: FirstGroup,
			MinEntropy:  2.8,
			Lines:       6,
			Guidance:    GuidanceClayKey,
		},
	}
}
