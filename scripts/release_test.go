// Package scripts_test runs the repository's release script as the release
// workflow does, so that the cross-build is proven on this machine.
package scripts_test

import (
	"bufio"
	"crypto/sha256"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// issue 13: the release workflow cross-builds six binaries and writes
// SHA256SUMS with scripts/release.sh; this runs the same script.
func TestReleaseCrossBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds six binaries; skipped with -short")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not found")
	}
	out := t.TempDir()
	const version = "v0.0.0-releasetest"
	cmd := exec.Command("bash", filepath.Join(repoRoot(t), "scripts", "release.sh"), version, out)
	cmd.Env = append(os.Environ(), "RELEASE_TARGETS=") // the default list, as the workflow uses
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("release.sh: %v\n%s", err, b)
	}

	type target struct{ goos, goarch, name string }
	targets := []target{
		{"linux", "amd64", "clayscan-linux-amd64"},
		{"linux", "arm64", "clayscan-linux-arm64"},
		{"darwin", "amd64", "clayscan-darwin-amd64"},
		{"darwin", "arm64", "clayscan-darwin-arm64"},
		{"windows", "amd64", "clayscan-windows-amd64.exe"},
		{"windows", "arm64", "clayscan-windows-arm64.exe"},
	}

	sums := readSums(t, filepath.Join(out, "SHA256SUMS"))
	if len(sums) != len(targets) {
		t.Errorf("SHA256SUMS has %d entries, want %d: %v", len(sums), len(targets), sums)
	}
	for _, tg := range targets {
		path := filepath.Join(out, tg.name)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v", tg.name, err)
			continue
		}
		h := sha256.Sum256(data)
		if got := sums[tg.name]; got != hex.EncodeToString(h[:]) {
			t.Errorf("%s: SHA256SUMS says %q, file hashes to %x", tg.name, got, h)
		}
		checkBinary(t, path, tg.goos, tg.goarch)
		if strings.Contains(string(data), repoRoot(t)) {
			t.Errorf("%s holds the build directory %s: -trimpath missing", tg.name, repoRoot(t))
		}
		if tg.goos == runtime.GOOS && tg.goarch == runtime.GOARCH {
			b, err := exec.Command(path, "version").Output()
			if err != nil {
				t.Errorf("%s version: %v", tg.name, err)
			} else if got := strings.TrimSpace(string(b)); got != "clayscan "+version {
				t.Errorf("%s version = %q, want %q", tg.name, got, "clayscan "+version)
			}
		}
	}

	// sha256sum --check is what the README tells users to run.
	if _, err := exec.LookPath("sha256sum"); err == nil {
		c := exec.Command("sha256sum", "--check", "SHA256SUMS")
		c.Dir = out
		if b, err := c.CombinedOutput(); err != nil {
			t.Errorf("sha256sum --check: %v\n%s", err, b)
		}
	}
}

func readSums(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		hash, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(hash) != 64 {
			t.Fatalf("SHA256SUMS: malformed line %q", sc.Text())
		}
		sums[name] = hash
	}
	return sums
}

// checkBinary reads the executable's header: the right format and
// architecture, and for Linux a static binary (no interpreter: CGO_ENABLED=0).
func checkBinary(t *testing.T, path, goos, goarch string) {
	t.Helper()
	name := filepath.Base(path)
	switch goos {
	case "linux":
		f, err := elf.Open(path)
		if err != nil {
			t.Errorf("%s: not ELF: %v", name, err)
			return
		}
		defer f.Close()
		want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[goarch]
		if f.Machine != want {
			t.Errorf("%s: machine %v, want %v", name, f.Machine, want)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("%s: dynamically linked (has an interpreter): CGO_ENABLED=0 missing", name)
			}
		}
	case "darwin":
		f, err := macho.Open(path)
		if err != nil {
			t.Errorf("%s: not Mach-O: %v", name, err)
			return
		}
		defer f.Close()
		want := map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}[goarch]
		if f.Cpu != want {
			t.Errorf("%s: cpu %v, want %v", name, f.Cpu, want)
		}
	case "windows":
		f, err := pe.Open(path)
		if err != nil {
			t.Errorf("%s: not PE: %v", name, err)
			return
		}
		defer f.Close()
		want := map[string]uint16{"amd64": pe.IMAGE_FILE_MACHINE_AMD64, "arm64": pe.IMAGE_FILE_MACHINE_ARM64}[goarch]
		if f.Machine != want {
			t.Errorf("%s: machine %#x, want %#x", name, f.Machine, want)
		}
	}
}

// issue 13: a build from a clone records the commit it was built from, and
// whether the work tree had changes, without any stamping.
func TestVersionFromVCS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds clayscan from a clone; skipped with -short")
	}
	root := repoRoot(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not found")
	}
	if err := exec.Command("git", "-C", root, "rev-parse", "--git-dir").Run(); err != nil {
		t.Skip("not a git checkout")
	}
	clone := filepath.Join(t.TempDir(), "clayscan")
	git := func(dir string, args ...string) string {
		t.Helper()
		c := exec.Command("git", args...)
		c.Dir = dir
		b, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, b)
		}
		return strings.TrimSpace(string(b))
	}
	git(root, "clone", "-q", "--no-local", root, clone)
	rev := git(clone, "rev-parse", "HEAD")
	// A change to a tracked file makes the work tree dirty.
	if err := os.WriteFile(filepath.Join(clone, "LICENSE"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "clayscan")
	build := exec.Command("go", "build", "-o", bin, "./cmd/clayscan")
	build.Dir = clone
	build.Env = append(os.Environ(), "GOFLAGS=-buildvcs=true")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	b, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.TrimSpace(string(b))
	if !strings.HasPrefix(got, "clayscan v") || !strings.Contains(got, rev[:12]) || !strings.HasSuffix(got, "+dirty") {
		t.Errorf("version = %q, want a pseudo-version naming %s and ending in +dirty", got, rev[:12])
	}
}
