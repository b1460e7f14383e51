package rules

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// ConfigFile is the name of the config file at a repository's root.
const ConfigFile = ".clayscan.toml"

// Config is a parsed and validated .clayscan.toml (docs/configuration.md, "Configuration
// and suppression"). It is plain data: the CLI turns it into a rule set
// (RuleSet) and filters (package scanner/suppress).
type Config struct {
	// Name is the file the config came from, for messages.
	Name string
	// Rules are the custom rules, validated, in file order.
	Rules []Rule
	// Disable lists built-in rule IDs to turn off.
	Disable []string
	Allow   Allow
	Env     EnvSettings
	// MaxFileSize in bytes; 0 when the file does not set it.
	MaxFileSize int64
	// FailOn is the lowest severity that fails a scan; "" when the file
	// does not set it.
	FailOn Severity
}

// Allow is the [allow] table: findings it matches are suppressed with
// reason "allowlist".
type Allow struct {
	// Paths are gitignore-style globs, relative to the repository root.
	Paths []string
	// Regexes are matched against the secret.
	Regexes []*regexp.Regexp
	// LineRegexes are matched against the whole line holding the secret.
	LineRegexes []*regexp.Regexp
	// Stopwords are lowercase; a secret containing one (case-insensitively)
	// is allowed.
	Stopwords []string
}

// Empty reports whether the allowlist allows nothing.
func (a *Allow) Empty() bool {
	return len(a.Paths) == 0 && len(a.Regexes) == 0 && len(a.LineRegexes) == 0 && len(a.Stopwords) == 0
}

// EnvSettings extend the .env policy (issue 4).
type EnvSettings struct {
	// Files are extra file names (or globs) treated as env files that must
	// never be committed.
	Files []string
	// Templates are extra file names treated as committed-safe templates
	// (like .env.example).
	Templates []string
}

// ConfigError is one problem in a config file. Line is 0 when the problem
// has no single line (such as an unreadable file).
type ConfigError struct {
	Name string
	Line int
	Msg  string
}

func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Name, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Name, e.Msg)
}

// The TOML shape. Values that can be wrong on their own (a regex, a
// severity, a size) are custom types, so the decoder reports them with the
// line of their key.
type fileConfig struct {
	Disable     []string       `toml:"disable"`
	MaxFileSize *sizeValue     `toml:"max_file_size"`
	FailOn      *severityValue `toml:"fail_on"`
	Allow       struct {
		Paths       []string     `toml:"paths"`
		Regexes     []regexValue `toml:"regexes"`
		LineRegexes []regexValue `toml:"line_regexes"`
		Stopwords   []string     `toml:"stopwords"`
	} `toml:"allow"`
	Env struct {
		Files     []string `toml:"files"`
		Templates []string `toml:"templates"`
	} `toml:"env"`
	Rules []fileRule `toml:"rules"`
}

type fileRule struct {
	ID          string        `toml:"id"`
	Title       string        `toml:"title"`
	Severity    severityValue `toml:"severity"`
	Keywords    []string      `toml:"keywords"`
	Regex       *regexValue   `toml:"regex"`
	SecretGroup int           `toml:"secret_group"`
	Entropy     float64       `toml:"entropy"`
	Guidance    string        `toml:"guidance"`
}

type regexValue struct{ re *regexp.Regexp }

func (r *regexValue) UnmarshalText(b []byte) error {
	re, err := regexp.Compile(string(b))
	if err != nil {
		// regexp's message quotes the pattern, which is config, not secret.
		return fmt.Errorf("invalid regex: %v", err)
	}
	r.re = re
	return nil
}

type severityValue Severity

func (s *severityValue) UnmarshalText(b []byte) error {
	v := Severity(strings.ToLower(string(b)))
	if !v.Valid() {
		return fmt.Errorf("severity %q is not one of critical, high, medium, low", string(b))
	}
	*s = severityValue(v)
	return nil
}

type sizeValue int64

func (s *sizeValue) UnmarshalText(b []byte) error {
	n, err := ParseSize(string(b))
	if err != nil {
		return err
	}
	*s = sizeValue(n)
	return nil
}

// DefaultFailOn is the lowest severity that fails a scan by default: a
// medium finding (an env file one `git add .` away from a commit) fails,
// low-severity advice (.gitignore lacking env patterns) is shown but does
// not.
const DefaultFailOn = Medium

// ParseSeverity reads a severity in any case, for --fail-on.
func ParseSeverity(s string) (Severity, error) {
	v := Severity(strings.ToLower(strings.TrimSpace(s)))
	if !v.Valid() {
		return "", fmt.Errorf("severity %q is not one of critical, high, medium, low", s)
	}
	return v, nil
}

// ParseSize reads 10MiB, 512KB, 1M or a plain number of bytes.
func ParseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"gib", 1 << 30}, {"mib", 1 << 20}, {"kib", 1 << 10}, {"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}, {"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}, {"b", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.m
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("invalid size %q: use a number of bytes or a value such as \"10MiB\"", s)
	}
	return n * mult, nil
}

var tomlLine = lazyRegexp(`^toml: line (\d+)(?: \(last key [^)]*\))?: (.*)$`)

// ParseConfig parses and validates a config file's content. name is used in
// errors, which carry the line and say what is wrong: a config that does not
// parse is an error, never a silent fallback to the defaults. Errors quote
// only the config's own text, never scanned content.
func ParseConfig(name string, data []byte) (*Config, error) {
	var fc fileConfig
	md, err := toml.NewDecoder(strings.NewReader(string(data))).Decode(&fc)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			// Not pe.ErrorWithPosition: it would print the file's lines.
			return nil, &ConfigError{Name: name, Line: pe.Position.Line, Msg: strings.TrimPrefix(pe.Message, "toml: ")}
		}
		if m := tomlLine().FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, &ConfigError{Name: name, Line: line, Msg: m[2]}
		}
		return nil, &ConfigError{Name: name, Msg: strings.TrimPrefix(err.Error(), "toml: ")}
	}
	loc := newLocator(data)
	var errs []error
	bad := func(line int, format string, a ...any) {
		errs = append(errs, &ConfigError{Name: name, Line: line, Msg: fmt.Sprintf(format, a...)})
	}
	for _, k := range md.Undecoded() {
		bad(loc.key(k), "unknown key %q", k.String())
	}

	cfg := &Config{Name: name, Disable: fc.Disable, Env: EnvSettings{Files: fc.Env.Files, Templates: fc.Env.Templates}}
	if fc.MaxFileSize != nil {
		cfg.MaxFileSize = int64(*fc.MaxFileSize)
	}
	if fc.FailOn != nil {
		cfg.FailOn = Severity(*fc.FailOn)
	}
	cfg.Allow.Paths = fc.Allow.Paths
	for _, p := range fc.Allow.Paths {
		if strings.TrimSpace(p) == "" {
			bad(loc.key(toml.Key{"allow", "paths"}), "allow.paths: empty pattern")
		}
	}
	for _, r := range fc.Allow.Regexes {
		cfg.Allow.Regexes = append(cfg.Allow.Regexes, r.re)
	}
	for _, r := range fc.Allow.LineRegexes {
		cfg.Allow.LineRegexes = append(cfg.Allow.LineRegexes, r.re)
	}
	for _, w := range fc.Allow.Stopwords {
		if w == "" {
			bad(loc.key(toml.Key{"allow", "stopwords"}), "allow.stopwords: empty stopword")
			continue
		}
		cfg.Allow.Stopwords = append(cfg.Allow.Stopwords, strings.ToLower(w))
	}
	for _, e := range append(append([]string(nil), fc.Env.Files...), fc.Env.Templates...) {
		if strings.TrimSpace(e) == "" {
			bad(loc.key(toml.Key{"env"}), "env: empty file name")
		}
	}

	builtin := map[string]bool{}
	for _, r := range Default() {
		builtin[r.ID] = true
	}
	for _, r := range DefaultPathRules() {
		builtin[r.ID] = true
	}
	disabled := map[string]bool{}
	for _, id := range fc.Disable {
		if !builtin[id] {
			bad(loc.key(toml.Key{"disable"}), "disable: %q is not a built-in rule (see 'clayscan rules')", id)
		}
		disabled[id] = true
	}
	seen := map[string]int{}
	for i, fr := range fc.Rules {
		line := loc.table("rules", i)
		r := Rule{
			ID:          fr.ID,
			Title:       fr.Title,
			Severity:    Severity(fr.Severity),
			SecretGroup: fr.SecretGroup,
			MinEntropy:  fr.Entropy,
			Guidance:    fr.Guidance,
			// The user's regex defines the secret's shape: ACME_[A-Z0-9]{20}
			// must not be dropped as an environment variable name (issue 11).
			NameShapedValues: true,
		}
		if fr.Regex != nil {
			r.Regex = compiledPattern(fr.Regex.re)
		}
		for _, k := range fr.Keywords {
			// Keywords match case-insensitively; accept any case here.
			r.Keywords = append(r.Keywords, strings.ToLower(k))
		}
		if err := r.Validate(); err != nil {
			for _, e := range flatten(err) {
				bad(line, "custom rule #%d: %s", i+1, e)
			}
			continue
		}
		if j, dup := seen[r.ID]; dup {
			bad(line, "custom rule %q: duplicate id (also rule #%d)", r.ID, j+1)
			continue
		}
		seen[r.ID] = i
		if builtin[r.ID] && !disabled[r.ID] {
			bad(line, "custom rule %q: a built-in rule has this id; pick another id, or add it to disable to replace the built-in rule", r.ID)
			continue
		}
		cfg.Rules = append(cfg.Rules, r)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return cfg, nil
}

// flatten splits a joined error into its parts' messages.
func flatten(err error) []string {
	var out []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// RuleSet returns defaults minus the disabled rules, followed by the custom
// rules. A nil config returns defaults unchanged.
func (c *Config) RuleSet(defaults []Rule) []Rule {
	if c == nil {
		return defaults
	}
	off := map[string]bool{}
	for _, id := range c.Disable {
		off[id] = true
	}
	out := make([]Rule, 0, len(defaults)+len(c.Rules))
	for _, r := range defaults {
		if !off[r.ID] {
			out = append(out, r)
		}
	}
	return append(out, c.Rules...)
}

// locator finds the line of a key or table in TOML text. The decoder does
// not expose key positions, so errors found after decoding (a rule with no
// keywords, an unknown key) are placed by reading the text: good enough for
// a hand-written config, and a line of 0 just means "somewhere in the file".
type locator struct {
	lines []string
}

var (
	tableHeader = lazyRegexp(`^\s*\[\s*([A-Za-z0-9_."-]+)\s*\]`)
	arrayHeader = lazyRegexp(`^\s*\[\[\s*([A-Za-z0-9_."-]+)\s*\]\]`)
	keyLine     = lazyRegexp(`^\s*"?([A-Za-z0-9_-]+)"?\s*=`)
)

func newLocator(data []byte) *locator {
	return &locator{lines: strings.Split(string(data), "\n")}
}

func header(l string) (string, bool) {
	if m := arrayHeader().FindStringSubmatch(l); m != nil {
		return m[1], true
	}
	if m := tableHeader().FindStringSubmatch(l); m != nil {
		return m[1], true
	}
	return "", false
}

// table returns the line of the i-th (0-based) [[name]] header, or of the
// "name =" key for an inline array.
func (lc *locator) table(name string, i int) int {
	n := 0
	for ln, l := range lc.lines {
		if m := arrayHeader().FindStringSubmatch(l); m != nil && m[1] == name {
			if n == i {
				return ln + 1
			}
			n++
		}
	}
	return lc.key(toml.Key{name})
}

// key returns the line where k's last part is set inside k's table (the
// first such line), or the table's header, or 0.
func (lc *locator) key(k toml.Key) int {
	if len(k) == 0 {
		return 0
	}
	section := strings.Join(k[:len(k)-1], ".")
	last := k[len(k)-1]
	cur, headerLine := "", 0
	for ln, l := range lc.lines {
		if h, ok := header(l); ok {
			cur = h
			if h == strings.Join(k, ".") && headerLine == 0 {
				headerLine = ln + 1
			}
			continue
		}
		if m := keyLine().FindStringSubmatch(l); m != nil && cur == section && m[1] == last {
			return ln + 1
		}
	}
	return headerLine
}
