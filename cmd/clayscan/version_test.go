package main

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime/debug"
	"strings"
	"testing"
)

// issue 13: `clayscan version` and the SARIF tool version said "dev" for
// go install, pre-commit builds and the action.
func TestVersionFrom(t *testing.T) {
	info := func(mainVersion string, settings ...string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/clayscan/clayscan", Version: mainVersion}}
			for i := 0; i+1 < len(settings); i += 2 {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
			}
			return bi, true
		}
	}
	const rev = "1f217a02513a2832284222bba0c8f12f12ee1096"
	for _, tc := range []struct {
		name, stamped string
		read          func() (*debug.BuildInfo, bool)
		want          string
	}{
		{"stamped release build", "v1.2.3", info("(devel)", "vcs.revision", rev), "v1.2.3"},
		{"go install @v1.2.3", "", info("v1.2.3"), "v1.2.3"},
		{"go build in a clone (pseudo-version)", "", info("v0.0.0-20261129164810-1f217a02513a+dirty", "vcs.revision", rev, "vcs.modified", "true"), "v0.0.0-20261129164810-1f217a02513a+dirty"},
		{"revision only", "", info("(devel)", "vcs.revision", rev, "vcs.modified", "false"), "dev-1f217a02513a"},
		{"revision, dirty", "", info("(devel)", "vcs.revision", rev, "vcs.modified", "true"), "dev-1f217a02513a-dirty"},
		{"go run, no vcs", "", info("(devel)"), "dev"},
		{"empty main version", "", info(""), "dev"},
		{"no build info", "", func() (*debug.BuildInfo, bool) { return nil, false }, "dev"},
	} {
		if got := versionFrom(tc.stamped, tc.read); got != tc.want {
			t.Errorf("%s: versionFrom = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// The SARIF tool version and the JSON report's are the version command's.
func TestReportsCarryVersion(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"version"}, nil, &out, &errb); code != 0 {
		t.Fatalf("version: exit %d: %s", code, errb.String())
	}
	want := strings.TrimPrefix(strings.TrimSpace(out.String()), "clayscan ")
	for _, format := range []string{"sarif", "json"} {
		out.Reset()
		errb.Reset()
		if code := run(context.Background(), []string{"scan", "-f", format, dir}, nil, &out, &errb); code != 0 {
			t.Fatalf("scan -f %s: exit %d: %s", format, code, errb.String())
		}
		var rep struct {
			Tool struct {
				Version string `json:"version"`
			} `json:"tool"`
			Runs []struct {
				Tool struct {
					Driver struct {
						Version string `json:"version"`
					} `json:"driver"`
				} `json:"tool"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		got := rep.Tool.Version
		if format == "sarif" && len(rep.Runs) == 1 {
			got = rep.Runs[0].Tool.Driver.Version
		}
		if got != want {
			t.Errorf("%s tool version %q, want %q (clayscan version)", format, got, want)
		}
	}
}
