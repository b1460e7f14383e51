package git

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The repository format check: core.repositoryformatversion and the
// extensions.* settings of the common directory's config, accepted and
// refused exactly as git's setup.c does (verify_repository_format). A
// repository git reads is read; one git refuses is refused with the same
// reason, so a pre-commit hook never blocks a commit git itself makes.

var (
	// ErrUnsupportedExtension is an extension git does not know either
	// (in a format version 1 repository), or an unknown value of a known
	// one: reading the repository anyway could miss objects or refs.
	ErrUnsupportedExtension = errors.New("unknown repository extension")
	// ErrUnsupportedFormatVersion is a core.repositoryformatversion above
	// 1, or a version 1 extension in a version 0 repository.
	ErrUnsupportedFormatVersion = errors.New("unsupported core.repositoryformatversion")
)

// FormatError is a repository whose format clayscan (like git) cannot
// read. It names the config file and the setting.
type FormatError struct {
	File    string // the config file
	Setting string // "extensions.foo", "core.repositoryformatversion"
	Reason  string
	Err     error // ErrUnsupportedExtension or ErrUnsupportedFormatVersion
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("%s: %s: %s", e.File, e.Setting, e.Reason)
}

func (e *FormatError) Unwrap() error { return e.Err }

// Hint says what to do about it.
func (e *FormatError) Hint() string {
	return "git itself refuses this repository too ('git status' shows the same error); " +
		"a newer git may know the setting: upgrade git and clayscan, or remove " + e.Setting + " if it was set by mistake"
}

// repoFormat is what the format check decides.
type repoFormat struct {
	objects    Format
	refStorage string // "files" or "reftable"
}

// readRepoFormat checks commonDir/config as git's check_repo_format does
// (that one file, without includes).
func readRepoFormat(commonDir string) (repoFormat, error) {
	rf := repoFormat{objects: SHA1, refStorage: "files"}
	path := filepath.Join(commonDir, "config")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return rf, nil // git accepts a repository without a config
	}
	if err != nil {
		return rf, &ConfigError{File: path, Msg: fmt.Sprintf("cannot read it: %v", unwrapPath(err))}
	}
	entries, perr := parseConfig(data)
	if perr != nil {
		return rf, &ConfigError{File: path, Line: perr.line, Msg: perr.why}
	}
	return repoFormatOf(path, entries)
}

// repoFormatFrom checks the format from the repository's resolved
// configuration: the entries of the common directory's config file itself
// (not of files it includes), which discovery has parsed already, so that
// opening a repository reads that file once.
func repoFormatFrom(cfg *Config, commonDir string) (repoFormat, error) {
	path := commonDir + "/config"
	var entries []rawEntry
	for _, e := range cfg.Entries() {
		if e.Scope == ScopeLocal && e.File == path {
			entries = append(entries, rawEntry{key: e.Key, value: e.Value, noValue: e.NoValue, line: e.Line})
		}
	}
	return repoFormatOf(filepath.Join(commonDir, "config"), entries)
}

// repoFormatOf decides the format from the entries of the config file at
// path.
func repoFormatOf(path string, entries []rawEntry) (repoFormat, error) {
	rf := repoFormat{objects: SHA1, refStorage: "files"}
	version := 0
	var exts []rawEntry
	for _, e := range entries {
		switch {
		case e.key == "core.repositoryformatversion":
			n, err := strconv.Atoi(strings.TrimSpace(e.value))
			if err != nil {
				return rf, &FormatError{path, "core.repositoryformatversion", fmt.Sprintf("not a number (%.20q)", e.value), ErrUnsupportedFormatVersion}
			}
			version = n
		case strings.HasPrefix(e.key, "extensions."):
			exts = append(exts, e)
		}
	}
	if version > 1 || version < 0 {
		return rf, &FormatError{path, "core.repositoryformatversion", fmt.Sprintf("version %d (git reads 0 and 1)", version), ErrUnsupportedFormatVersion}
	}
	for _, e := range exts {
		name := strings.TrimPrefix(e.key, "extensions.")
		setting := e.key
		switch name {
		case "noop", "preciousobjects", "partialclone", "worktreeconfig":
			continue // valid in either version, and harmless to a reader
		case "noop-v1", "objectformat", "compatobjectformat", "refstorage", "relativeworktrees":
			if version == 0 {
				return rf, &FormatError{path, setting, "a version 1 extension in a repository of format version 0", ErrUnsupportedFormatVersion}
			}
		default:
			if version == 0 {
				continue // git ignores unknown extensions in version 0
			}
			return rf, &FormatError{path, setting, "unknown repository extension", ErrUnsupportedExtension}
		}
		switch name {
		case "objectformat":
			switch e.value {
			case "sha1":
				rf.objects = SHA1
			case "sha256":
				rf.objects = SHA256
			default:
				return rf, &FormatError{path, setting, fmt.Sprintf("unknown object format %.20q", e.value), ErrUnsupportedExtension}
			}
		case "compatobjectformat":
			if e.value != "sha1" && e.value != "sha256" {
				return rf, &FormatError{path, setting, fmt.Sprintf("unknown object format %.20q", e.value), ErrUnsupportedExtension}
			}
		case "refstorage":
			switch e.value {
			case "files", "reftable":
				rf.refStorage = e.value
			default:
				return rf, &FormatError{path, setting, fmt.Sprintf("unknown ref storage %.20q", e.value), ErrUnsupportedExtension}
			}
		}
	}
	return rf, nil
}
