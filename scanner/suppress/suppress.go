// Package suppress holds the filters that keep known, accepted findings out
// of a report without hiding new keys: the .clayscanignore file
// (fingerprints, optionally scoped to paths), baselines (a previous JSON
// report), and the config's [allow] table (path globs, regexes, stopwords).
//
// Each is a scanner.Filter and says why it suppressed a finding ("ignore",
// "baseline", "allowlist"); scanner.Run keeps suppressed findings and counts
// them. Nothing here reads files: callers pass the bytes and a name for
// messages, so the same code serves the working tree and a pull request's
// base commit.
//
// Findings about suppression itself (ChangedRuleID) are never suppressed.
package suppress

import (
	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
)

// ChangedRuleID is the rule of a finding that reports a change to a
// suppression file (config, ignore file, baseline) in a pull request.
const ChangedRuleID = rules.SuppressionChangedID

// protected reports whether no filter may suppress f: a pull request must
// not be able to hide the finding that shows it edited the filters.
func protected(f *scanner.Finding) bool { return f.RuleID == ChangedRuleID }
