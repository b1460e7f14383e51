package suppress

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/clayscan/clayscan/scanner"
)

// Baseline is the set of fingerprints in a previous JSON report. It is a
// scanner.Filter that suppresses those findings with reason "baseline", so
// a team can adopt clayscan on an old repository and block only new keys.
// Matching is by fingerprint alone, so moved lines, renamed files and
// rewritten history stay baselined, and a changed key does not.
type Baseline struct {
	Name string
	fps  map[string]bool
}

// ParseBaseline reads a clayscan JSON report ({"findings": [{"fingerprint":
// …}, …]}). Other content is an error: a baseline that silently matched
// nothing would make an old repository fail, and one read wrongly could
// hide keys.
func ParseBaseline(name string, data []byte) (*Baseline, error) {
	var rep struct {
		Findings *[]struct {
			Fingerprint string `json:"fingerprint"`
		} `json:"findings"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&rep); err != nil {
		// json's message carries an offset, not content.
		return nil, fmt.Errorf("%s: not a clayscan JSON report: %v", name, err)
	}
	if rep.Findings == nil {
		return nil, fmt.Errorf("%s: not a clayscan JSON report: no \"findings\" list", name)
	}
	b := &Baseline{Name: name, fps: map[string]bool{}}
	for i, f := range *rep.Findings {
		if !ValidFingerprint(f.Fingerprint) {
			return nil, fmt.Errorf("%s: finding %d has no valid fingerprint", name, i+1)
		}
		b.fps[f.Fingerprint] = true
	}
	return b, nil
}

// Len is the number of distinct fingerprints in the baseline.
func (b *Baseline) Len() int { return len(b.fps) }

// Suppress implements scanner.Filter.
func (b *Baseline) Suppress(f *scanner.Finding) string {
	if b == nil || protected(f) || !b.fps[f.Fingerprint] {
		return ""
	}
	return "baseline"
}
