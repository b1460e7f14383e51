// Package envpolicy holds clayscan's .env policy: which files are env
// files, which of those are templates meant to be committed, and the
// findings that say an env file is (or could be, or was) committed.
//
// The package judges facts it is given — a path, whether git tracks it,
// which ignore line decided it, the commit that added it — and never looks
// at git itself: the cmd layer gathers the facts from the sources and the
// ignore matcher. Policy is a value so that the config file can change its
// lists; Default is the built-in one.
package envpolicy

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/ignore"
)

// Rule IDs of the policy findings; they are part of the JSON contract.
const (
	RuleNotIgnored      = "env-file-not-ignored"
	RuleTracked         = "env-file-tracked"
	RuleStaged          = "env-file-staged"
	RuleInHistory       = "env-file-in-history"
	RuleMissingPatterns = "gitignore-missing-env-patterns"
)

// Requirement is one line the root .gitignore must cover. Coverage is
// decided by matching Samples against the file, not by comparing text,
// so ".env*" covers ".env.local".
type Requirement struct {
	Line    string   // the line to suggest, e.g. ".env.*.local"
	Samples []string // root-level names that must all be ignored
}

// Policy is the configurable part of the .env checks.
type Policy struct {
	// Templates are the basenames of env files meant to be committed
	// (.env.example …). They get no policy finding; their contents are
	// still scanned like any file.
	Templates []string
	// Extra are more basename globs (git wildmatch syntax, e.g.
	// "secrets.*.json") to treat as env files.
	Extra []string
	// Required are the patterns the root .gitignore must cover.
	Required []Requirement
}

// Default is the built-in policy.
func Default() Policy {
	return Policy{
		Templates: []string{".env.example", ".env.sample", ".env.template", ".env.dist", ".env.defaults"},
		Required: []Requirement{
			{Line: ".env", Samples: []string{".env"}},
			{Line: ".env.local", Samples: []string{".env.local"}},
			{Line: ".env.*.local", Samples: []string{".env.development.local", ".env.production.local", ".env.test.local"}},
		},
	}
}

// IsEnvFile reports whether the file at p (slash-separated) is an env file:
// ".env", ".env.<anything>", "<name>.env", or one of Extra — templates
// included.
func (p Policy) IsEnvFile(file string) bool {
	base := path.Base(file)
	switch {
	case base == ".env",
		len(base) > len(".env.") && strings.HasPrefix(base, ".env."),
		len(base) > len(".env") && strings.HasSuffix(base, ".env"):
		return true
	}
	for _, g := range p.Extra {
		if ignore.Wildmatch(g, base, 0) {
			return true
		}
	}
	return false
}

// IsTemplate reports whether file's basename is one of Templates.
func (p Policy) IsTemplate(file string) bool {
	base := path.Base(file)
	for _, t := range p.Templates {
		if base == t {
			return true
		}
	}
	return false
}

// Applies reports whether the policy findings apply to file: an env file
// that is not a template.
func (p Policy) Applies(file string) bool { return p.IsEnvFile(file) && !p.IsTemplate(file) }

// IgnoreLine is the root .gitignore line that ignores exactly file: anchored
// with a leading '/', glob characters escaped, and a trailing space kept.
func IgnoreLine(file string) string {
	var b strings.Builder
	b.WriteByte('/')
	for i := 0; i < len(file); i++ {
		switch c := file[i]; c {
		case '*', '?', '[', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case ' ':
			if strings.Trim(file[i:], " ") == "" {
				b.WriteString("\\ ") // trailing spaces would be trimmed
			} else {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// shellQuote quotes a path for a command line when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/+@%:,=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// rule formats the ignore line that decided a path, as
// `git check-ignore -v` does: "FILE:LINE:PATTERN".
func rule(d ignore.Decision) string {
	if !d.Matched() {
		return ""
	}
	return fmt.Sprintf("%s:%d:%s", d.File, d.Line, d.Pattern)
}

const rotate = "Rotate every key it has held: anything that reaches a commit, a push or a CI log is leaked, and only rotating helps."

func finding(ruleID, title, sev, file string) scanner.Finding {
	return scanner.Finding{
		RuleID:      ruleID,
		Title:       title,
		Severity:    sev,
		Path:        file,
		Fingerprint: scanner.Fingerprint(ruleID, file),
	}
}

// NotIgnored is an untracked env file that no ignore rule excludes: one
// `git add .` away from a commit. d is the decision that left it visible
// (a negation such as "!.env.production", or nothing at all).
func NotIgnored(file string, d ignore.Decision) scanner.Finding {
	f := finding(RuleNotIgnored, "Env file is not ignored by git", string(rules.Medium), file)
	f.GitignoreRule = rule(d)
	if d.Matched() {
		// A deeper or later negation wins over any line added to the root
		// .gitignore, so the negation itself has to go.
		f.Guidance = fmt.Sprintf("Line %d of %s (%q) re-includes it, so `git add .` would commit it. "+
			"Delete or narrow that line; if nothing else ignores the file then, add this line to the root .gitignore:\n  %s", d.Line, d.File, d.Pattern, IgnoreLine(file))
	} else {
		f.Guidance = "Nothing in .gitignore, .git/info/exclude or the global excludes file ignores it, so `git add .` would commit it. " +
			"Add this line to the root .gitignore:\n  " + IgnoreLine(file)
	}
	f.Guidance += "\nKeep keys in environment variables or a secret manager, and commit a .env.example with placeholder values instead."
	return f
}

// Tracked is an env file that git tracks, whether or not an ignore rule now
// matches it (d): ignoring a file does not untrack it.
func Tracked(file string, d ignore.Decision) scanner.Finding {
	f := finding(RuleTracked, "Env file is tracked by git", string(rules.High), file)
	f.GitignoreRule = rule(d)
	var b strings.Builder
	b.WriteString("Stop tracking it and keep your local copy:\n  git rm --cached " + shellQuote(file) + "\n")
	if d.Ignored {
		fmt.Fprintf(&b, "It is already ignored (%s:%d %q), but ignoring a tracked file does not untrack it. ", d.File, d.Line, d.Pattern)
	} else {
		b.WriteString("Add this line to the root .gitignore so it stays out:\n  " + IgnoreLine(file) + "\n")
	}
	b.WriteString("Commit the removal. Its contents stay in history. " + rotate)
	f.Guidance = b.String()
	return f
}

// Staged is an env file that the next commit would add or modify. It
// blocks the commit even when the file holds no key. d is the ignore
// decision for the path: an ignored file was staged with `git add -f` or
// was tracked already.
func Staged(file string, d ignore.Decision) scanner.Finding {
	f := finding(RuleStaged, "Commit would add an env file", string(rules.High), file)
	f.GitignoreRule = rule(d)
	var b strings.Builder
	b.WriteString("Env files never belong in a commit, even without a key in them today. Unstage it:\n" +
		"  git restore --staged " + shellQuote(file) + "\n" +
		"(if it was committed before: git rm --cached " + shellQuote(file) + ").\n")
	if d.Ignored {
		fmt.Fprintf(&b, "It is ignored (%s:%d %q), so it was added with -f or tracked earlier; ignoring does not stop either.", d.File, d.Line, d.Pattern)
	} else {
		b.WriteString("Then add this line to the root .gitignore:\n  " + IgnoreLine(file))
	}
	f.Guidance = b.String()
	return f
}

// InHistory is an env file committed at some point, reported once per path
// at the first commit that added it; inHead says whether HEAD still
// tracks it.
func InHistory(file string, c *scanner.Commit, inHead bool) scanner.Finding {
	f := finding(RuleInHistory, "Env file was committed", string(rules.High), file)
	if c != nil {
		f.Commit, f.Author, f.Email = c.Hash, c.Author, c.Email
		if !c.Date.IsZero() {
			f.Date = c.Date.UTC().Format(time.RFC3339)
		}
	}
	f.InHead = &inHead
	var b strings.Builder
	short := f.Commit
	if len(short) > 12 {
		short = short[:12]
	}
	fmt.Fprintf(&b, "Commit %s added it, so every key it has held is in history, readable by anyone with a clone. %s\n", short, rotate)
	if inHead {
		fmt.Fprintf(&b, "It is still tracked: git rm --cached %s, add %s to the root .gitignore, and commit.\n", shellQuote(file), IgnoreLine(file))
	} else {
		b.WriteString("It is no longer tracked, but deleting a file does not remove it from history.\n")
	}
	fmt.Fprintf(&b, "After rotating, you may purge it (git filter-repo --invert-paths --path %s) and force-push; clones and forks keep their copies.", shellQuote(file))
	f.Guidance = b.String()
	return f
}

// MissingPatterns checks the root .gitignore (nil when there is none)
// against the required patterns, and returns the finding when some are not
// covered.
func (p Policy) MissingPatterns(root *ignore.List) (scanner.Finding, bool) {
	var missing []string
	var decided ignore.Decision
	for _, req := range p.Required {
		for _, s := range req.Samples {
			d, _ := root.Match(s, false)
			if !d.Ignored {
				missing = append(missing, req.Line)
				if d.Matched() && !decided.Matched() {
					decided = d
				}
				break
			}
		}
	}
	if len(missing) == 0 {
		return scanner.Finding{}, false
	}
	f := finding(RuleMissingPatterns, ".gitignore does not ignore env files", string(rules.Low), ".gitignore")
	f.GitignoreRule = rule(decided)
	var b strings.Builder
	if root == nil {
		b.WriteString("The repository has no root .gitignore. Create it with these lines:\n")
	} else {
		b.WriteString("Add these lines to the root .gitignore")
		if decided.Matched() {
			fmt.Fprintf(&b, " (after line %d, %q, which re-includes an env file)", decided.Line, decided.Pattern)
		}
		b.WriteString(":\n")
	}
	for _, l := range missing {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("and keep templates such as .env.example committed with placeholder values (add !.env.example if a broader pattern hides it).")
	f.Guidance = b.String()
	return f, true
}
