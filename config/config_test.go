package config

import (
	"os"
	"path/filepath"
	"testing"
)

// The size limit comes from the command line, else the config file, else
// the default, and is settled before any source is built.
func TestMaxFileSizePrecedence(t *testing.T) {
	dir := t.TempDir()
	s, err := Load(Options{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	if s.MaxFileSize != DefaultMaxFileSize {
		t.Errorf("default: %d", s.MaxFileSize)
	}
	if err := os.WriteFile(filepath.Join(dir, ".clayscan.toml"), []byte("max_file_size = \"1KiB\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err = Load(Options{Path: dir}); err != nil || s.MaxFileSize != 1024 {
		t.Errorf("config: %d, %v", s.MaxFileSize, err)
	}
	if s, err = Load(Options{Path: dir, MaxFileSize: 5}); err != nil || s.MaxFileSize != 5 {
		t.Errorf("flag: %d, %v", s.MaxFileSize, err)
	}
}

// A config that does not parse is an error with a hint, never the defaults.
func TestBadConfigIsAnError(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".clayscan.toml"), []byte("disable = [\"no-such-rule\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(Options{Path: dir})
	h, ok := err.(*Hinted)
	if !ok || h.Hint() == "" {
		t.Fatalf("err = %v", err)
	}
}
