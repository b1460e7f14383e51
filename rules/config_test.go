package rules

import (
	"os"
	"strings"
	"testing"
)

const goodConfig = `# a full config
disable = ["clay-bearer-token"]
max_file_size = "2MiB"

[allow]
paths = ["testdata/**", "docs/*.md"]
regexes = ['''^sk_live_TEST''']
line_regexes = ['''example\.com''']
stopwords = ["Dummy"]

[env]
files = ["secrets.env"]
templates = [".env.dist"]

[[rules]]
id = "acme-token"
title = "Acme token"
severity = "high"
keywords = ["ACME_"]
regex = '''ACME_[A-Z0-9]{20}'''
entropy = 3.0
guidance = "Rotate it."

[[rules]]
id = "clay-bearer-token"
title = "Clay bearer, our way"
severity = "medium"
keywords = ["bearer"]
regex = '''Bearer ([a-z0-9]{32})'''
secret_group = 1
`

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig(".clayscan.toml", []byte(goodConfig))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxFileSize != 2<<20 {
		t.Errorf("max_file_size = %d", cfg.MaxFileSize)
	}
	if len(cfg.Rules) != 2 || cfg.Rules[0].ID != "acme-token" || cfg.Rules[0].Keywords[0] != "acme_" || cfg.Rules[0].MinEntropy != 3 || cfg.Rules[1].SecretGroup != 1 {
		t.Errorf("rules = %+v", cfg.Rules)
	}
	if len(cfg.Allow.Paths) != 2 || len(cfg.Allow.Regexes) != 1 || len(cfg.Allow.LineRegexes) != 1 || cfg.Allow.Stopwords[0] != "dummy" {
		t.Errorf("allow = %+v", cfg.Allow)
	}
	if cfg.Env.Files[0] != "secrets.env" || cfg.Env.Templates[0] != ".env.dist" {
		t.Errorf("env = %+v", cfg.Env)
	}
	set := cfg.RuleSet(Default())
	if err := Validate(set); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range set {
		if r.ID == "clay-bearer-token" {
			n++
			if r.Title != "Clay bearer, our way" {
				t.Errorf("disabled built-in still in the set")
			}
		}
	}
	if n != 1 || len(set) != len(Default())+1 {
		t.Errorf("rule set has %d rules, bearer %d times", len(set), n)
	}
}

func TestParseConfigIntegerSize(t *testing.T) {
	cfg, err := ParseConfig("c", []byte("max_file_size = 4096\n"))
	if err != nil || cfg.MaxFileSize != 4096 {
		t.Fatalf("max_file_size = %v, %v", cfg, err)
	}
}

func TestParseConfigEmpty(t *testing.T) {
	cfg, err := ParseConfig("c", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.RuleSet(Default())) != len(Default()) || !cfg.Allow.Empty() {
		t.Errorf("empty config changed something: %+v", cfg)
	}
}

// Every error names the file, the line and what is wrong.
func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, toml, want string
	}{
		{"syntax", "disable = [\"a\"\n\n[allow\n", ".clayscan.toml:3:"},
		{"unterminated string", "\n\ndisable = [\"clay-bearer-token]\n", ".clayscan.toml:3:"},
		{"type", "\nmax_file_size = true\n", ".clayscan.toml:2:"},
		{"bad size", "\n\nmax_file_size = \"ten\"\n", `.clayscan.toml:3: invalid size "ten"`},
		{"bad regex", "[allow]\n\nregexes = ['''(''']\n", ".clayscan.toml:3: invalid regex"},
		{"bad severity", "[[rules]]\nid = \"x\"\ntitle = \"X\"\nseverity = \"urgent\"\nkeywords = [\"x\"]\nregex = \"x\"\n", `.clayscan.toml:4: severity "urgent"`},
		{"no keywords", "# c\n[[rules]]\nid = \"x\"\ntitle = \"X\"\nseverity = \"low\"\nregex = \"x\"\n", ".clayscan.toml:2: custom rule #1: rule \"x\": no keywords"},
		{"group out of range", "[[rules]]\nid = \"a\"\ntitle = \"A\"\nseverity = \"low\"\nkeywords = [\"a\"]\nregex = \"a\"\n\n[[rules]]\nid = \"x\"\ntitle = \"X\"\nseverity = \"low\"\nkeywords = [\"x\"]\nregex = \"x\"\nsecret_group = 2\n", ".clayscan.toml:8: custom rule #2: rule \"x\": secret group 2 is out of range"},
		{"missing regex", "[[rules]]\nid = \"x\"\ntitle = \"X\"\nseverity = \"low\"\nkeywords = [\"x\"]\n", "regex is missing"},
		{"unknown key", "[allow]\npath = [\"x\"]\n", `.clayscan.toml:2: unknown key "allow.path"`},
		{"unknown rule key", "[[rules]]\nid = \"x\"\ntitle = \"X\"\nseverity = \"low\"\nkeywords = [\"x\"]\nregex = \"x\"\nkeyword = \"y\"\n", `.clayscan.toml:7: unknown key "rules.keyword"`},
		{"disable unknown", "\ndisable = [\"nope\"]\n", `.clayscan.toml:2: disable: "nope" is not a built-in rule`},
		{"shadow built-in", "[[rules]]\nid = \"clay-bearer-token\"\ntitle = \"X\"\nseverity = \"low\"\nkeywords = [\"x\"]\nregex = \"x\"\n", ".clayscan.toml:1: custom rule \"clay-bearer-token\": a built-in rule has this id"},
		{"duplicate custom", "[[rules]]\nid = \"x\"\ntitle = \"X\"\nseverity = \"low\"\nkeywords = [\"x\"]\nregex = \"x\"\n[[rules]]\nid = \"x\"\ntitle = \"X\"\nseverity = \"low\"\nkeywords = [\"x\"]\nregex = \"x\"\n", ".clayscan.toml:7: custom rule \"x\": duplicate id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig(".clayscan.toml", []byte(tc.toml))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// A config error must not print the file's lines back (they may sit next
// to secrets in a hand-edited file); only the message and position.
func TestParseConfigErrorDoesNotEchoFile(t *testing.T) {
	secretish := "zz_" + "not_in_errors_" + "12345"
	_, err := ParseConfig("c", []byte("# "+secretish+"\n[allow\n"))
	if err == nil || strings.Contains(err.Error(), secretish) {
		t.Errorf("error = %v", err)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"10MiB": 10 << 20, "512kb": 512 << 10, "1m": 1 << 20, "4096": 4096} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "0", "-1", "1.5M", "lots"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) succeeded", in)
		}
	}
}

// The commented example in docs/configuration.md is a valid config.
func TestREADMEConfigExample(t *testing.T) {
	data, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i := strings.Index(s, "### `.clayscan.toml`")
	if i < 0 {
		t.Fatal("docs/configuration.md has no .clayscan.toml section")
	}
	s = s[i:]
	start := strings.Index(s, "```toml\n")
	end := strings.Index(s[start+8:], "```")
	if start < 0 || end < 0 {
		t.Fatal("no toml block in the .clayscan.toml section of docs/configuration.md")
	}
	cfg, err := ParseConfig("docs/configuration.md", []byte(s[start+8:start+8+end]))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Rules) != 1 || len(cfg.Disable) != 2 || cfg.FailOn != High || cfg.MaxFileSize != 5<<20 || len(cfg.Allow.Paths) == 0 || len(cfg.Env.Files) == 0 {
		t.Errorf("docs/configuration.md example parsed to %+v", cfg)
	}
}
