package report

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/clayscan/clayscan/scanner"
)

func sarifBytes(t *testing.T, res *scanner.Result) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := SARIF(&buf, res, Tool{Name: "clayscan", Version: "1.2.3"}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSARIFGolden(t *testing.T) {
	CheckGolden(t, "findings.sarif", sarifBytes(t, fixtureResult()))
	CheckGolden(t, "empty.sarif", sarifBytes(t, emptyResult()))
	CheckGolden(t, "shallow.sarif", sarifBytes(t, shallowResult()))
}

// TestSARIFSchema validates the output against the OASIS SARIF 2.1.0 schema
// shipped in testdata (issue 5).
func TestSARIFSchema(t *testing.T) {
	f, err := os.Open("../../testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	for name, res := range map[string]*scanner.Result{"findings": fixtureResult(), "empty": emptyResult(), "shallow": shallowResult()} {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(sarifBytes(t, res)))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s: SARIF does not validate against the 2.1.0 schema: %v", name, err)
		}
	}
	// The validator must catch a broken log, or the test above proves nothing.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"version":"2.1.0","runs":[{"tool":{"driver":{}},"results":[]}]}`))
	if err := sch.Validate(bad); err == nil {
		t.Error("a driver without a name validated: the schema check is not working")
	}
}

// TestSARIFGitHubRules checks what GitHub code scanning needs beyond the
// schema: each rule once, ruleIndex pointing at it, a region with a
// startLine on every result, relative URIs under %SRCROOT%, partial
// fingerprints, and a security-severity on every rule.
func TestSARIFGitHubRules(t *testing.T) {
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string
						Help       struct{ Text, Markdown string }
						Properties map[string]any
					}
				}
			}
			Results []struct {
				RuleID    string
				RuleIndex int
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string
							URIBaseID string `json:"uriBaseId"`
						}
						Region struct{ StartLine, StartColumn, EndColumn int }
					}
				}
				PartialFingerprints map[string]string
				Properties          map[string]any
			}
		}
	}
	if err := json.Unmarshal(sarifBytes(t, fixtureResult()), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	seen := map[string]bool{}
	for _, r := range run.Tool.Driver.Rules {
		if seen[r.ID] {
			t.Errorf("rule %s listed twice", r.ID)
		}
		seen[r.ID] = true
		if r.Help.Text == "" || r.Help.Markdown == "" {
			t.Errorf("rule %s has no help", r.ID)
		}
		if _, ok := r.Properties["security-severity"].(string); !ok {
			t.Errorf("rule %s: security-severity must be a string", r.ID)
		}
	}
	if len(run.Results) != 4 {
		t.Fatalf("got %d results, want 4", len(run.Results))
	}
	for _, r := range run.Results {
		if got := run.Tool.Driver.Rules[r.RuleIndex].ID; got != r.RuleID {
			t.Errorf("result %s: ruleIndex points at %s", r.RuleID, got)
		}
		loc := r.Locations[0].PhysicalLocation
		if loc.Region.StartLine < 1 {
			t.Errorf("result %s: region without a startLine", r.RuleID)
		}
		if loc.ArtifactLocation.URIBaseID != "%SRCROOT%" || strings.HasPrefix(loc.ArtifactLocation.URI, "/") {
			t.Errorf("result %s: uri %q base %q", r.RuleID, loc.ArtifactLocation.URI, loc.ArtifactLocation.URIBaseID)
		}
		if r.PartialFingerprints[SARIFFingerprintKey] == "" {
			t.Errorf("result %s: no partial fingerprint", r.RuleID)
		}
	}
	hist := run.Results[1]
	if hist.Properties["commit"] == nil || hist.Properties["in_head"] != false || hist.Properties["author"] == nil || hist.Properties["date"] == nil {
		t.Errorf("history result lacks commit properties: %v", hist.Properties)
	}
	if got := hist.Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "dir,%20with%3A%20odd%25chars/old.yaml" {
		t.Errorf("uri not escaped: %q", got)
	}
}

func TestSARIFNeverHoldsFullSecret(t *testing.T) {
	out := sarifBytes(t, fixtureResult())
	for _, k := range []string{"sk_" + "live_" + "Xq7Lm2Pz9Rt4Vw8Nb3Kd6Hs1", "clay_" + "ent_" + "Ab3De6Gh9Jk2Mn5Pq8St1Vw4"} {
		if bytes.Contains(out, []byte(k)) {
			t.Errorf("SARIF holds a full secret")
		}
	}
}
