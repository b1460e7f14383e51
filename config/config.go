// Package config turns what a user set up — .clayscan.toml, .clayscanignore,
// a baseline, and the command-line values that override them — into the
// finished settings of one scan: the rules, the filters, the size limit and
// the fail threshold. The CLI loads them first and only then builds its
// source, so no source is patched after it is made (ripgrep builds its
// searcher from a finished config the same way).
//
// On a pull request (Options.Base), files inside the repository are read
// from the base commit, and a change to one is reported as a
// suppression-changed finding: a pull request cannot hide its own key by
// editing the files that suppress findings.
//
// The main entry point is Load.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
	"github.com/clayscan/clayscan/scanner/suppress"

	"github.com/clayscan/clayscan/internal/git"
)

// DefaultMaxFileSize is the size above which files are skipped (and
// counted) when neither --max-file-size nor max_file_size says otherwise:
// none. Every file is scanned, large ones streamed through the detector
// in bounded windows (issue 11); a limit is an opt-in way to skip.
const DefaultMaxFileSize = 0

// Options are what the command line says about a scan's configuration.
type Options struct {
	// Path is the directory the user named; the config and ignore files
	// are looked up at the root of the repository holding it.
	Path string
	// ConfigFile is --config; "" reads .clayscan.toml at the repository
	// root when there is one.
	ConfigFile string
	// Baseline is --baseline; "" for none.
	Baseline string
	// Base, on a pull request, is the commit whose versions of the files
	// apply.
	Base string
	// MaxFileSize is --max-file-size; 0 when not given, so that the
	// config's max_file_size (or the default) applies.
	MaxFileSize int64
	// FailOn is --fail-on; "" when not given, so that the config's
	// fail_on (or rules.DefaultFailOn) applies.
	FailOn rules.Severity
	// Repo, when set, is the repository holding Path, already opened by
	// the caller, who closes it; Load opens it otherwise.
	Repo *git.Repository
}

// Settings are everything a scan needs that the user can configure.
type Settings struct {
	// Rules are the content rules: the built-in ones not disabled, then
	// the custom ones.
	Rules []rules.Rule
	// Filters suppress findings after the scan (ignores, allowlist,
	// baseline), in that order.
	Filters []scanner.Filter
	// LineFilter, when set, suppresses a finding by the text of its line
	// (the allowlist's line_regexes).
	LineFilter func(f *scanner.Finding, line []byte) string
	// MaxFileSize is the limit in bytes; 0 for none.
	MaxFileSize int64
	// FailOn is the lowest severity whose findings fail the scan (exit
	// 1); lower ones are reported and do not. Always set.
	FailOn rules.Severity
	// PathRules are the path rules not disabled: the .env policy,
	// extended by the config's [env] table, and suppression-changed.
	PathRules []rules.PathRule
	// Facts are about the files that configure the scan (a pull request
	// changing one is a suppression-changed finding).
	Facts []scanner.PathFact
	// Ignores is the parsed .clayscanignore, nil without one, for
	// --report-unused-ignores.
	Ignores *suppress.Ignores
	// Config is the parsed config file, nil without one.
	Config *rules.Config
	// Repo is the repository holding Path, opened once for the whole
	// command: sources read it rather than open it again. nil outside a
	// repository. Close releases it when Load opened it.
	Repo    *git.Repository
	ownRepo bool
}

// Close releases the repository the settings hold, when Load opened it.
func (s *Settings) Close() {
	if s != nil && s.Repo != nil && s.ownRepo {
		s.Repo.Close()
	}
	if s != nil {
		s.Repo = nil
	}
}

// Fails reports whether a finding of severity sev fails the scan.
func (s *Settings) Fails(sev string) bool {
	return rules.Severity(sev).Rank() >= s.FailOn.Rank()
}

// Hinted is an error with a line telling the user what to do about it.
type Hinted struct {
	Err  error
	Line string
}

func (h *Hinted) Error() string { return h.Err.Error() }
func (h *Hinted) Unwrap() error { return h.Err }

// Hint is read by the CLI, which prints it as "clayscan: hint: …".
func (h *Hinted) Hint() string { return h.Line }

func withHint(err error, hint string) error { return &Hinted{Err: err, Line: hint} }

// Load reads the configuration that applies to a scan of opts.Path.
func Load(opts Options) (*Settings, error) {
	files, err := openFiles(opts.Path, opts.Base, opts.Repo)
	if err != nil {
		return nil, err
	}
	defer files.close()
	s := &Settings{}

	cfgName, explicit := rules.ConfigFile, opts.ConfigFile != ""
	if explicit {
		cfgName = opts.ConfigFile
	}
	cf, err := files.read(cfgName, explicit, &s.Facts)
	if err != nil {
		return nil, err
	}
	if cf.ok {
		if s.Config, err = rules.ParseConfig(cf.name, cf.data); err != nil {
			return nil, withHint(err, "fix the config file; clayscan does not scan with a config it cannot read")
		}
	}
	s.Rules = s.Config.RuleSet(rules.Default())
	var env rules.EnvSettings
	if s.Config != nil {
		env = s.Config.Env
	}
	s.PathRules = s.Config.PathRuleSet(rules.PathRules(env))

	igf, err := files.read(suppress.IgnoreFile, false, &s.Facts)
	if err != nil {
		return nil, err
	}
	if igf.ok {
		if s.Ignores, err = suppress.ParseIgnores(igf.name, igf.data); err != nil {
			return nil, withHint(err, "each line is <fingerprint> [path-glob] [# reason]; fingerprints are printed with every finding")
		}
		s.Filters = append(s.Filters, s.Ignores)
	}
	s.MaxFileSize = opts.MaxFileSize
	if s.Config != nil {
		if allow := suppress.NewAllowlist(s.Config.Allow); allow != nil {
			s.Filters = append(s.Filters, allow)
			if allow.HasLineRules() {
				s.LineFilter = allow.SuppressLine
			}
		}
		if s.MaxFileSize <= 0 {
			s.MaxFileSize = s.Config.MaxFileSize
		}
	}
	s.FailOn = opts.FailOn
	if s.FailOn == "" && s.Config != nil {
		s.FailOn = s.Config.FailOn
	}
	if s.FailOn == "" {
		s.FailOn = rules.DefaultFailOn
	}
	if opts.Baseline != "" {
		bf, err := files.read(opts.Baseline, true, &s.Facts)
		if err != nil {
			return nil, err
		}
		if bf.ok {
			b, err := suppress.ParseBaseline(bf.name, bf.data)
			if err != nil {
				return nil, withHint(err, "a baseline is a JSON report: clayscan baseline create -o FILE")
			}
			s.Filters = append(s.Filters, b)
		}
	}
	// The repository is the caller's now, closed by Settings.Close.
	s.Repo, s.ownRepo, files.repo = files.repo, files.ownRepo, nil
	return s, nil
}

// files reads the files that control suppression: from the work tree (or
// HEAD in a bare repository) and, on a pull request, from the base commit,
// whose versions then apply.
type files struct {
	repo    *git.Repository // nil outside a repository
	ownRepo bool            // openFiles opened repo, and closes it
	root    string          // work tree root, or the scanned directory outside a repository
	head    *git.Hash       // HEAD's commit, for a bare repository
	base    *git.Hash       // the pull request's base commit, when set
	// baseName labels base versions in error messages.
	baseName string
}

func openFiles(path, base string, opened *git.Repository) (*files, error) {
	sf := &files{}
	repo, err := opened, error(nil)
	if repo == nil {
		repo, err = git.Open(path)
		sf.ownRepo = err == nil
	}
	switch {
	case errors.Is(err, source.ErrNotRepository):
		if base != "" {
			return nil, fmt.Errorf("reading suppression files at base %s: %w", base, err)
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, fmt.Errorf("resolving %q: %w", path, err)
		}
		sf.root = abs
		return sf, nil
	case err != nil:
		return nil, err
	}
	sf.repo, sf.root = repo, repo.Root
	if repo.Root == "" { // bare: the files as of HEAD
		if h, err := repo.Head(); err == nil {
			sf.head = &h
		}
	}
	if base != "" {
		h, err := repo.ResolveRevision(base)
		if err != nil {
			sf.close()
			return nil, withHint(fmt.Errorf("reading suppression files at base %s: %w", base, err),
				"fetch the base commit (actions/checkout with fetch-depth: 0)")
		}
		sf.base = &h
		sf.baseName = base
		if len(sf.baseName) > 12 {
			sf.baseName = sf.baseName[:12]
		}
	}
	return sf, nil
}

// close releases the repository the files were read from.
func (s *files) close() {
	if s.repo != nil && s.ownRepo {
		s.repo.Close()
	}
}

// maxFile bounds what is read of a config, ignore or baseline file.
const maxFile = 64 << 20

// readAt reads a file from a commit's tree; ok is false when it does not
// exist there.
func (s *files) readAt(commit *git.Hash, rel string) ([]byte, bool, error) {
	data, err := s.repo.ReadFile(*commit, rel, maxFile)
	if errors.Is(err, git.ErrPathNotFound) {
		return nil, false, nil
	}
	return data, err == nil, err
}

// ReadLocal reads a config, ignore or baseline file from disk; ok is false
// when it does not exist. It refuses files larger than 64 MiB.
func ReadLocal(name string) (data []byte, ok bool, err error) {
	fi, err := os.Stat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err == nil && fi.Size() > maxFile {
		err = fmt.Errorf("larger than %d bytes", maxFile)
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", name, err)
	}
	data, err = os.ReadFile(name)
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", name, err)
	}
	return data, true, nil
}

// file is one file's content as it applies to the scan.
type file struct {
	name string // for messages
	data []byte
	ok   bool // the file exists (in the version that applies)
}

// read returns the version of a suppression file that applies. name is
// what the user gave (or the default, relative to the root). On a pull
// request, a file inside the repository is read from the base commit, and
// a change against the work tree is added to changed as a fact for the
// suppression-changed rule.
func (s *files) read(name string, explicit bool, changed *[]scanner.PathFact) (file, error) {
	full := name
	if !explicit {
		full = filepath.Join(s.root, name)
	}
	rel := s.rel(full, explicit)
	var cur file
	var err error
	if s.head != nil && !explicit {
		cur.name = rel
		cur.data, cur.ok, err = s.readAt(s.head, rel)
	} else {
		cur.name = name
		cur.data, cur.ok, err = ReadLocal(full)
	}
	if err != nil {
		return cur, err
	}
	if s.base == nil || rel == "" {
		if explicit && !cur.ok {
			return cur, fmt.Errorf("reading %s: file does not exist", name)
		}
		return cur, nil
	}
	var old file
	old.name = fmt.Sprintf("%s (at base %s)", rel, s.baseName)
	old.data, old.ok, err = s.readAt(s.base, rel)
	if err != nil {
		return old, fmt.Errorf("reading %s: %w", old.name, err)
	}
	if explicit && !cur.ok && !old.ok {
		return old, fmt.Errorf("reading %s: file does not exist", name)
	}
	if old.ok != cur.ok || string(old.data) != string(cur.data) {
		// The fingerprint depends on the new content, so an ignore or
		// baseline entry for one change does not cover the next.
		sum := sha256.Sum256(cur.data)
		*changed = append(*changed, scanner.PathFact{PathFact: rules.PathFact{
			Path: rel, Where: rules.InConfig, Changed: true, Deleted: !cur.ok, Digest: hex.EncodeToString(sum[:]),
		}})
	}
	return old, nil
}

// rel returns name relative to the repository root, slash-separated, or ""
// when it is outside the repository.
func (s *files) rel(name string, explicit bool) string {
	if s.repo == nil {
		return ""
	}
	if s.repo.Root == "" { // bare: defaults are tree paths, others are on disk
		if explicit {
			return ""
		}
		return filepath.ToSlash(filepath.Clean(name))
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return ""
	}
	r, err := filepath.Rel(s.repo.Root, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return ""
	}
	return filepath.ToSlash(r)
}
