package git

// The configuration resolver: every file git reads for a repository, in
// git's order, with include.path, includeIf and the GIT_CONFIG_*
// environment, so that a setting is found wherever git would find it
// (core.hooksPath set in an included file is the case that mattered).

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/clayscan/clayscan/internal/wildmatch"
)

// ConfigScope says which of git's configuration layers a value comes from.
type ConfigScope int

// The layers, lowest priority first.
const (
	ScopeSystem   ConfigScope = iota + 1 // GIT_CONFIG_SYSTEM or /etc/gitconfig
	ScopeGlobal                          // GIT_CONFIG_GLOBAL, or the XDG file then ~/.gitconfig
	ScopeLocal                           // the repository's config
	ScopeWorktree                        // config.worktree (extensions.worktreeConfig)
	ScopeCommand                         // GIT_CONFIG_COUNT, GIT_CONFIG_PARAMETERS (git -c)
)

func (s ConfigScope) String() string {
	switch s {
	case ScopeSystem:
		return "system"
	case ScopeGlobal:
		return "global"
	case ScopeLocal:
		return "local"
	case ScopeWorktree:
		return "worktree"
	case ScopeCommand:
		return "command"
	}
	return "unknown"
}

// ConfigEntry is one variable as one file, or the command line, sets it.
type ConfigEntry struct {
	// Key is git's canonical name: section and variable name lowercased,
	// a subsection as written ("remote.Origin.url").
	Key   string
	Value string
	// NoValue is a variable written without "=": true as a boolean, an
	// error where a string is needed (git's NULL value).
	NoValue bool
	Scope   ConfigScope
	// File is the file that sets it, as git names it (an included file
	// relative to the one including it); "" for the command line.
	File string
	Line int // 0 for the command line
}

// Where names the entry's origin for messages.
func (e ConfigEntry) Where() string {
	if e.File == "" {
		return "the command-line configuration (GIT_CONFIG_PARAMETERS or GIT_CONFIG_COUNT)"
	}
	return fmt.Sprintf("%q line %d", e.File, e.Line)
}

// Config is a resolved configuration: the entries of every layer in the
// order git reads them, includes expanded where they appear.
type Config struct {
	entries []ConfigEntry
	byKey   map[string][]int
	// WorktreeConfig is extensions.worktreeConfig as the repository's own
	// config file sets it (git reads config.worktree only then).
	WorktreeConfig bool
}

// Entries returns every entry in git's order (git config --list).
func (c *Config) Entries() []ConfigEntry { return c.entries }

// lookup returns the indexes of key's entries; a key git would reject
// has none.
func (c *Config) lookup(key string) []int {
	k, err := canonicalKey(key)
	if err != nil {
		return nil
	}
	return c.byKey[k]
}

// Entry returns the entry that sets key last (the one git uses), and
// whether any does.
func (c *Config) Entry(key string) (ConfigEntry, bool) {
	ix := c.lookup(key)
	if len(ix) == 0 {
		return ConfigEntry{}, false
	}
	return c.entries[ix[len(ix)-1]], true
}

// Get returns key's value (the last one set, as git config --get) and
// whether it is set. A variable with no "=" reads as "".
func (c *Config) Get(key string) (string, bool) {
	e, ok := c.Entry(key)
	return e.Value, ok
}

// GetAll returns every value of a multi-valued key, in order.
func (c *Config) GetAll(key string) []ConfigEntry {
	ix := c.lookup(key)
	out := make([]ConfigEntry, len(ix))
	for i, j := range ix {
		out[i] = c.entries[j]
	}
	return out
}

// Bool returns key as a boolean (git_config_bool): unset is def; no "="
// is true; true/yes/on, false/no/off (any case), "" (false) and integers
// are accepted, anything else is an error naming the file and line.
func (c *Config) Bool(key string, def bool) (bool, error) {
	e, ok := c.Entry(key)
	if !ok {
		return def, nil
	}
	v, ok := parseBool(e)
	if !ok {
		return def, &ConfigError{File: e.File, Line: e.Line, Msg: fmt.Sprintf("bad boolean value for %s", e.Key)}
	}
	return v, nil
}

func parseBool(e ConfigEntry) (bool, bool) {
	if e.NoValue {
		return true, true
	}
	switch strings.ToLower(e.Value) {
	case "true", "yes", "on":
		return true, true
	case "false", "no", "off", "":
		return false, true
	}
	n, err := strconv.ParseInt(strings.TrimSpace(e.Value), 0, 64)
	if err != nil {
		return false, false
	}
	return n != 0, true
}

// Path returns key as a path (git_config_pathname): "~/" and "~user/"
// are expanded; a relative path is returned as it is, for the caller to
// resolve against what git resolves it against. ok is false when unset.
func (c *Config) Path(key string, env Env) (path string, ok bool, err error) {
	e, ok := c.Entry(key)
	if !ok {
		return "", false, nil
	}
	if e.NoValue {
		return "", true, &ConfigError{File: e.File, Line: e.Line, Msg: fmt.Sprintf("%s has no value", e.Key)}
	}
	p, err := interpolatePath(e.Value, env, false)
	if err != nil {
		return "", true, &ConfigError{File: e.File, Line: e.Line, Msg: fmt.Sprintf("%s: %v", e.Key, err)}
	}
	return p, true, nil
}

// ConfigError is a configuration git would refuse, or one clayscan cannot
// follow. It names the file and line; it never holds a value, which may
// be a credential.
type ConfigError struct {
	File string // "" for the command line or the environment
	Line int
	Msg  string
}

func (e *ConfigError) Error() string {
	switch {
	case e.File == "":
		return "bad command-line git config: " + e.Msg
	case e.Line > 0:
		return fmt.Sprintf("bad git config line %d in file %q: %s", e.Line, e.File, e.Msg)
	}
	return fmt.Sprintf("bad git config file %q: %s", e.File, e.Msg)
}

// Hint says how to find what git reads.
func (e *ConfigError) Hint() string {
	return "fix or remove that setting; 'git config --list --show-origin' lists what git reads and from where"
}

// Env reads environment variables; os.LookupEnv is the usual one, and
// tests pass their own.
type Env func(name string) (string, bool)

func (e Env) get(name string) (string, bool) {
	if e == nil {
		return os.LookupEnv(name)
	}
	return e(name)
}

// ConfigOptions says which repository a configuration is for.
type ConfigOptions struct {
	// GitDir is the git directory (a linked worktree's own); "" outside
	// a repository, when only the system, global and command-line layers
	// are read.
	GitDir string
	// CommonDir holds the shared config file; "" means GitDir.
	CommonDir string
	// WorkTree is the work tree, for includeIf "worktree:"; "" when bare.
	WorkTree string
	// Env is the environment; nil is the process's.
	Env Env
	// Head returns the ref HEAD points at ("refs/heads/main"; ok false
	// when detached), for includeIf "onbranch:". nil reads GitDir/HEAD.
	Head func() (ref string, ok bool)
}

// ReadConfigFile parses one configuration file as git does, without
// following its includes: what git reads the repository format from
// (read_repository_format reads the common directory's config alone). A
// missing file is no entries; a malformed one is a *ConfigError.
func ReadConfigFile(path string, scope ConfigScope) ([]ConfigEntry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if skippable(err) {
			return nil, nil
		}
		return nil, &ConfigError{File: path, Msg: fmt.Sprintf("cannot read it: %v", unwrapPath(err))}
	}
	raw, perr := parseConfig(data)
	if perr != nil {
		return nil, &ConfigError{File: path, Line: perr.line, Msg: perr.why}
	}
	es := make([]ConfigEntry, len(raw))
	for i, r := range raw {
		es[i] = ConfigEntry{Key: r.key, Value: r.value, NoValue: r.noValue, Scope: scope, File: path, Line: r.line}
	}
	return es, nil
}

// maxIncludeDepth is git's limit on nested includes.
const maxIncludeDepth = 10

// LoadConfig reads the configuration git would use for a repository: the
// system, global, local and worktree files, then the command-line
// settings git passes down in GIT_CONFIG_COUNT/_KEY_n/_VALUE_n and
// GIT_CONFIG_PARAMETERS (git -c, and the hook environment), following
// include.path and includeIf "gitdir:", "gitdir/i:", "onbranch:",
// "worktree:" and "hasconfig:remote.*.url:" as git's config.c does. A
// missing file is skipped as git skips it; a file git would refuse is an
// error naming it and the line.
func LoadConfig(o ConfigOptions) (*Config, error) {
	l := &configLoader{opts: o}
	if l.opts.CommonDir == "" {
		l.opts.CommonDir = l.opts.GitDir
	}
	cfg := &Config{}
	l.cfg = cfg
	if err := l.sequence(); err != nil {
		return nil, err
	}
	cfg.byKey = make(map[string][]int, len(cfg.entries))
	for i, e := range cfg.entries {
		cfg.byKey[e.Key] = append(cfg.byKey[e.Key], i)
	}
	return cfg, nil
}

type configLoader struct {
	opts ConfigOptions
	cfg  *Config
	// emit receives each entry; nil appends to cfg. The first pass for
	// "hasconfig:" collects remote URLs through it.
	emit  func(e ConfigEntry) error
	depth int
	// unconditionalURL is that first pass: every "hasconfig:" condition
	// holds, and files it includes may not set remote URLs.
	unconditionalURL bool
	remoteURLs       []string
	urlsLoaded       bool
	headRef          string
	headOK           bool
	headLoaded       bool
}

func (l *configLoader) env(name string) (string, bool) { return l.opts.Env.get(name) }

// configFile is one file of a layer.
type configFile struct {
	path  string
	scope ConfigScope
}

// configFiles returns the system, global and local files git reads, in
// order, whether or not they exist. Paths are built as git builds them,
// so that they read as "git config --show-origin" shows them.
func configFiles(env Env, commonDir string) []configFile {
	var files []configFile
	if !envBool(env, "GIT_CONFIG_NOSYSTEM") {
		if p, ok := env.get("GIT_CONFIG_SYSTEM"); ok {
			files = append(files, configFile{p, ScopeSystem})
		} else {
			files = append(files, configFile{"/etc/gitconfig", ScopeSystem})
		}
	}
	if p, ok := env.get("GIT_CONFIG_GLOBAL"); ok {
		files = append(files, configFile{p, ScopeGlobal})
	} else {
		home, hasHome := env.get("HOME")
		if x, _ := env.get("XDG_CONFIG_HOME"); x != "" {
			files = append(files, configFile{x + "/git/config", ScopeGlobal})
		} else if hasHome {
			files = append(files, configFile{home + "/.config/git/config", ScopeGlobal})
		}
		if hasHome {
			files = append(files, configFile{home + "/.gitconfig", ScopeGlobal})
		}
	}
	if commonDir != "" {
		files = append(files, configFile{commonDir + "/config", ScopeLocal})
	}
	return files
}

// envBool reads a boolean environment variable as git_env_bool does;
// an unparsable one counts as false here (git dies).
func envBool(env Env, name string) bool {
	v, ok := env.get(name)
	if !ok {
		return false
	}
	b, ok := parseBool(ConfigEntry{Value: v})
	return ok && b
}

func (l *configLoader) sequence() error {
	local := ""
	if l.opts.CommonDir != "" {
		local = l.opts.CommonDir + "/config"
	}
	for _, f := range configFiles(l.opts.Env, l.opts.CommonDir) {
		if err := l.readTop(f.path, f.scope); err != nil {
			return err
		}
	}
	if local != "" {
		// git decides on config.worktree from the repository's own file
		// (its repository format), not from what that file includes.
		wt := false
		for _, e := range l.cfg.entries {
			if e.File == local && e.Key == "extensions.worktreeconfig" {
				wt, _ = parseBool(e)
			}
		}
		if l.emit == nil {
			l.cfg.WorktreeConfig = wt
		}
		if wt {
			if err := l.readTop(l.opts.GitDir+"/config.worktree", ScopeWorktree); err != nil {
				return err
			}
		}
	}
	return l.commandLine()
}

// readTop reads one layer's file. Missing files are skipped, and so are
// unreadable system and global ones, as git does.
func (l *configLoader) readTop(path string, scope ConfigScope) error {
	data, err := os.ReadFile(path)
	if err != nil {
		if skippable(err) || (errors.Is(err, fs.ErrPermission) && (scope == ScopeSystem || scope == ScopeGlobal)) {
			return nil
		}
		return &ConfigError{File: path, Msg: fmt.Sprintf("cannot read it: %v", unwrapPath(err))}
	}
	return l.readData(path, data, scope)
}

// skippable is a missing file: git's access() check lets ENOENT and
// ENOTDIR through silently.
func skippable(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), "not a directory")
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (l *configLoader) readData(path string, data []byte, scope ConfigScope) error {
	raw, perr := parseConfig(data)
	if perr != nil {
		return &ConfigError{File: path, Line: perr.line, Msg: perr.why}
	}
	for _, r := range raw {
		e := ConfigEntry{Key: r.key, Value: r.value, NoValue: r.noValue, Scope: scope, File: path, Line: r.line}
		if err := l.add(e); err != nil {
			return err
		}
	}
	return nil
}

// add passes an entry on and follows it when it is an include
// (git_config_include: the include line itself is an entry too).
func (l *configLoader) add(e ConfigEntry) error {
	if l.emit != nil {
		if err := l.emit(e); err != nil {
			return err
		}
	} else {
		l.cfg.entries = append(l.cfg.entries, e)
	}
	if e.Key == "include.path" {
		return l.include(e)
	}
	if cond, ok := strings.CutPrefix(e.Key, "includeif."); ok {
		dot := strings.LastIndexByte(cond, '.')
		if dot < 0 || cond[dot+1:] != "path" {
			return nil
		}
		// The condition is evaluated first, as in git, so a false one
		// with no value is not an error.
		yes, err := l.condition(e, cond[:dot])
		if err != nil || !yes {
			return err
		}
		if l.unconditionalURL {
			saved := l.emit
			l.emit = forbidRemoteURL
			defer func() { l.emit = saved }()
		}
		return l.include(e)
	}
	return nil
}

func forbidRemoteURL(e ConfigEntry) error {
	if isRemoteURL(e.Key) {
		return &ConfigError{File: e.File, Line: e.Line,
			Msg: "remote URLs cannot be configured in a file included, directly or not, by includeIf.hasconfig:remote.*.url"}
	}
	return nil
}

func isRemoteURL(key string) bool {
	rest, ok := strings.CutPrefix(key, "remote.")
	if !ok {
		return false
	}
	dot := strings.LastIndexByte(rest, '.')
	return dot >= 0 && rest[dot+1:] == "url"
}

// include reads the file an include entry names (handle_path_include): a
// relative path is relative to the including file; a missing file is
// skipped.
func (l *configLoader) include(e ConfigEntry) error {
	if e.NoValue {
		return &ConfigError{File: e.File, Line: e.Line, Msg: fmt.Sprintf("missing value for %s", e.Key)}
	}
	path, err := interpolatePath(e.Value, l.opts.Env, false)
	if err != nil {
		return &ConfigError{File: e.File, Line: e.Line, Msg: fmt.Sprintf("could not expand include path: %v", err)}
	}
	if !filepath.IsAbs(path) {
		if e.File == "" {
			return &ConfigError{Msg: "relative config includes must come from files"}
		}
		if i := strings.LastIndexByte(e.File, '/'); i >= 0 {
			path = e.File[:i+1] + path
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if skippable(err) {
			return nil
		}
		return &ConfigError{File: e.File, Line: e.Line, Msg: fmt.Sprintf("cannot read included file %q: %v", path, unwrapPath(err))}
	}
	if l.depth >= maxIncludeDepth {
		return &ConfigError{File: e.File, Line: e.Line,
			Msg: fmt.Sprintf("exceeded the maximum include depth (%d) while including %q (circular includes?)", maxIncludeDepth, path)}
	}
	l.depth++
	defer func() { l.depth-- }()
	return l.readData(path, data, e.Scope)
}

// condition evaluates an includeIf condition (include_condition_is_true);
// an unknown one is false, as in git.
func (l *configLoader) condition(e ConfigEntry, cond string) (bool, error) {
	if p, ok := strings.CutPrefix(cond, "gitdir:"); ok {
		return l.byPath(e, l.opts.GitDir, p, false)
	}
	if p, ok := strings.CutPrefix(cond, "gitdir/i:"); ok {
		return l.byPath(e, l.opts.GitDir, p, true)
	}
	if p, ok := strings.CutPrefix(cond, "worktree:"); ok {
		return l.byPath(e, l.opts.WorkTree, p, false)
	}
	if p, ok := strings.CutPrefix(cond, "worktree/i:"); ok {
		return l.byPath(e, l.opts.WorkTree, p, true)
	}
	if p, ok := strings.CutPrefix(cond, "onbranch:"); ok {
		return l.onBranch(p), nil
	}
	if p, ok := strings.CutPrefix(cond, "hasconfig:remote.*.url:"); ok {
		return l.hasRemoteURL(p)
	}
	return false, nil
}

// byPath matches a gitdir:/worktree: pattern (include_by_path and
// prepare_include_condition_pattern): "~/" expands to the real home, "./"
// is the including file's real directory (compared literally, so its
// wildcard characters mean nothing), any other relative pattern gets
// "**/" in front, and a trailing "/" gets "**" after it. The real path is
// tried first, then the absolute one, so a pattern naming a symlinked
// directory still matches.
func (l *configLoader) byPath(e ConfigEntry, path, pat string, icase bool) (bool, error) {
	if path == "" {
		return false, nil
	}
	if x, err := interpolatePath(pat, l.opts.Env, true); err == nil {
		pat = x
	}
	prefix := 0
	if len(pat) >= 2 && pat[0] == '.' && pat[1] == '/' {
		if e.File == "" {
			return false, &ConfigError{Msg: "relative config include conditionals must come from files"}
		}
		file, err := realPath(e.File)
		if err != nil {
			return false, &ConfigError{File: e.File, Line: e.Line, Msg: fmt.Sprintf("resolving the file's real path: %v", err)}
		}
		dir := file[:strings.LastIndexByte(file, '/')]
		pat = dir + pat[1:]
		prefix = len(dir) + 1
	} else if !filepath.IsAbs(pat) {
		pat = "**/" + pat
	}
	if strings.HasSuffix(pat, "/") {
		pat += "**"
	}
	flags := wildmatch.Pathname
	if icase {
		flags |= wildmatch.CaseFold
	}
	var texts []string
	if r, err := realPath(path); err == nil {
		texts = append(texts, r)
	}
	if a, err := filepath.Abs(path); err == nil {
		texts = append(texts, a)
	}
	for _, text := range texts {
		if prefix > 0 {
			if len(text) < prefix {
				continue
			}
			a, b := pat[:prefix], text[:prefix]
			if icase && !strings.EqualFold(a, b) || !icase && a != b {
				continue
			}
		}
		if wildmatch.Match(pat[prefix:], text[prefix:], flags) {
			return true, nil
		}
	}
	return false, nil
}

func realPath(p string) (string, error) {
	a, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(a)
}

// onBranch matches the branch HEAD is on (include_by_branch): not
// detached, a trailing "/" matching everything below it.
func (l *configLoader) onBranch(pat string) bool {
	if !l.headLoaded {
		l.headLoaded = true
		if l.opts.Head != nil {
			l.headRef, l.headOK = l.opts.Head()
		} else if l.opts.GitDir != "" {
			l.headRef, l.headOK = readHeadFile(l.opts.GitDir)
		}
	}
	short, ok := strings.CutPrefix(l.headRef, "refs/heads/")
	if !l.headOK || !ok {
		return false
	}
	if strings.HasSuffix(pat, "/") {
		pat += "**"
	}
	return wildmatch.Match(pat, short, wildmatch.Pathname)
}

// readHeadFile returns the ref a symbolic HEAD file names.
func readHeadFile(gitDir string) (string, bool) {
	data, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return "", false
	}
	ref, ok := strings.CutPrefix(strings.TrimRight(string(data), "\r\n"), "ref: ")
	return strings.TrimSpace(ref), ok
}

// hasRemoteURL matches any remote.*.url of the whole configuration. The
// URLs come from a first pass in which every such condition holds
// (populate_remote_urls).
func (l *configLoader) hasRemoteURL(glob string) (bool, error) {
	if l.unconditionalURL {
		return true, nil
	}
	if !l.urlsLoaded {
		l.urlsLoaded = true
		first := &configLoader{opts: l.opts, cfg: &Config{}, unconditionalURL: true}
		first.emit = func(e ConfigEntry) error {
			first.cfg.entries = append(first.cfg.entries, e) // for the worktree decision
			if isRemoteURL(e.Key) && !e.NoValue {
				l.remoteURLs = append(l.remoteURLs, e.Value)
			}
			return nil
		}
		if err := first.sequence(); err != nil {
			return false, err
		}
	}
	for _, u := range l.remoteURLs {
		if wildmatch.Match(glob, u, wildmatch.Pathname) {
			return true, nil
		}
	}
	return false, nil
}

// interpolatePath expands "~/" and "~user/" as git's interpolate_path
// does; with realHome, $HOME is resolved to its real path.
func interpolatePath(p string, env Env, realHome bool) (string, error) {
	if rest, ok := strings.CutPrefix(p, "%(prefix)/"); ok {
		prefix, ok := gitPrefix(env)
		if !ok {
			return "", errors.New("%(prefix)/ is where git is installed, and no git was found on PATH: use an absolute path")
		}
		return filepath.Join(prefix, rest), nil
	}
	if !strings.HasPrefix(p, "~") {
		return p, nil
	}
	slash := strings.IndexByte(p, '/')
	if slash < 0 {
		slash = len(p)
	}
	name := p[1:slash]
	var home string
	if name == "" {
		h, ok := env.get("HOME")
		if !ok {
			return "", errors.New("HOME is not set")
		}
		home = h
		if realHome {
			if r, err := realPath(h); err == nil {
				home = r
			}
		}
	} else {
		h, ok := passwdHome(name)
		if !ok {
			return "", fmt.Errorf("no home directory for user %q", name)
		}
		home = h
	}
	return home + p[slash:], nil
}

// gitPrefix is git's installation prefix, which "%(prefix)/" paths start
// with (system_path): the directory above the bin/ holding the git found
// on PATH, its symlinks resolved, as a git built with RUNTIME_PREFIX
// computes it and as a packaged git's compiled-in prefix is laid out. The
// file is only looked at, never run.
func gitPrefix(env Env) (string, bool) {
	path, _ := env.get("PATH")
	for dir := range strings.SplitSeq(path, string(os.PathListSeparator)) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		exe, err := filepath.EvalSymlinks(filepath.Join(dir, "git"))
		if err != nil {
			continue
		}
		if fi, err := os.Stat(exe); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			continue
		}
		bin := filepath.Dir(exe)
		switch {
		case filepath.Base(bin) == "bin":
			return filepath.Dir(bin), true
		case filepath.Base(bin) == "git-core" && filepath.Base(filepath.Dir(bin)) == "libexec":
			return filepath.Dir(filepath.Dir(bin)), true
		}
		return "", false
	}
	return "", false
}

// passwdHome returns a user's home directory from /etc/passwd. os/user
// would do it through libc with cgo, which makes the binary dynamically
// linked: that cost every run about 0.7 ms of start-up, a pre-commit
// hook's budget, for a "~user/" path almost nobody writes.
func passwdHome(name string) (string, bool) {
	data, err := os.ReadFile("/etc/passwd")
	if err != nil {
		return "", false
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		f := strings.Split(line, ":")
		if len(f) >= 7 && f[0] == name && f[5] != "" {
			return f[5], true
		}
	}
	return "", false
}

// commandLine reads GIT_CONFIG_COUNT/_KEY_n/_VALUE_n, then
// GIT_CONFIG_PARAMETERS (git_config_from_parameters).
func (l *configLoader) commandLine() error {
	if v, ok := l.env("GIT_CONFIG_COUNT"); ok {
		if v == "" {
			v = "0" // strtoul reads nothing, and git takes that as 0
		}
		n, err := strconv.ParseUint(v, 10, 31)
		if err != nil {
			return &ConfigError{Msg: "bogus count in GIT_CONFIG_COUNT"}
		}
		for i := range n {
			kn := "GIT_CONFIG_KEY_" + strconv.FormatUint(i, 10)
			key, ok := l.env(kn)
			if !ok {
				return &ConfigError{Msg: "missing config key " + kn}
			}
			vn := "GIT_CONFIG_VALUE_" + strconv.FormatUint(i, 10)
			value, ok := l.env(vn)
			if !ok {
				return &ConfigError{Msg: "missing config value " + vn}
			}
			if err := l.pair(key, value, false); err != nil {
				return err
			}
		}
	}
	if v, ok := l.env("GIT_CONFIG_PARAMETERS"); ok {
		return l.parameters(v)
	}
	return nil
}

func (l *configLoader) pair(key, value string, noValue bool) error {
	if key == "" {
		return &ConfigError{Msg: "empty config key"}
	}
	k, err := canonicalKey(key)
	if err != nil {
		return &ConfigError{Msg: err.Error()}
	}
	return l.add(ConfigEntry{Key: k, Value: value, NoValue: noValue, Scope: ScopeCommand})
}

// parameters reads GIT_CONFIG_PARAMETERS (parse_config_env_list): a
// space-separated list of 'key=value' (old) or 'key'='value' and 'key'=
// (new), in shell single quotes.
func (l *configLoader) parameters(s string) error {
	bogus := &ConfigError{Msg: "bogus format in GIT_CONFIG_PARAMETERS"}
	for s != "" {
		key, rest, ok := sqDequote(s)
		if !ok {
			return bogus
		}
		switch {
		case rest == "" || isSpace(int(rest[0])):
			k, v, hasValue := strings.Cut(key, "=")
			if k == "" {
				return &ConfigError{Msg: "bogus config parameter in GIT_CONFIG_PARAMETERS"}
			}
			if err := l.pair(k, v, !hasValue); err != nil {
				return err
			}
		case rest[0] == '=':
			rest = rest[1:]
			switch {
			case rest != "" && rest[0] == '\'':
				var v string
				if v, rest, ok = sqDequote(rest); !ok || (rest != "" && !isSpace(int(rest[0]))) {
					return bogus
				}
				if err := l.pair(key, v, false); err != nil {
					return err
				}
			case rest == "" || isSpace(int(rest[0])):
				if err := l.pair(key, "", true); err != nil {
					return err
				}
			default:
				return bogus
			}
		default:
			return bogus
		}
		s = strings.TrimLeft(rest, " \t\n\r")
	}
	return nil
}

// sqDequote reads one shell-single-quoted word at the start of s
// (sq_dequote_step): a backslash and a quote or bang between two quoted
// parts stands for that character. It returns the word and what follows it.
func sqDequote(s string) (string, string, bool) {
	if s == "" || s[0] != '\'' {
		return "", "", false
	}
	var b strings.Builder
	i := 1
	for {
		if i >= len(s) {
			return "", "", false
		}
		c := s[i]
		i++
		if c != '\'' {
			b.WriteByte(c)
			continue
		}
		if i >= len(s) {
			return b.String(), "", true
		}
		if s[i] == '\\' && i+2 < len(s) && (s[i+1] == '\'' || s[i+1] == '!') && s[i+2] == '\'' {
			b.WriteByte(s[i+1])
			i += 3
			continue
		}
		return b.String(), s[i:], true
	}
}
