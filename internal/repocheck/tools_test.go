// Package repocheck checks what is not Go code but ships with clayscan: the
// GitHub workflows, the action and the pre-commit manifest. The checks run
// the real tools (actionlint, shellcheck, pre-commit). Where a tool is not
// installed they skip with a message, except under CI=true, where .ci/run
// has installed them and a missing one is a failure.
package repocheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// tool returns the path of a command the check needs.
func tool(t *testing.T, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if gopath, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		if p := filepath.Join(string(trimNL(gopath)), "bin", name); isExec(p) {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed (CI=true: .ci/run installs it: %s)", name, install)
	}
	t.Skipf("%s is not installed; install it to run this check (%s)", name, install)
	return ""
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}
