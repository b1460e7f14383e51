package git

// Repository discovery, as git's setup.c does it: GIT_DIR, GIT_WORK_TREE,
// GIT_COMMON_DIR and GIT_INDEX_FILE; .git directories and "gitdir:" files;
// bare repositories; linked worktrees; core.worktree and core.bare; and
// the walk up from the starting directory, which stops at
// GIT_CEILING_DIRECTORIES and, unless GIT_DISCOVERY_ACROSS_FILESYSTEM is
// set, at a file-system boundary.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrNotRepository is returned outside a git repository.
var ErrNotRepository = errors.New("not a git repository")

// Open opens the repository containing path (a subdirectory, a linked
// worktree, a bare repository or a git directory), honouring git's
// environment (see OpenEnv).
func Open(path string) (*Repository, error) { return OpenEnv(path, nil) }

// Location is where discovery found a repository.
type Location struct {
	// Root is the work tree; "" for a bare repository.
	Root string
	// GitDir is the git directory (a linked worktree's own).
	GitDir string
	// CommonDir holds what worktrees share: objects, refs, config, hooks.
	CommonDir string
	// IndexFile is the index: GIT_INDEX_FILE, or GitDir/index.
	IndexFile string
	// Config is the repository's configuration, every layer resolved.
	Config *Config
}

// OpenEnv opens the repository for path as git would with the environment
// env (nil: the process's). GIT_DIR names the git directory (relative
// paths are relative to the current directory, as for git) instead of the
// walk up from path; GIT_WORK_TREE, or else core.worktree (relative to the
// git directory), names the work tree; core.bare makes it bare; with
// GIT_DIR and neither, the current directory is the work tree, as git
// takes it. GIT_COMMON_DIR replaces the commondir file, GIT_INDEX_FILE
// (relative to the top of the work tree, where git reads it) the index.
func OpenEnv(path string, env Env) (*Repository, error) {
	loc, err := Discover(path, env)
	if err != nil {
		return nil, err
	}
	repo, err := openRepository(loc)
	if err != nil {
		return nil, fmt.Errorf("opening repository at %q: %w", path, err)
	}
	repo.loc = loc
	// Where git reads objects from instead of, and besides, objects/: a
	// pre-receive hook's quarantine directory and the repository's own
	// (git receive-pack sets both), relative to the current directory.
	if o, ok := env.get("GIT_OBJECT_DIRECTORY"); ok && o != "" {
		if repo.objectsDir, err = absFromCwd(o); err != nil {
			return nil, err
		}
	}
	if a, ok := env.get("GIT_ALTERNATE_OBJECT_DIRECTORIES"); ok && a != "" {
		for _, d := range filepath.SplitList(a) {
			if d == "" {
				continue
			}
			if d, err = absFromCwd(d); err != nil {
				return nil, err
			}
			repo.altDirs = append(repo.altDirs, d)
		}
	}
	return repo, nil
}

// Discover finds the repository for path without opening it (OpenEnv).
func Discover(path string, env Env) (*Location, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolving %q: %w", path, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("opening %q: %w", path, err)
	}
	// git walks up from getcwd(), which is a real path: so does this,
	// so that the same repository is found through a symlink.
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	loc := &Location{}
	explicit := false
	if d, ok := env.get("GIT_DIR"); ok { // set but empty is an error, as in git
		if d == "" {
			return nil, &hintedError{err: errors.New("GIT_DIR is set to an empty path"),
				hint: "GIT_DIR is set in the environment: unset it, or point it at a git directory"}
		}
		explicit = true
		if loc.GitDir, err = absFromCwd(d); err != nil {
			return nil, err
		}
		if g, ok := readGitFile(loc.GitDir); ok {
			loc.GitDir = g
		}
		if !isGitDir(loc.GitDir, env) {
			// Not ErrNotRepository: that lets a scan go on over a plain
			// directory, and git stops here ("not a git repository").
			return nil, &hintedError{
				err:  fmt.Errorf("GIT_DIR %q is not a git directory", d),
				hint: "GIT_DIR is set in the environment: unset it, or point it at a git directory",
			}
		}
	} else if loc.Root, loc.GitDir = discover(abs, env); loc.GitDir == "" {
		return nil, fmt.Errorf("%q: %w", path, ErrNotRepository)
	}
	loc.CommonDir = CommonDir(loc.GitDir)
	if c, ok := env.get("GIT_COMMON_DIR"); ok && c != "" {
		if loc.CommonDir, err = absFromCwd(c); err != nil {
			return nil, err
		}
	}
	head := func() (string, bool) { return headRef(loc.GitDir, loc.CommonDir) }
	if loc.Config, err = LoadConfig(ConfigOptions{GitDir: loc.GitDir, CommonDir: loc.CommonDir, WorkTree: loc.Root, Env: env, Head: head}); err != nil {
		return nil, err
	}
	if err := loc.workTree(env, explicit); err != nil {
		return nil, err
	}
	if loc.IndexFile, err = IndexPath(loc.GitDir, loc.Root, env); err != nil {
		return nil, err
	}
	return loc, nil
}

// workTree applies GIT_WORK_TREE, core.worktree and core.bare as git's
// setup_explicit_git_dir and setup_discovered_git_dir do.
func (loc *Location) workTree(env Env, explicit bool) error {
	envTree, hasEnvTree := env.get("GIT_WORK_TREE")
	hasEnvTree = hasEnvTree && envTree != ""
	cfgTree, hasCfgTree := loc.repoSetting("core.worktree")
	bare := false
	if e, ok := loc.repoSetting("core.bare"); ok {
		b, ok := parseBool(e)
		if !ok {
			return &ConfigError{File: e.File, Line: e.Line, Msg: "bad boolean value for core.bare"}
		}
		bare = b
	}
	if !explicit && !hasEnvTree && !hasCfgTree {
		if bare {
			loc.Root = ""
		}
		return nil
	}
	switch {
	case hasEnvTree:
		root, err := absFromCwd(envTree)
		if err != nil {
			return err
		}
		loc.Root = root
	case bare:
		loc.Root = ""
	case hasCfgTree:
		if cfgTree.NoValue {
			return &ConfigError{File: cfgTree.File, Line: cfgTree.Line, Msg: "core.worktree has no value"}
		}
		p := cfgTree.Value
		if !filepath.IsAbs(p) {
			p = filepath.Join(loc.GitDir, p)
		}
		loc.Root = realOrClean(p)
	default:
		cwd, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("reading the current directory: %w", err)
		}
		loc.Root = realOrClean(cwd)
	}
	if loc.Root == "" {
		return nil
	}
	if fi, err := os.Stat(loc.Root); err != nil || !fi.IsDir() {
		how := "core.worktree in " + cfgTree.File
		if hasEnvTree {
			how = "GIT_WORK_TREE"
		}
		return fmt.Errorf("the work tree %q (%s) is not a directory git can use", loc.Root, how)
	}
	return nil
}

// repoSetting returns a setting as the repository format reads it: from
// the common directory's config file, then config.worktree when
// extensions.worktreeConfig is on; never from included or global files.
func (loc *Location) repoSetting(key string) (ConfigEntry, bool) {
	local := loc.CommonDir + "/config"
	wt := loc.GitDir + "/config.worktree"
	var last ConfigEntry
	found := false
	for _, e := range loc.Config.GetAll(key) {
		if e.Scope == ScopeLocal && e.File == local || e.Scope == ScopeWorktree && e.File == wt {
			last, found = e, true
		}
	}
	return last, found
}

// headRef returns the ref HEAD leads to through symbolic refs, read from
// whichever ref storage the repository uses (a reftable repository's HEAD
// file is a placeholder), for includeIf "onbranch:". ok is false when HEAD
// is detached or cannot be read. An unborn branch counts, as in git.
func headRef(gitDir, commonDir string) (string, bool) {
	rf, err := readRepoFormat(commonDir)
	if err != nil {
		return "", false
	}
	r := &Repository{GitDir: gitDir, CommonDir: commonDir, format: rf.objects, refStorage: rf.refStorage}
	b, err := r.backend(gitDir)
	if err != nil {
		return "", false
	}
	name, symbolic := "HEAD", false
	for range 10 {
		ref, ok, err := b.read(name)
		if err != nil {
			return "", false
		}
		if !ok || ref.Target == "" {
			return name, symbolic
		}
		name, symbolic = ref.Target, true
	}
	return "", false
}

func absFromCwd(p string) (string, error) {
	a, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("resolving %q: %w", p, err)
	}
	return a, nil
}

func realOrClean(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return filepath.Clean(p)
}

// discover walks up from dir as git's setup_git_directory_gently does:
// at each level a ".git" (directory or "gitdir:" file) that is a git
// directory makes that level the work tree; a level that is itself a git
// directory is a bare repository (or the inside of a .git directory, which
// git treats alike).
func discover(dir string, env Env) (root, gitDir string) {
	ceiling := ceilingOffset(dir, env)
	across := envBool(env, "GIT_DISCOVERY_ACROSS_FILESYSTEM")
	startDev, hasDev := deviceOf(dir)
	for {
		dotGit := filepath.Join(dir, ".git")
		candidate := dotGit
		if g, ok := readGitFile(dotGit); ok {
			candidate = g
		}
		if isGitDir(candidate, env) {
			return dir, candidate
		}
		if isGitDir(dir, env) {
			return "", dir
		}
		parent := filepath.Dir(dir)
		if parent == dir || len(parent) <= ceiling {
			return "", ""
		}
		if hasDev && !across {
			if d, ok := deviceOf(parent); ok && d != startDev {
				return "", ""
			}
		}
		dir = parent
	}
}

// ceilingOffset is the length of the deepest GIT_CEILING_DIRECTORIES entry
// that is a proper ancestor of dir: discovery does not move up into it.
// Like git, entries are compared as real paths; an empty entry (git's
// marker for "do not resolve the rest") is skipped.
func ceilingOffset(dir string, env Env) int {
	v, _ := env.get("GIT_CEILING_DIRECTORIES")
	best := -1
	for c := range strings.SplitSeq(v, string(os.PathListSeparator)) {
		if c == "" || !filepath.IsAbs(c) {
			continue
		}
		c = realOrClean(c)
		if c == dir {
			continue
		}
		prefix := c
		if !strings.HasSuffix(prefix, "/") {
			prefix += "/"
		}
		if strings.HasPrefix(dir, prefix) && len(c) > best {
			best = len(c)
		}
	}
	return best
}

// readGitFile reads a "gitdir: <path>" file (a linked worktree's or a
// submodule's .git); a relative path is relative to the file's directory.
func readGitFile(p string) (string, bool) {
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return "", false
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return "", false
	}
	s, ok := strings.CutPrefix(string(data), "gitdir: ")
	if !ok {
		return "", false
	}
	d := strings.TrimRight(s, "\r\n")
	if !filepath.IsAbs(d) {
		d = filepath.Join(filepath.Dir(p), d)
	}
	return filepath.Clean(d), true
}

// CommonDir follows a linked worktree's "commondir" file to the shared
// git directory; without one, gitDir is its own common dir. It is the one
// place that reads commondir (discovery, is_git_directory, the ignore
// rules' info/exclude).
func CommonDir(gitDir string) string {
	data, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return gitDir
	}
	d := strings.TrimRight(string(data), "\r\n") // as get_common_dir_noenv trims it
	if d == "" {
		return gitDir
	}
	if !filepath.IsAbs(d) {
		d = filepath.Join(gitDir, d)
	}
	return filepath.Clean(d)
}

// isGitDir is git's is_git_directory (IsGitDirectory), with
// GIT_OBJECT_DIRECTORY, which git consults in place of objects/, honoured
// for the repository being opened.
func isGitDir(dir string, env Env) bool {
	o, ok := env.get("GIT_OBJECT_DIRECTORY")
	if !ok || o == "" {
		return IsGitDirectory(dir)
	}
	common := CommonDir(dir)
	return validHead(filepath.Join(dir, "HEAD")) && searchable(o) && searchable(filepath.Join(common, "refs"))
}

// hintedError is an error with a line saying what to do about it.
type hintedError struct {
	err  error
	hint string
}

func (h *hintedError) Error() string { return h.err.Error() }
func (h *hintedError) Unwrap() error { return h.err }
func (h *hintedError) Hint() string  { return h.hint }
