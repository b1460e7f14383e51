package main

import (
	"runtime/debug"
	"strings"
)

// stampedVersion is set by release builds:
//
//	go build -ldflags "-X main.stampedVersion=v1.2.3" ./cmd/clayscan
//
// scripts/release.sh and the action do this. Left empty, the version
// comes from the build info that the go command records.
var stampedVersion string

// version is what `clayscan version`, the JSON report and the SARIF
// tool.driver.version say.
var version = versionFrom(stampedVersion, debug.ReadBuildInfo)

// versionFrom picks, in order: the stamped version; the main module's
// version (go install …@v1.2.3 records it, and go build in a clone records
// a pseudo-version from the VCS since Go 1.24); the VCS revision, with
// "-dirty" when the work tree had changes; "dev" when the build recorded
// none of these (go run, -buildvcs=false outside a release).
func versionFrom(stamped string, read func() (*debug.BuildInfo, bool)) string {
	if v := strings.TrimSpace(stamped); v != "" {
		return v
	}
	bi, ok := read()
	if !ok || bi == nil {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	v := "dev-" + rev
	if dirty {
		v += "-dirty"
	}
	return v
}
