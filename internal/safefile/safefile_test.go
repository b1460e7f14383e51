package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mode(t *testing.T, name string) os.FileMode {
	t.Helper()
	fi, err := os.Lstat(name)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// noTemp checks that no temporary file is left in dir.
func noTemp(t *testing.T, dir string, want int) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != want {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("%s holds %v, want %d entries", dir, names, want)
	}
}

func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "report.json")
	if err := Write(name, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := read(t, name); got != "{}\n" {
		t.Errorf("content %q", got)
	}
	if m := mode(t, name); m != 0o600 {
		t.Errorf("mode %o, want 600", m)
	}
	noTemp(t, dir, 1)
}

func TestWriteReplacesRegularFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "report.json")
	if err := os.WriteFile(name, []byte("old content that is longer"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(name, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := read(t, name); got != "new" {
		t.Errorf("content %q", got)
	}
	if m := mode(t, name); m != 0o600 {
		t.Errorf("mode %o, want 600", m)
	}
	noTemp(t, dir, 1)
}

// Issue 12: a planted report.json -> victim was overwritten and the
// victim's mode narrowed.
func TestWriteRefusesSymlinkToFile(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "report.json")
	if err := os.Symlink(victim, name); err != nil {
		t.Fatal(err)
	}
	err := Write(name, []byte("pwned"), 0o600)
	if !errors.Is(err, ErrSymlink) {
		t.Fatalf("Write through a symlink: %v, want ErrSymlink", err)
	}
	if got := read(t, victim); got != "precious" {
		t.Errorf("victim now holds %q", got)
	}
	if m := mode(t, victim); m != 0o644 {
		t.Errorf("victim mode %o, want 644", m)
	}
	noTemp(t, dir, 2)
}

func TestWriteRefusesDanglingSymlink(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "report.json")
	if err := os.Symlink(filepath.Join(dir, "created-elsewhere"), name); err != nil {
		t.Fatal(err)
	}
	if err := Write(name, []byte("x"), 0o600); !errors.Is(err, ErrSymlink) {
		t.Fatalf("Write through a dangling symlink: %v, want ErrSymlink", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "created-elsewhere")); err == nil {
		t.Error("the symlink's target was created")
	}
}

// A hard link to another file is replaced, not written through.
func TestWriteHardLinkKeepsOther(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "report.json")
	if err := os.Link(victim, name); err != nil {
		t.Skip("no hard links here:", err)
	}
	if err := Write(name, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := read(t, victim); got != "precious" {
		t.Errorf("victim now holds %q", got)
	}
	if m := mode(t, victim); m != 0o644 {
		t.Errorf("victim mode %o, want 644", m)
	}
}

// -o /dev/stdout and a symlink to a device are written in place.
func TestWriteDevice(t *testing.T) {
	if err := Write(os.DevNull, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	name := filepath.Join(dir, "out")
	if err := os.Symlink(os.DevNull, name); err != nil {
		t.Fatal(err)
	}
	if err := Write(name, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestWriteErrorLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	if err := Write(filepath.Join(dir, "missing", "r.json"), []byte("x"), 0o600); err == nil {
		t.Fatal("no error for a missing directory")
	}
	if err := Write(dir, []byte("x"), 0o600); err == nil {
		t.Fatal("no error for a directory")
	}
	noTemp(t, dir, 0)
}

func TestReadRegular(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, ".clayscanignore")
	if _, ok, err := ReadRegular(name, 1<<20); ok || err != nil {
		t.Fatalf("missing file: ok=%v err=%v", ok, err)
	}
	if err := os.WriteFile(name, []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, ok, err := ReadRegular(name, 1<<20); !ok || err != nil || string(data) != "a\n" {
		t.Fatalf("ReadRegular = %q, %v, %v", data, ok, err)
	}
	if _, _, err := ReadRegular(name, 1); err == nil {
		t.Error("no error over the limit")
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(name, link); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadRegular(link, 1<<20); !errors.Is(err, ErrSymlink) {
		t.Errorf("ReadRegular of a symlink: %v, want ErrSymlink", err)
	}
	if Mode(name, 0o600) != 0o644 || Mode(link, 0o600) != 0o600 {
		t.Error("Mode")
	}
}
