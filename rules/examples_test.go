package rules_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
)

// Every rule's examples run through the real detector. A line that must
// produce a finding carries its expectation after "⟸": the rule ID and the
// secret (go/analysis puts "// want" on the line the same way). The test
// fails on a finding that is missing, and on one that is not expected:
// false-positive examples expect nothing at all.
//
// Key-shaped strings are built at test time from the {VAR}s below, so the
// repository never holds one (clayscan scanning itself reports nothing).
type ruleExamples struct {
	id string
	tp []string // true positives: each has at least one expectation for id
	fp []string // false positives: no finding at all
}

var examples = []ruleExamples{
	{
		id: "clay-webhook-url",
		tp: []string{
			`CLAY_WEBHOOK_URL={WH} ⟸ clay-webhook-url {WH}`,
			`clay_webhook_url: "{WH}" ⟸ clay-webhook-url {WH}`,
			`{"webhook": "{WH}"} ⟸ clay-webhook-url {WH}`,
			`const url = '{WH}'; ⟸ clay-webhook-url {WH}`,
			`requests.post("{WH2}", json=row) ⟸ clay-webhook-url {WH2}`,
			`curl -X POST {WH3} -d @row.json ⟸ clay-webhook-url {WH3}`,
			`# push rows to {WH} ⟸ clay-webhook-url {WH}`,
			`webhook = "http://api.clay.com/v3/sources/webhook/{UUID}" ⟸ clay-webhook-url http://api.clay.com/v3/sources/webhook/{UUID}`,
		},
		fp: []string{
			`POST https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-<uuid>`,
			`url: https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-00000000-0000-0000-0000-000000000000`,
			`url: https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`,
			`CLAY_WEBHOOK_URL=${CLAY_WEBHOOK_URL}`,
			`see https://api.clay.com/v3/sources/webhook/ for the docs`,
		},
	},
	{
		// Issue 11: the slug alone is the credential, without the host.
		id: "clay-webhook-slug",
		tp: []string{
			`const url = "https://api.clay.com/v3/sources/webhook/" +
  "pull-in-data-from-a-webhook-{UUID}"; ⟸ clay-webhook-slug pull-in-data-from-a-webhook-{UUID}`,
			`CLAY_WEBHOOK_SLUG=pull-in-data-from-a-webhook-{UUID} ⟸ clay-webhook-slug pull-in-data-from-a-webhook-{UUID}`,
			`{"source": "pull-in-data-from-a-webhook-{UUID}"} ⟸ clay-webhook-slug pull-in-data-from-a-webhook-{UUID}`,
			`webhook_slug: pull-in-data-from-a-webhook-{UUID} ⟸ clay-webhook-slug pull-in-data-from-a-webhook-{UUID}`,
		},
		fp: []string{
			`slug: pull-in-data-from-a-webhook-<uuid>`,
			`slug: pull-in-data-from-a-webhook-00000000-0000-0000-0000-000000000000`,
			`slug: pull-in-data-from-a-webhook-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`,
			`Sources are named pull-in-data-from-a-webhook- followed by a UUID.`,
			`slug: pull-in-data-from-a-webhook-${WEBHOOK_ID}`,
		},
	},
	{
		id: "clay-ent-key",
		tp: []string{
			`CLAY_ENTERPRISE_KEY={ENT} ⟸ clay-ent-key {ENT}`,
			`export CLAY_KEY="{ENT}" ⟸ clay-ent-key {ENT}`,
			`key: {ENT} ⟸ clay-ent-key {ENT}`,
			`const k = "{ENT}" ⟸ clay-ent-key {ENT}`,
			`client = Clay(api_key="{ENT}") ⟸ clay-ent-key {ENT}`,
			`// old key {ENT} ⟸ clay-ent-key {ENT}`,
		},
		fp: []string{
			`CLAY_KEY=clay_ent_xxxxxxxxxxxxxxxxxxxxxxxx`,
			`keys start with clay_ent_ followed by 32 characters`,
			`CLAY_KEY=clay_ent_your_key_here`,
			`pattern: /clay_ent_[A-Za-z0-9]{32}/`,
			`clay_ent_EXAMPLE0123456789abcdef`,
		},
	},
	{
		id: "clay-sk-live-key",
		tp: []string{
			`CLAY_API_KEY={SK} ⟸ clay-sk-live-key {SK}`,
			`export CLAY_API_KEY='{SK}' ⟸ clay-sk-live-key {SK}`,
			`clay:
  api_key: {SK} ⟸ clay-sk-live-key {SK}`,
			`{"clayApiKey": "{SK}"} ⟸ clay-sk-live-key {SK}`,
			`clay_api_key = "{SK}" ⟸ clay-sk-live-key {SK}`,
			`const clayKey = "{SK}" ⟸ clay-sk-live-key {SK}`,
			`clay = Clay("{SK}") ⟸ clay-sk-live-key {SK}`,
			`curl -H "Authorization: Bearer {SK}" https://api.clay.com/v1/me ⟸ clay-sk-live-key {SK}`,
			`STRIPE_SECRET_KEY={SKS} ⟸ clay-sk-live-key {SKS}`,
			`k := "{SK}" ⟸ clay-sk-live-key {SK}`,
			`x={SK},y={SK2} ⟸ clay-sk-live-key {SK}; clay-sk-live-key {SK2}`,
		},
		fp: []string{
			`CLAY_API_KEY=sk_live_***`,
			`CLAY_API_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx`,
			`CLAY_API_KEY=sk_live_XXXXXXXXXXXXXXXXXXXXXXXXXXXX`,
			`CLAY_API_KEY=sk_live_your_key_here`,
			`CLAY_API_KEY=sk_live_...`,
			`const pattern = /sk_live_[0-9a-zA-Z]{24}/`,
			`Keys look like sk_live_ followed by 24 characters.`,
			`CLAY_API_KEY=sk_live_EXAMPLE1234567890abcdefgh`,
			`CLAY_API_KEY=sk_live_1234567890abcdefghij`,
			`CLAY_API_KEY=sk_live_aaaaaaaaaaaaaaaaaaaaaaaa`,
			`sk_live_ClayApiKeyForTheDocs`,
			// issue 11: masked examples
			`CLAY_API_KEY=sk_live_Ab***`,
			`CLAY_API_KEY=sk_live_••••••••••••••••••••`,
		},
	},
	{
		id: "clay-webhook-auth-header",
		tp: []string{
			`curl -H "x-clay-webhook-auth: {HEX}" {WHP} ⟸ clay-webhook-auth-header {HEX}; clay-webhook-url {WHP}`,
			`headers = {"x-clay-webhook-auth": "{HEX}"} ⟸ clay-webhook-auth-header {HEX}`,
			`fetch(url, { headers: { 'X-Clay-Webhook-Auth': '{HEX}' } }) ⟸ clay-webhook-auth-header {HEX}`,
			`req.Header.Set("x-clay-webhook-auth", "{HEX}") ⟸ clay-webhook-auth-header {HEX}`,
			`x-clay-webhook-auth: {HEX} ⟸ clay-webhook-auth-header {HEX}`,
			`axios.post(url, row, { headers: { "x-clay-webhook-auth": "{HEX2}" } }) ⟸ clay-webhook-auth-header {HEX2}`,
		},
		fp: []string{
			`headers = {"x-clay-webhook-auth": os.environ["CLAY_WEBHOOK_AUTH"]}`,
			`"x-clay-webhook-auth": process.env.CLAY_WEBHOOK_AUTH,`,
			"curl -H \"x-clay-webhook-auth: $CLAY_WEBHOOK_AUTH\" https://example.com",
			`x-clay-webhook-auth: <your-webhook-auth-token>`,
			`x-clay-webhook-auth: 00000000000000000000`,
			`// send x-clay-webhook-auth, content-type and accept`,
		},
	},
	{
		id: "clay-api-key-header",
		tp: []string{
			`curl https://api.clay.com/public/v0/tables -H "clay-api-key: {TOK}" ⟸ clay-api-key-header {TOK}`,
			`headers: { "clay-api-key": "{TOK}" } ⟸ clay-api-key-header {TOK}`,
			`requests.get(f"{base}/tables", headers={'clay-api-key': '{TOK}'}) ⟸ clay-api-key-header {TOK}`,
			`req.Header.Set("Clay-Api-Key", "{TOK}") ⟸ clay-api-key-header {TOK}`,
			`clay-api-key: {TOK2} ⟸ clay-api-key-header {TOK2}`,
		},
		fp: []string{
			`// CLAY_WEBHOOK_SECRET, clayApiKey, clay_api_key, clay-api-key`,
			`headers: { "clay-api-key": process.env.CLAY_API_KEY }`,
			`curl -H "clay-api-key: ${CLAY_API_KEY}" https://api.clay.com/public/v0/tables`,
			`-H 'clay-api-key: <your-clay-api-key>'`,
			`req.Header.Set("clay-api-key", apiKey)`,
		},
	},
	{
		id: "clay-bearer-token",
		tp: []string{
			`curl -H "Authorization: Bearer {TOK}" https://api.clay.com/v1/tables ⟸ clay-bearer-token {TOK}`,
			`fetch("https://api.clay.com/v1/tables", { headers: { Authorization: "Bearer {TOK}" } }) ⟸ clay-bearer-token {TOK}`,
			`requests.get("https://api.clay.com/v1/me", headers={"Authorization": "Bearer {JWT}"}) ⟸ clay-bearer-token {JWT}`,
			`const api = axios.create({ baseURL: "https://api.clay.com",
  headers: { Authorization: 'Bearer {TOK2}' } }) ⟸ clay-bearer-token {TOK2}`,
			// issue 11: the nearest host decides, after another one above
			`await fetch("https://api.openai.com/v1/models")
await fetch("https://api.clay.com/v1/tables", { headers: { Authorization: "Bearer {TOK}" } }) ⟸ clay-bearer-token {TOK}`,
		},
		fp: []string{
			`curl -H "Authorization: Bearer {TOK}" https://api.github.com/user`,
			"fetch(\"https://api.clay.com/v1/tables\", { headers: { Authorization: `Bearer ${token}` } })",
			`curl -H "Authorization: Bearer $CLAY_API_KEY" https://api.clay.com/v1/me`,
			`curl -H "Authorization: Bearer YOUR_CLAY_API_KEY" https://api.clay.com/v1/me`,
			`curl -H "Authorization: Bearer <token>" https://api.clay.com/v1/me`,
			// issue 11: a Clay URL above is not the request's own host
			`const CLAY_API = "https://api.clay.com/v1";
// ... the rest of the client ...
await fetch("https://api.openai.com/v1/chat/completions", {
  headers: { Authorization: "Bearer {TOK}" },
})`,
			`clay_base = "https://api.clay.com"
resp = requests.get("https://hooks.slack.com/services/T0/B0", headers={"Authorization": "Bearer {TOK2}"})`,
		},
	},
	{
		id: "clay-url-credential",
		tp: []string{
			`GET https://api.clay.com/v1/tables?api_key={TOK} ⟸ clay-url-credential {TOK}`,
			`requests.get("https://api.clay.com/v1/rows?table=t1&token={TOK}") ⟸ clay-url-credential {TOK}`,
			`url: "https://api.clay.com/public/v0/tables?key={TOK2}&limit=10" ⟸ clay-url-credential {TOK2}`,
		},
		fp: []string{
			"fetch(`https://api.clay.com/v1/tables?api_key=${apiKey}`)",
			`https://api.clay.com/v1/tables?api_key=YOUR_API_KEY`,
			`https://api.clay.com/v1/tables?limit=100&offset=200`,
		},
	},
	{
		id: "clay-credential-assignment",
		tp: []string{
			// .env and shell
			`CLAY_API_KEY={TOK} ⟸ clay-credential-assignment {TOK}`,
			`CLAY_SECRET="{TOK}" ⟸ clay-credential-assignment {TOK}`,
			`export CLAY_WEBHOOK_SECRET={TOK} ⟸ clay-credential-assignment {TOK}`,
			`CLAY_WEBHOOK_AUTH={HEX} ⟸ clay-credential-assignment {HEX}`,
			`CLAY_SESSION_COOKIE='{COOKIE}' ⟸ clay-credential-assignment {COOKIE}`,
			`CLAY_REFRESH_TOKEN={TOK2} ⟸ clay-credential-assignment {TOK2}`,
			`CLAY_API_KEY_PROD={TOK} ⟸ clay-credential-assignment {TOK}`,
			`$env:CLAY_API_KEY = "{TOK}" ⟸ clay-credential-assignment {TOK}`,
			// YAML, docker-compose
			`clay_api_key: {TOK} ⟸ clay-credential-assignment {TOK}`,
			`clay:
  secret: "{TOK}" ⟸ clay-nested-credential {TOK}
CLAY_AUTH: '{TOK2}' ⟸ clay-credential-assignment {TOK2}`,
			`services:
  app:
    environment:
      - CLAY_API_KEY={TOK} ⟸ clay-credential-assignment {TOK}
      CLAY_SECRET: {TOK2} ⟸ clay-credential-assignment {TOK2}`,
			// JSON
			`{"clayApiKey": "{TOK}", "name": "x"} ⟸ clay-credential-assignment {TOK}`,
			`{"CLAY_WEBHOOK_SECRET":"{TOK2}"} ⟸ clay-credential-assignment {TOK2}`,
			// TOML, INI
			`clay_api_key = "{TOK}" ⟸ clay-credential-assignment {TOK}`,
			`clay.api_key = '{TOK}' ⟸ clay-credential-assignment {TOK}`,
			`clay_password={TOK} ⟸ clay-credential-assignment {TOK}`,
			// Go
			`const clayAPIKey = "{TOK}" ⟸ clay-credential-assignment {TOK}`,
			`clayToken := "{TOK}" ⟸ clay-credential-assignment {TOK}`,
			`var claySecret string = "{TOK}" ⟸ clay-credential-assignment {TOK}`,
			`cfg := Config{ClayAPIKey: "{TOK}"} ⟸ clay-credential-assignment {TOK}`,
			`os.Setenv("CLAY_API_KEY", "{TOK}") ⟸ clay-credential-assignment {TOK}`,
			// Python
			`CLAY_API_KEY = "{TOK}" ⟸ clay-credential-assignment {TOK}`,
			`clay_api_key: str = "{TOK}" ⟸ clay-credential-assignment {TOK}`,
			`os.environ["CLAY_API_KEY"] = "{TOK}" ⟸ clay-credential-assignment {TOK}`,
			`client = ClayClient(clay_api_key="{TOK}") ⟸ clay-credential-assignment {TOK}`,
			`os.environ.setdefault('CLAY_SECRET', '{TOK}') ⟸ clay-credential-assignment {TOK}`,
			// JS/TS
			`const CLAY_API_KEY = '{TOK}'; ⟸ clay-credential-assignment {TOK}`,
			"const clayApiKey = `{TOK}`; ⟸ clay-credential-assignment {TOK}",
			`const clayApiKey: string = "{TOK}"; ⟸ clay-credential-assignment {TOK}`,
			`process.env.CLAY_API_KEY = "{TOK}"; ⟸ clay-credential-assignment {TOK}`,
			`export default { clayWebhookSecret: '{TOK}' } ⟸ clay-credential-assignment {TOK}`,
			`var c={clayApiKey:"{TOK}",n:1} ⟸ clay-credential-assignment {TOK}`,
			`{"clay_secret":{TOK2}} ⟸ clay-credential-assignment {TOK2}`,
			// Ruby, URL query, comment
			`config.clay_api_key => "{TOK}" ⟸ clay-credential-assignment {TOK}`,
			`https://example.com/hook?clay_token={TOK}&x=1 ⟸ clay-credential-assignment {TOK}`,
			`# CLAY_API_KEY={TOK2} ⟸ clay-credential-assignment {TOK2}`,
			// A key without prefix is a key whatever its shape.
			`CLAY_API_KEY={B64} ⟸ clay-credential-assignment {B64}`,
		},
		fp: []string{
			`// CLAY_WEBHOOK_SECRET, clayApiKey, clay_api_key, clay-api-key`,
			`CLAY_API_KEY=your_key_here`,
			`CLAY_API_KEY=new_key_here`,
			`CLAY_API_KEY=<your-clay-api-key>`,
			`clay_api_key: "<your-clay-api-key>"`,
			`CLAY_API_KEY=${CLAY_API_KEY}`,
			`CLAY_API_KEY=$CLAY_API_KEY`,
			`clay_api_key: ${{ secrets.CLAY_API_KEY }}`,
			`CLAY_API_KEY: {{ secrets.CLAY_API_KEY }}`,
			`clay_api_key: "{{ secrets.CLAY_API_KEY }}"`,
			`const clayApiKey = process.env.CLAY_API_KEY;`,
			`clay_api_key = os.getenv("CLAY_API_KEY")`,
			`clay_api_key = os.environ["CLAY_API_KEY"]`,
			`clayKey := os.Getenv("CLAY_API_KEY")`,
			`CLAY_SECRET=changeme`,
			`CLAY_SECRET=REDACTED`,
			`CLAY_API_KEY=EXAMPLEKEY123456789`,
			`CLAY_API_KEY=my-EXAMPLE-key-0987`,
			`CLAY_API_KEY=aaaaaaaaaaaaaaaa`,
			`CLAY_API_KEY=abcdefghijklmnop`,
			`CLAY_API_KEY=1234567890`,
			`CLAY_API_KEY=`,
			`CLAY_API_KEY=""`,
			`clay_api_key:`,
			`CLAY_SECRET=secret123`,
			`CLAY_SECRET=mysecretvalue`,
			`CLAY_SECRET=abababab`,
			`clay_api_key: "/sk_live_[0-9a-zA-Z]{24}/"`,
			`clay_api_key: ^[A-Za-z0-9]{32}$`,
			`clayApiKey: clayApiKeyFromVault,`,
			`write(t, dir, "config.env", "CLAY_API_KEY="+stagedKey1+"\n")`,
			`env := "CLAY_SECRET='"+secret+"'"`,
			`url := "https://api.clay.com/v1?clay_token="+cfg.ClayToken`,
			`ClayAPIKey: cfg.ClayAPIKey,`,
			`CLAY_API_KEY=CLAY_API_KEY_PRODUCTION`,
			`clayApiKey: string;`,
			`clay_api_key: Optional[str] = None`,
			`if clayAPIKey == "" {`,
			`if (clayApiKey === undefined) throw new Error("missing CLAY_API_KEY")`,
			`ClayAPIKey string ` + "`json:\"clay_api_key\"`",
			`The CLAY_API_KEY setting holds your Clay API key.`,
			`| CLAY_API_KEY | your Clay API key | required |`,
			`clay_api_key = config.get("clay_api_key", "")`,
			`clayWebhookSecret: webhookSecretFromSettings`,
			`CLAY_TABLE_ID=t_0a1b2c3d4e5f`,
			`clay_max_tokens = 4096`,
			// finding fingerprints in ignore files and docs
			`clay-sk-live-key:455969cd89741f1d  # test fixture, rotated`,
			`exec clayscan ignore add CLAY-SK-LIVE-KEY:455969CD89741F1D`,
			`clay-ent-key:0a1b2c3d4e5f6789`,
			// issue 11: masked examples, any run of three mask characters
			`CLAY_API_KEY=sk_test_dev_***`,
			`CLAY_WEBHOOK_SECRET=whsec_•••`,
			`CLAY_WEBHOOK_SECRET="whsec_•••••••"`,
			`CLAY_API_KEY=sk_test_4eC3…`,
			`CLAY_API_KEY=ck_...abcd`,
			// issue 11: test-mode prefixes are stripped before the checks
			`CLAY_API_KEY=sk_test_aaaaaaaaaaaaaaaa`,
			`CLAY_WEBHOOK_SECRET=whsec_abababababababab`,
			`CLAY_API_KEY=sk_test_1234567890abcdef`,
			// issue 11: references to a secret manager entry
			`gcloud run deploy api --set-secrets=CLAY_API_KEY=clay-api-key:latest`,
			`gcloud run deploy api --set-secrets=CLAY_API_KEY=clay-api-key:3`,
			`CLAY_API_KEY=projects/acme-prod/secrets/clay-api-key/versions/latest`,
			`clay_api_key: "projects/123456789/secrets/clay_api_key"`,
			`CLAY_API_KEY=arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/clay-api-key-Ab12Cd`,
			`clay_api_key: arn:aws:ssm:eu-west-1:123456789012:parameter/prod/clay/api_key`,
			`CLAY_API_KEY=vault:secret/data/clay#api_key`,
			`CLAY_API_KEY=secret/data/prod/clay:api_key`,
			`clay_api_key: op://Engineering/Clay API/credential`,
			`CLAY_API_KEY=ref+vault://secret/clay#/api_key`,
		},
	},
	{
		id: "clay-nested-credential",
		tp: []string{
			// YAML
			`clay:
  api_key: {TOK} ⟸ clay-nested-credential {TOK}`,
			`integrations:
  clay:
    workspace: acme
    webhook:
      secret: "{TOK2}" ⟸ clay-nested-credential {TOK2}`,
			// TOML / INI
			`[clay]
base_url = "https://api.clay.com/public/v0"
api_key = "{TOK}" ⟸ clay-nested-credential {TOK}`,
			`[integrations.clay]
token={TOK2} ⟸ clay-nested-credential {TOK2}`,
			// JSON
			`{
  "clay": {
    "apiKey": "{TOK}" ⟸ clay-nested-credential {TOK}
  }
}`,
			// CRLF
			"clay:\r\n  api_key: {TOK}\r ⟸ clay-nested-credential {TOK}",
		},
		fp: []string{
			`clay:
  api_key: ${CLAY_API_KEY}`,
			`clay:
  api_key: {{ secrets.CLAY_API_KEY }}
  token_ttl: 3600`,
			`[clay]
api_key = "your_key_here"`,
			`"clay": {
  "apiKey": process.env.CLAY_API_KEY
}`,
			`clay:
  enabled: true
[stripe]
secret_key = "{TOK}"`,
			`clay:
  api_key: changeme`,
		},
	},
}

// keys are the {VAR}s: fake credentials built at test time from a fixed
// seed, so the repository never holds one and failures reproduce.
func keys() map[string]string {
	rng := rand.New(rand.NewPCG(2, 7))
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	pick := func(set string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = set[rng.IntN(len(set))]
		}
		return string(b)
	}
	uuid := func() string {
		h := "0123456789abcdef"
		return pick(h, 8) + "-" + pick(h, 4) + "-4" + pick(h, 3) + "-a" + pick(h, 3) + "-" + pick(h, 12)
	}
	webhook := "https://api.clay.com/v3/sources/webhook/"
	k := map[string]string{
		"SK":     "sk_" + "live_" + pick(alnum, 24),
		"SK2":    "sk_" + "live_" + pick(alnum, 24),
		"SKS":    "sk_" + "live_" + pick(alnum, 99),
		"ENT":    "clay_" + "ent_" + pick(alnum, 32),
		"TOK":    pick(alnum, 32),
		"TOK2":   pick(alnum, 40),
		"HEX":    pick("0123456789abcdef", 20),
		"HEX2":   pick("0123456789abcdef", 20),
		"B64":    pick(alnum+"+/", 43) + "=",
		"COOKIE": "s%3A" + pick(alnum, 30) + "." + pick(alnum, 20),
		"JWT":    "eyJhbGciOiJIUzI1NiJ9." + pick(alnum, 40) + "." + pick(alnum+"-_", 43),
		"UUID":   uuid(),
	}
	k["WH"] = webhook + "pull-in-data-from-a-webhook-" + uuid()
	k["WH2"] = webhook + "enrich-leads-" + uuid()
	k["WH3"] = webhook + uuid()
	k["WHP"] = webhook + "pull-in-data-from-a-webhook-" + uuid()
	return k
}

func expand(s string, k map[string]string) string {
	for name, v := range k {
		s = strings.ReplaceAll(s, "{"+name+"}", v)
	}
	return s
}

type want struct {
	line   int
	rule   string
	secret string
}

// parseExample strips the "⟸" expectations from text and returns the text
// to scan and the findings it must produce.
func parseExample(t *testing.T, text string, k map[string]string) (string, []want) {
	t.Helper()
	var lines []string
	var wants []want
	for i, line := range strings.Split(text, "\n") {
		code, exp, ok := strings.Cut(line, " ⟸ ")
		lines = append(lines, expand(code, k))
		if !ok {
			continue
		}
		for _, e := range strings.Split(exp, ";") {
			f := strings.Fields(e)
			if len(f) != 2 {
				t.Fatalf("bad expectation %q", e)
			}
			wants = append(wants, want{line: i + 1, rule: f[0], secret: expand(f[1], k)})
		}
	}
	return strings.Join(lines, "\n"), wants
}

func TestRuleExamples(t *testing.T) {
	det, err := scanner.NewDetector(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	k := keys()
	run := func(t *testing.T, text string) ([]want, []want, []scanner.Finding) {
		data, wants := parseExample(t, text, k)
		var got []want
		var fs []scanner.Finding
		det.Detect(&scanner.Target{Path: "example", Data: []byte(data)}, func(f scanner.Finding) {
			got = append(got, want{line: f.Line, rule: f.RuleID, secret: f.Raw()})
			fs = append(fs, f)
			// The column points at the secret.
			line := strings.Split(data, "\n")[f.Line-1]
			if i := strings.Index(line, f.Raw()); i < 0 || len([]rune(line[:i]))+1 != f.Column {
				t.Errorf("%s: column %d, want the secret's column in %q", f.RuleID, f.Column, line)
			}
		})
		return wants, got, fs
	}
	for _, ex := range examples {
		for i, text := range ex.tp {
			t.Run(fmt.Sprintf("%s/tp%d", ex.id, i), func(t *testing.T) {
				wants, got, _ := run(t, text)
				if !slices.ContainsFunc(wants, func(w want) bool { return w.rule == ex.id }) {
					t.Fatalf("true-positive example for %s expects no %s finding", ex.id, ex.id)
				}
				for _, w := range wants {
					if !slices.Contains(got, w) {
						t.Errorf("missing: line %d %s %s\n%s", w.line, w.rule, w.secret, expand(text, k))
					}
				}
				for _, g := range got {
					if !slices.Contains(wants, g) {
						t.Errorf("unexpected: line %d %s %q\n%s", g.line, g.rule, g.secret, expand(text, k))
					}
				}
			})
		}
		for i, text := range ex.fp {
			t.Run(fmt.Sprintf("%s/fp%d", ex.id, i), func(t *testing.T) {
				wants, got, _ := run(t, text)
				if len(wants) > 0 {
					t.Fatalf("false-positive example expects findings")
				}
				for _, g := range got {
					t.Errorf("unexpected: line %d %s %q\n%s", g.line, g.rule, g.secret, expand(text, k))
				}
			})
		}
	}
}

// TestEveryRuleHasExamples fails when a rule of the built-in pack has no
// true-positive or no false-positive examples, or examples name a rule that
// does not exist.
func TestEveryRuleHasExamples(t *testing.T) {
	have := map[string]ruleExamples{}
	for _, ex := range examples {
		have[ex.id] = ex
	}
	ids := map[string]bool{}
	for _, r := range rules.Default() {
		ids[r.ID] = true
		ex := have[r.ID]
		if len(ex.tp) < 3 {
			t.Errorf("rule %s: %d true-positive examples, want at least 3 in different syntaxes", r.ID, len(ex.tp))
		}
		if len(ex.fp) < 3 {
			t.Errorf("rule %s: %d false-positive examples, want at least 3", r.ID, len(ex.fp))
		}
	}
	for id := range have {
		if !ids[id] {
			t.Errorf("examples for unknown rule %s", id)
		}
	}
}

// The title of a bare sk_live_ key names Clay or Stripe from the nearest
// mention.
func TestSkLiveTitle(t *testing.T) {
	det, err := scanner.NewDetector(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	k := keys()
	for _, c := range []struct{ text, title string }{
		{"CLAY_API_KEY=" + k["SK"], "Clay live secret key (sk_live_)"},
		{"STRIPE_SECRET_KEY=" + k["SK"], "Stripe live secret key (sk_live_)"},
		{"# clay settings\n\nSTRIPE_KEY=" + k["SK"], "Stripe live secret key (sk_live_)"},
		{"key=" + k["SK"], "Live secret key (sk_live_): Clay or Stripe"},
	} {
		var titles []string
		det.Detect(&scanner.Target{Data: []byte(c.text)}, func(f scanner.Finding) { titles = append(titles, f.Title) })
		if len(titles) != 1 || titles[0] != c.title {
			t.Errorf("%q: titles %q, want %q", strings.Replace(c.text, k["SK"], "{SK}", 1), titles, c.title)
		}
	}
}

// Every placeholder class is rejected by every rule, not only by the rule
// whose pattern it resembles (issue 11). Each rule has a template that
// finds a real value; with each placeholder in its place, nothing is found.
func TestPlaceholdersRejectedByEveryRule(t *testing.T) {
	det, err := scanner.NewDetector(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	k := keys()
	templates := map[string]struct{ text, real string }{
		"clay-webhook-url":           {`u = "https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-{V}"`, k["UUID"]},
		"clay-webhook-slug":          {`slug: pull-in-data-from-a-webhook-{V}`, k["UUID"]},
		"clay-ent-key":               {`k = "clay_ent_{V}"`, k["TOK"]},
		"clay-sk-live-key":           {`k = "sk_live_{V}"`, k["TOK"]},
		"clay-webhook-auth-header":   {`x-clay-webhook-auth: {V}`, k["TOK"]},
		"clay-api-key-header":        {`clay-api-key: {V}`, k["TOK"]},
		"clay-bearer-token":          {`curl -H "Authorization: Bearer {V}" https://api.clay.com/v1/me`, k["TOK"]},
		"clay-url-credential":        {`GET https://api.clay.com/v1/tables?api_key={V}`, k["TOK"]},
		"clay-credential-assignment": {`CLAY_API_KEY={V}`, k["TOK"]},
		"clay-nested-credential":     {"clay:\n  api_key: {V}", k["TOK"]},
	}
	placeholders := []string{
		"your_key_here", "YOUR_CLAY_API_KEY", "${CLAY_API_KEY}", "$CLAY_API_KEY", "process.env.CLAY_API_KEY",
		"<your-api-key>", "xxxxxxxxxxxxxxxxxxxxxxxx", "XXXXXXXXXXXXXXXXXXXXXXXX", "************************",
		"sk_test_dev_***", "whsec_•••", "••••••••••••••••", "Ab3d…Wx9z", "Ab3d***Wx9z", "Ab3d...Wx9z",
		"EXAMPLEKEY1234567890", "changeme", "REDACTED", "0000000000000000", "1234567890abcdef", "abcdefghijklmnop",
		"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", "00000000-0000-0000-0000-000000000000",
		"clay-api-key:latest", "projects/acme/secrets/clay-api-key/versions/latest",
		"arn:aws:secretsmanager:us-east-1:123456789012:secret:clay-AbCdEf", "vault:secret/data/clay#api_key",
		"op://Engineering/Clay/credential",
	}
	for _, r := range rules.Default() {
		tmpl, ok := templates[r.ID]
		if !ok {
			t.Errorf("rule %s has no placeholder template", r.ID)
			continue
		}
		var got []string
		det.Detect(&scanner.Target{Data: []byte(strings.ReplaceAll(tmpl.text, "{V}", tmpl.real))}, func(f scanner.Finding) { got = append(got, f.RuleID) })
		if !slices.Contains(got, r.ID) {
			t.Errorf("%s: the template with a real value finds %v", r.ID, got)
		}
		for _, p := range placeholders {
			text := strings.ReplaceAll(tmpl.text, "{V}", p)
			det.Detect(&scanner.Target{Data: []byte(text)}, func(f scanner.Finding) {
				t.Errorf("%s: placeholder %q found by %s as %q", r.ID, p, f.RuleID, f.Raw())
			})
		}
	}
}
