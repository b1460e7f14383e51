package rules_test

import (
	"testing"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
)

// FuzzParseConfig: any .clayscan.toml is parsed or rejected with an error,
// never a panic; a config that parses gives rule sets the detector accepts
// and runs (issue 12).
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		"",
		"disable = [\"clay-bearer-token\"]\nmax_file_size = \"5MiB\"\nfail_on = \"high\"\n",
		"[allow]\npaths = [\"docs/**\"]\nregexes = [\"^test_\"]\nline_regexes = [\"example\"]\nstopwords = [\"dummy\"]\n",
		"[env]\nfiles = [\".env.*\"]\ntemplates = [\".env.dist\"]\n",
		"[[rules]]\nid = \"acme-token\"\ntitle = \"Acme token\"\nseverity = \"high\"\nkeywords = [\"acme_\"]\nregex = '''acme_([a-z0-9]{16})'''\nsecret_group = 1\nentropy = 3.0\nguidance = \"rotate\"\n",
		"[[rules]]\nid = \"\"\nregex = \"(\"\n",
		"unknown = 1\n[allow]\nregexes = [\"(\"]\n",
		"max_file_size = \"-1\"\n",
		"a = \"\\u0000\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := rules.ParseConfig(".clayscan.toml", data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		rs := cfg.RuleSet(rules.Default())
		cfg.PathRuleSet(rules.DefaultPathRules())
		det, err := scanner.NewDetector(rs)
		if err != nil {
			// ParseConfig validates custom rules: one it accepts must run.
			t.Fatalf("ParseConfig accepted rules the detector rejects: %v", err)
		}
		det.Detect(&scanner.Target{Path: "a.txt", Data: []byte("acme_0123456789abcdef CLAY_API_KEY=" + "q8Zr2Xk9Lp4Tm7Wv3Nb6\n")}, func(scanner.Finding) {})
	})
}
