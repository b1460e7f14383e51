package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
	"github.com/clayscan/clayscan/scanner/suppress"
)

// suppression is the rule set and filters a scan runs with (issue 6: config
// file, ignores, baseline).
type suppression struct {
	rules   []rules.Rule
	filters []scanner.Filter
	// extra findings about suppression itself (suppression-changed).
	extra []scanner.Finding

	config       *rules.Config // nil without a config file
	ignores      *suppress.Ignores
	allow        *suppress.Allowlist
	reportUnused bool
}

// registerSuppression adds the suppression flags to every scanning command.
func (s *scanFlags) registerSuppression(fs *flag.FlagSet) {
	fs.StringVar(&s.config, "config", "", "read the config from `FILE` (default: "+rules.ConfigFile+" at the repository root, if there is one)")
	fs.StringVar(&s.baseline, "baseline", "", "suppress the findings already in `FILE`, a previous JSON report ('clayscan baseline create' writes one)")
	fs.BoolVar(&s.reportUnused, "report-unused-ignores", false, "list "+suppress.IgnoreFile+" entries that matched nothing, so stale ones can be removed")
	// The config's max_file_size applies unless --max-file-size is given.
	if f := fs.Lookup("max-file-size"); f != nil {
		f.Value = &setTracker{Value: f.Value, set: &s.maxSizeSet}
	}
}

// setTracker records that a flag was given on the command line, so a config
// value does not override what the user typed.
type setTracker struct {
	flag.Value
	set *bool
}

func (t *setTracker) Set(v string) error { *t.set = true; return t.Value.Set(v) }

// String is nil-safe: flag calls it on a zero value to print defaults.
func (t *setTracker) String() string {
	if t == nil || t.Value == nil {
		return ""
	}
	return t.Value.String()
}

// suppressionFiles reads the files that control suppression: from the work
// tree (or HEAD in a bare repository) and, on a pull request, from the base
// commit, whose versions then apply.
type suppressionFiles struct {
	repo *source.Repo   // nil outside a repository
	root string         // work tree root, or the scanned directory outside a repository
	head *plumbing.Hash // HEAD's commit, for a bare repository
	base *plumbing.Hash // the pull request's base commit, when set
	// baseName labels base versions in error messages.
	baseName string
}

func openSuppressionFiles(path, base string) (*suppressionFiles, error) {
	sf := &suppressionFiles{}
	repo, err := source.OpenRepo(path)
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
		if ref, err := repo.Git.Head(); err == nil {
			h := ref.Hash()
			sf.head = &h
		}
	}
	if base != "" {
		if sf.base, err = repo.Git.ResolveRevision(plumbing.Revision(base)); err != nil {
			repo.Close()
			return nil, withHint(fmt.Errorf("reading suppression files at base %s: %w", base, err),
				"fetch the base commit (actions/checkout with fetch-depth: 0)")
		}
		sf.baseName = base
		if len(sf.baseName) > 12 {
			sf.baseName = sf.baseName[:12]
		}
	}
	return sf, nil
}

// close releases the repository the files were read from.
func (s *suppressionFiles) close() {
	if s.repo != nil {
		s.repo.Close()
	}
}

// maxSuppressionFile bounds what is read of a config, ignore or baseline
// file.
const maxSuppressionFile = 64 << 20

// readAt reads a file from a commit's tree; ok is false when it does not
// exist there.
func (s *suppressionFiles) readAt(commit *plumbing.Hash, rel string) ([]byte, bool, error) {
	data, err := s.repo.Git.ReadFile(*commit, rel, maxSuppressionFile)
	if errors.Is(err, source.ErrPathNotFound) {
		return nil, false, nil
	}
	return data, err == nil, err
}

func readDisk(name string) ([]byte, bool, error) {
	fi, err := os.Stat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err == nil && fi.Size() > maxSuppressionFile {
		err = fmt.Errorf("larger than %d bytes", maxSuppressionFile)
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", name, err)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", name, err)
	}
	return data, true, nil
}

// suppressionFile is one file's content as it applies to the scan.
type suppressionFile struct {
	name string // for messages
	data []byte
	ok   bool // the file exists (in the version that applies)
}

// read returns the version of a suppression file that applies. name is
// what the user gave (or the default, relative to the root). On a pull
// request, a file inside the repository is read from the base commit, and
// a change against the work tree is added to extra as a finding.
func (s *suppressionFiles) read(name string, explicit bool, extra *[]scanner.Finding) (suppressionFile, error) {
	full := name
	if !explicit {
		full = filepath.Join(s.root, name)
	}
	rel := s.rel(full, explicit)
	var cur suppressionFile
	var err error
	if s.head != nil && !explicit {
		cur.name = rel
		cur.data, cur.ok, err = s.readAt(s.head, rel)
	} else {
		cur.name = name
		cur.data, cur.ok, err = readDisk(full)
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
	var old suppressionFile
	old.name = fmt.Sprintf("%s (at base %s)", rel, s.baseName)
	old.data, old.ok, err = s.readAt(s.base, rel)
	if err != nil {
		return old, fmt.Errorf("reading %s: %w", old.name, err)
	}
	if explicit && !cur.ok && !old.ok {
		return old, fmt.Errorf("reading %s: file does not exist", name)
	}
	if old.ok != cur.ok || string(old.data) != string(cur.data) {
		var head []byte
		if cur.ok {
			head = cur.data
			if head == nil {
				head = []byte{}
			}
		}
		*extra = append(*extra, suppress.Changed(rel, head))
	}
	return old, nil
}

// rel returns name relative to the repository root, slash-separated, or ""
// when it is outside the repository.
func (s *suppressionFiles) rel(name string, explicit bool) string {
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

func setupSuppression(e *env, sf *scanFlags, path string) (*suppression, error) {
	files, err := openSuppressionFiles(path, sf.suppressionBase)
	if err != nil {
		return nil, err
	}
	defer files.close()
	sup := &suppression{reportUnused: sf.reportUnused}

	cfgName, explicit := rules.ConfigFile, sf.config != ""
	if explicit {
		cfgName = sf.config
	}
	cf, err := files.read(cfgName, explicit, &sup.extra)
	if err != nil {
		return nil, err
	}
	if cf.ok {
		if sup.config, err = rules.ParseConfig(cf.name, cf.data); err != nil {
			return nil, withHint(err, "fix the config file; clayscan does not scan with a config it cannot read")
		}
	}
	sup.rules = sup.config.RuleSet(rules.Default())

	igf, err := files.read(suppress.IgnoreFile, false, &sup.extra)
	if err != nil {
		return nil, err
	}
	if igf.ok {
		if sup.ignores, err = suppress.ParseIgnores(igf.name, igf.data); err != nil {
			return nil, withHint(err, "each line is <fingerprint> [path-glob] [# reason]; fingerprints are printed with every finding")
		}
		sup.filters = append(sup.filters, sup.ignores)
	}
	if sup.config != nil {
		if sup.allow = suppress.NewAllowlist(sup.config.Allow); sup.allow != nil {
			sup.filters = append(sup.filters, sup.allow)
		}
	}
	if sf.baseline != "" {
		bf, err := files.read(sf.baseline, true, &sup.extra)
		if err != nil {
			return nil, err
		}
		if bf.ok {
			b, err := suppress.ParseBaseline(bf.name, bf.data)
			if err != nil {
				return nil, withHint(err, "a baseline is a JSON report: clayscan baseline create -o FILE")
			}
			sup.filters = append(sup.filters, b)
		}
	}
	return sup, nil
}

// apply wires what cannot be a plain filter: the allowlist's line regexes,
// checked while the line is at hand, and the config's max_file_size, which
// applies when --max-file-size was not given.
func (s *suppression) apply(sf *scanFlags, src scanner.Source, opts *scanner.Options) {
	if s.allow.HasLineRules() {
		if prev := opts.LineFilter; prev != nil {
			opts.LineFilter = func(f *scanner.Finding, l []byte) string {
				if why := prev(f, l); why != "" {
					return why
				}
				return s.allow.SuppressLine(f, l)
			}
		} else {
			opts.LineFilter = s.allow.SuppressLine
		}
	}
	if s.config == nil || s.config.MaxFileSize <= 0 || sf.maxSizeSet {
		return
	}
	n := s.config.MaxFileSize
	switch src := src.(type) {
	case *source.Worktree:
		src.MaxFileSize = n
	case *source.Staged:
		src.MaxFileSize = n
	case *source.History:
		src.MaxFileSize = n
	case *hintedHistory: // history.go wraps its source
		src.h.MaxFileSize = n
	}
}

// applyEnv extends the .env policy with the config's [env] settings: more
// env-file name globs and more template names.
func (s *suppression) applyEnv(p *envPolicy) {
	if s.config == nil {
		return
	}
	p.pol.Extra = append(p.pol.Extra, s.config.Env.Files...)
	p.pol.Templates = append(p.pol.Templates, s.config.Env.Templates...)
}

// finish runs after the scan (e.g. to report unused ignores).
func (s *suppression) finish(e *env, res *scanner.Result) error {
	if !s.reportUnused || s.ignores == nil {
		return nil
	}
	unused := s.ignores.Unused()
	for _, u := range unused {
		fmt.Fprintf(e.stderr, "clayscan: unused ignore: %s:%d: %s\n", s.ignores.Name, u.Line, u)
	}
	if len(unused) > 0 {
		fmt.Fprintf(e.stderr, "clayscan: hint: %d %s entr%s matched nothing in this scan; remove stale entries once the keys are gone (a partial scan, such as staged, matches fewer)\n",
			len(unused), suppress.IgnoreFile, map[bool]string{true: "y", false: "ies"}[len(unused) == 1])
	}
	return nil
}
