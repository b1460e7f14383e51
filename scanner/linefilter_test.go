package scanner

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/rules"
)

// lineSource yields fixed targets.
type lineSource []Target

func (s lineSource) Scan(ctx context.Context, sink Sink) (SourceInfo, error) {
	for _, t := range s {
		sink.Scan(t)
	}
	return SourceInfo{Kind: "worktree"}, nil
}

// Options.LineFilter sees the finding's own line, and only it (issue 6:
// allowlist regexes matched against the line, which findings never keep).
func TestRunLineFilter(t *testing.T) {
	key := "sk_" + "live_" + "Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8"
	key2 := "sk_" + "live_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2"
	data := "first line\nk1 = \"" + key + "\" # example only\nk2 = \"" + key2 + "\"\nlast\n"
	det, err := NewDetector(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	opts := Options{LineFilter: func(f *Finding, line []byte) string {
		lines = append(lines, string(line))
		if bytes.Contains(line, []byte("example only")) {
			return "allowlist"
		}
		return ""
	}}
	res, err := Run(context.Background(), lineSource{{Path: "a.py", Data: []byte(data)}}, det, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Line != 3 || len(res.Suppressed) != 1 || res.Suppressed[0].SuppressedBy != "allowlist" || res.Summary.Suppressed != 1 {
		t.Fatalf("findings %+v, suppressed %+v", res.Findings, res.Suppressed)
	}
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "k1 = ") || !strings.HasSuffix(lines[0], "# example only") || lines[1] != "k2 = \""+key2+"\"" {
		t.Errorf("lines seen: %q", lines)
	}
}

func TestLineAroundIsBounded(t *testing.T) {
	long := strings.Repeat("a", 3*lineContext)
	data := []byte(long + "SECRET" + long)
	got := lineAround(data, len(long))
	if len(got) != 2*lineContext || !bytes.Contains(got, []byte("SECRET")) {
		t.Errorf("len %d", len(got))
	}
	if got := lineAround([]byte("x\nab\ny"), 3); string(got) != "ab" {
		t.Errorf("got %q", got)
	}
}

// A linked occurrence (Options.LinkSecrets) on a line the LineFilter
// allows is suppressed like a finding of the first pass (issue 11).
func TestLinkLineFilter(t *testing.T) {
	tok := "q8Zr2Xk9" + "Lp4Tm7Wv3Nb6Hc5Ty8Ua"
	det, err := NewDetector(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{LinkSecrets: true, LineFilter: func(f *Finding, line []byte) string {
		if bytes.Contains(line, []byte("example only")) {
			return "allowlist"
		}
		return ""
	}}
	src := lineSource{
		{Path: "app.env", Data: []byte("CLAY_API_KEY=" + tok + "\n")},
		{Path: "README.md", Data: []byte("use `" + tok + "` # example only\n")},
		{Path: "proxy.ts", Data: []byte("auth(\"" + tok + "\")\n")},
	}
	res, err := Run(context.Background(), src, det, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 2 || len(res.Suppressed) != 1 || res.Suppressed[0].Path != "README.md" || res.Suppressed[0].SuppressedBy != "allowlist" {
		t.Fatalf("findings %+v, suppressed %+v", res.Findings, res.Suppressed)
	}
}

// cancelSecond cancels the run when its second pass starts, as a Ctrl-C
// would.
type cancelSecond struct {
	lineSource
	cancel func()
	calls  int
}

func (s *cancelSecond) Scan(ctx context.Context, sink Sink) (SourceInfo, error) {
	if s.calls++; s.calls == 2 {
		s.cancel()
		return SourceInfo{}, ctx.Err()
	}
	return s.lineSource.Scan(ctx, sink)
}

// An interrupt during the second pass (Options.LinkSecrets) ends the run
// with the context's error, not a result silently missing the linked
// occurrences (issue 12).
func TestLinkInterrupted(t *testing.T) {
	tok := "q8Zr2Xk9" + "Lp4Tm7Wv3Nb6Hc5Ty8Ua"
	det, err := NewDetector(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &cancelSecond{lineSource: lineSource{{Path: "app.env", Data: []byte("CLAY_API_KEY=" + tok + "\n")}}, cancel: cancel}
	if _, err := Run(ctx, src, det, Options{LinkSecrets: true}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v, want context.Canceled", err)
	}
}
