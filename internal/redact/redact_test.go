package redact

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

// Keys are built at test time: the repository holds none.
var (
	skLive  = "sk_" + "live_" + "Xq7Lm2Pz9Rt4Vw8Nb3Kd6Hs1"
	ent     = "clay_" + "ent_" + "Ab3De6Gh9Jk2Mn5Pq8St1Vw4"
	hook    = "https://api.clay.com/v3/sources/webhook/" + "pull-in-data-from-a-webhook-" + "3f9c2a7e-5b1d-4c8e-9a6f-2d7b0e4c1a95"
	generic = "Zq8" + "Wm3Rt7Yp2Lk9Hx4Nc6Vb1Df5"
)

func TestString(t *testing.T) {
	for _, s := range []string{
		`"` + skLive + `" is not a fingerprint`,
		"unknown revision " + skLive + "..HEAD",
		"flag provided but not defined: -" + skLive,
		"config: [allow] regexes: (" + ent + ": missing closing )",
		`unknown rule "` + ent + `" in disable`,
		"reading " + hook + ": no such file",
		"token " + generic + " rejected",
		"reading /tmp/" + skLive + "/x: no such file",
		"invalid size \"" + skLive + "\"",
	} {
		got := String(s)
		for _, key := range []string{skLive, ent, generic, "3f9c2a7e-5b1d-4c8e-9a6f-2d7b0e4c1a95"} {
			if strings.Contains(got, key) {
				t.Errorf("String(%q) = %q still holds the key", s, got)
			}
		}
		if !strings.Contains(got, "…") {
			t.Errorf("String(%q) = %q: no mask", s, got)
		}
	}
}

func TestStringKeepsOrdinaryText(t *testing.T) {
	for _, s := range []string{
		"commit 4f8cdc2a1e0b9c7d6a5f4e3d2c1b0a9f8e7d6c5b is not in the checkout",
		"reading internal/git/objects_test.go: permission denied",
		"reading src/components/HeaderComponent.tsx: too large",
		"unknown key \"max_file_sizes\" in .clayscan.toml",
		"expected one fingerprint, got 2",
		"clay-sk-live-key:0123456789abcdef",
		"Report written to /tmp/TestScanOutputFile3851197/003/report.json",
	} {
		if got := String(s); got != s {
			t.Errorf("String(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestError(t *testing.T) {
	base := &fs.PathError{Op: "open", Path: skLive, Err: fs.ErrNotExist}
	err := Error(base)
	if strings.Contains(err.Error(), skLive) {
		t.Errorf("Error() = %q holds the key", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("the chain is lost")
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		t.Error("errors.As lost the PathError")
	}
	if Error(nil) != nil {
		t.Error("Error(nil) != nil")
	}
	plain := errors.New("plain")
	if Error(plain) != plain {
		t.Error("an error without a secret was wrapped")
	}
}
