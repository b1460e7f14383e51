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
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
)

// ChangedRuleID is the rule of a finding that reports a change to a
// suppression file (config, ignore file, baseline) in a pull request.
const ChangedRuleID = "suppression-changed"

// protected reports whether no filter may suppress f: a pull request must
// not be able to hide the finding that shows it edited the filters.
func protected(f *scanner.Finding) bool { return f.RuleID == ChangedRuleID }

// Changed is the finding for a suppression file that a pull request
// changes. path is repository-relative; head is the new content (nil when
// the file was deleted). The fingerprint depends on the new content, so an
// ignore or baseline entry for one change does not cover the next.
func Changed(path string, head []byte) scanner.Finding {
	h := sha256.Sum256(head)
	what := "changed"
	if head == nil {
		what = "deleted"
	}
	return scanner.Finding{
		RuleID:      ChangedRuleID,
		Title:       fmt.Sprintf("This pull request %s %s, which controls what clayscan reports", what, path),
		Severity:    string(rules.Medium),
		Path:        path,
		Fingerprint: scanner.Fingerprint(ChangedRuleID, path+"\x00"+hex.EncodeToString(h[:])),
		Guidance: "This scan used the base branch's version of the file, so the change cannot hide a key in this pull request.\n" +
			"A reviewer should check that every new ignore, allowlist entry or baseline entry is for a placeholder or a key that was already rotated.",
	}
}
