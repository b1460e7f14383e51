package git

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// configWorld is an isolated configuration: its own HOME, system file and
// environment, so that neither git nor the loader sees the machine's.
type configWorld struct {
	t    *testing.T
	root string
	home string
	env  map[string]string
}

func newConfigWorld(t *testing.T) *configWorld {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := &configWorld{t: t, root: root, home: filepath.Join(root, "home")}
	if err := os.MkdirAll(w.home, 0o755); err != nil {
		t.Fatal(err)
	}
	w.env = map[string]string{
		"HOME":              w.home,
		"GIT_CONFIG_SYSTEM": filepath.Join(root, "system.gitconfig"),
	}
	return w
}

func (w *configWorld) write(rel, content string) string {
	w.t.Helper()
	p := rel
	if !filepath.IsAbs(p) {
		p = filepath.Join(w.root, rel)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *configWorld) append(rel, content string) {
	w.t.Helper()
	f, err := os.OpenFile(filepath.Join(w.root, rel), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		w.t.Fatal(err)
	}
}

// gitEnv is the environment git runs with: the world's, and nothing of
// the process's but PATH.
func (w *configWorld) gitEnv() []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "LC_ALL=C",
		"GIT_CEILING_DIRECTORIES=" + filepath.Dir(w.root)}
	for k, v := range w.env {
		env = append(env, k+"="+v)
	}
	return env
}

func (w *configWorld) lookup(name string) (string, bool) {
	v, ok := w.env[name]
	return v, ok
}

// git runs git in dir (relative to the root) and returns its output.
func (w *configWorld) git(dir string, args ...string) string {
	w.t.Helper()
	out, err := w.tryGit(dir, args...)
	if err != nil {
		w.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return out
}

func (w *configWorld) tryGit(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = filepath.Join(w.root, dir)
	cmd.Env = w.gitEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return stderr.String(), err
	}
	return string(out), nil
}

// initRepo makes a repository with one commit at rel.
func (w *configWorld) initRepo(rel string, args ...string) string {
	w.t.Helper()
	w.git("", append([]string{"init", "-q", "-b", "main"}, append(args, rel)...)...)
	return filepath.Join(w.root, rel)
}

// gitEntries is "git config --list --show-scope --show-origin" run in dir.
func (w *configWorld) gitEntries(dir string) ([]ConfigEntry, error) {
	out, err := w.tryGit(dir, "config", "--list", "--show-scope", "--show-origin", "-z")
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, out)
	}
	fields := strings.Split(out, "\x00")
	var es []ConfigEntry
	for i := 0; i+2 < len(fields); i += 3 {
		e := ConfigEntry{}
		switch fields[i] {
		case "system":
			e.Scope = ScopeSystem
		case "global":
			e.Scope = ScopeGlobal
		case "local":
			e.Scope = ScopeLocal
		case "worktree":
			e.Scope = ScopeWorktree
		case "command":
			e.Scope = ScopeCommand
		default:
			return nil, fmt.Errorf("unknown scope %q", fields[i])
		}
		if f, ok := strings.CutPrefix(fields[i+1], "file:"); ok {
			if !filepath.IsAbs(f) {
				f = filepath.Join(w.root, dir, f)
			}
			e.File = filepath.Clean(f)
		}
		k, v, hasValue := strings.Cut(fields[i+2], "\n")
		e.Key, e.Value, e.NoValue = k, v, !hasValue
		es = append(es, e)
	}
	return es, nil
}

// check compares the loader with git run in dir.
func (w *configWorld) check(dir string, o ConfigOptions) *Config {
	w.t.Helper()
	o.Env = w.lookup
	want, err := w.gitEntries(dir)
	if err != nil {
		w.t.Fatalf("git config --list: %v", err)
	}
	cfg, err := LoadConfig(o)
	if err != nil {
		w.t.Fatalf("LoadConfig: %v", err)
	}
	got := cfg.Entries()
	show := func(es []ConfigEntry) string {
		var b strings.Builder
		for _, e := range es {
			fmt.Fprintf(&b, "  %s %s %q=%q novalue=%v\n", e.Scope, strings.TrimPrefix(e.File, w.root), e.Key, e.Value, e.NoValue)
		}
		return b.String()
	}
	norm := make([]ConfigEntry, len(got))
	for i, e := range got {
		e.Line = 0
		if e.File != "" {
			e.File = filepath.Clean(e.File)
		}
		norm[i] = e
	}
	if show(norm) != show(want) {
		w.t.Errorf("entries differ from git's\n got:\n%s want:\n%s", show(norm), show(want))
	}
	return cfg
}

// repoOptions are the options for the repository whose work tree is dir.
func repoOptions(dir string) ConfigOptions {
	return ConfigOptions{GitDir: filepath.Join(dir, ".git"), WorkTree: dir}
}

func TestConfigSyntax(t *testing.T) {
	w := newConfigWorld(t)
	w.env["GIT_CONFIG_NOSYSTEM"] = "1"
	repo := w.initRepo("repo")
	w.append("repo/.git/config", `
# comment
; another
[Section "Sub Section"]  # trailing comment
	Key = value with  two  spaces   ; comment
	quoted = "  kept ; # spaces  "  outside
	escapes = tab\there\nnewline \\ back \" quote
	cont = first \
second
	empty =
	bare
	Multi = one
	multi = two
[section "sub\"quote\\slash"]
	k = v
[Old.Style]
	x=1
[dots.in.name]
	y = 2
[core]
	ignorecase = yes
[a-b "UPPER"]
	c-d1 = "#not a comment"
`+"[crlf]\r\n\tk = v\r\n\tl = \"a b\"\r\n")
	w.write("home/.gitconfig", "\xef\xbb\xbf[user]\nname = T\n[section \"Sub Section\"]\nmulti = global\n")
	cfg := w.check("repo", repoOptions(repo))

	if v, ok := cfg.Get("section.Sub Section.MULTI"); !ok || v != "two" {
		t.Errorf("Get(multi) = %q, %v; want the last value", v, ok)
	}
	all := cfg.GetAll("Section.Sub Section.multi")
	if len(all) != 3 || all[0].Scope != ScopeGlobal || all[2].Value != "two" {
		t.Errorf("GetAll(multi) = %+v", all)
	}
	if _, ok := cfg.Get("section.sub section.multi"); ok {
		t.Error("the subsection matched with its case changed")
	}
	if b, err := cfg.Bool("core.ignoreCase", false); err != nil || !b {
		t.Errorf("Bool(core.ignorecase) = %v, %v", b, err)
	}
	if b, err := cfg.Bool("section.sub section.bare", false); err != nil || b {
		t.Errorf("Bool(unset) = %v, %v", b, err)
	}
	if b, err := cfg.Bool("Section.Sub Section.bare", false); err != nil || !b {
		t.Errorf("Bool(no value) = %v, %v; want true", b, err)
	}
	if b, err := cfg.Bool("Section.Sub Section.empty", true); err != nil || b {
		t.Errorf("Bool(empty) = %v, %v; want false", b, err)
	}
	if _, err := cfg.Bool("Section.Sub Section.key", false); err == nil || !strings.Contains(err.Error(), "line 10") {
		t.Errorf("Bool(not a boolean) = %v; want an error naming line 10", err)
	}
	e, _ := cfg.Entry("section.Sub Section.cont")
	if e.Line != 14 || e.File != filepath.Join(repo, ".git", "config") {
		t.Errorf("cont is at %s:%d, want config:14 (the continuation's line, as git counts)", e.File, e.Line)
	}
	// Each --get agrees, too.
	for _, key := range []string{"section.Sub Section.key", "section.sub\"quote\\slash.k", "old.style.x", "crlf.l"} {
		want := strings.TrimSuffix(w.git("repo", "config", "--get", key), "\n")
		if got, _ := cfg.Get(key); got != want {
			t.Errorf("Get(%q) = %q, git says %q", key, got, want)
		}
	}
}

func TestConfigErrorsNameGitsLine(t *testing.T) {
	cases := []string{
		"[core]\n\tbare = false\n!bad\n",
		"[core\n",
		"[core \"sub]\n",
		"[core \"sub\" ]\n",
		"[co re]\n",
		"[]\n",
		"[core]\nx = \"unterminated\n",
		"[core]\nx = bad \\q escape\n",
		"[core]\n1x = y\n",
		"[core]\nx y\n",
		"[core]\nx = \"a\\\nb\n\n",
		"\xef\xbbx\n",
		"[a]\nb = c\n[d \"e\\\n\"]\n",
	}
	for i, content := range cases {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			w := newConfigWorld(t)
			w.env["GIT_CONFIG_NOSYSTEM"] = "1"
			w.write("home/.gitconfig", content)
			out, err := w.tryGit("", "config", "--list")
			if err == nil {
				t.Fatalf("git accepted %q", content)
			}
			m := regexp.MustCompile(`bad config line (\d+) in file (.*)`).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("git said %q", out)
			}
			_, lerr := LoadConfig(ConfigOptions{Env: w.lookup})
			var ce *ConfigError
			if !errors.As(lerr, &ce) {
				t.Fatalf("LoadConfig(%q) = %v, want a ConfigError", content, lerr)
			}
			if strconv.Itoa(ce.Line) != m[1] || ce.File != m[2] {
				t.Errorf("error names %s line %d, git names %s line %s", ce.File, ce.Line, m[2], m[1])
			}
			if !strings.Contains(lerr.Error(), ce.File) {
				t.Errorf("message %q does not name the file", lerr)
			}
		})
	}
}

func TestConfigLayersAndEnvironment(t *testing.T) {
	w := newConfigWorld(t)
	repo := w.initRepo("repo")
	w.write("system.gitconfig", "[layer]\n\tname = system\n\tsystem = 1\n")
	w.write("home/.config/git/config", "[layer]\n\tname = xdg\n")
	w.write("home/.gitconfig", "[layer]\n\tname = home\n")
	w.append("repo/.git/config", "[layer]\n\tname = local\n")
	w.env["GIT_CONFIG_COUNT"] = "2"
	w.env["GIT_CONFIG_KEY_0"] = "Layer.Name"
	w.env["GIT_CONFIG_VALUE_0"] = "count"
	w.env["GIT_CONFIG_KEY_1"] = "layer.Sub.flag"
	w.env["GIT_CONFIG_VALUE_1"] = ""
	w.env["GIT_CONFIG_PARAMETERS"] = `'layer.name'='params' 'layer.old=style' 'layer.implicit' 'layer.new'= 'layer.q'='it'\''s'`
	cfg := w.check("repo", repoOptions(repo))
	if v, _ := cfg.Get("layer.name"); v != "params" {
		t.Errorf("layer.name = %q, want the command line's", v)
	}

	// XDG_CONFIG_HOME moves the XDG file; GIT_CONFIG_GLOBAL replaces both.
	w.env["XDG_CONFIG_HOME"] = filepath.Join(w.root, "xdg")
	w.write("xdg/git/config", "[layer]\n\tname = xdg2\n")
	w.check("repo", repoOptions(repo))
	w.env["GIT_CONFIG_GLOBAL"] = w.write("global", "[layer]\n\tname = global-env\n")
	w.check("repo", repoOptions(repo))
	w.env["GIT_CONFIG_GLOBAL"] = "" // no global file at all
	w.env["GIT_CONFIG_NOSYSTEM"] = "true"
	w.check("repo", repoOptions(repo))
	delete(w.env, "GIT_CONFIG_PARAMETERS")
	w.env["GIT_CONFIG_COUNT"] = ""
	w.check("repo", repoOptions(repo))

	// Outside a repository: system, global and command line only.
	w.env["GIT_CONFIG_NOSYSTEM"] = "0"
	delete(w.env, "GIT_CONFIG_GLOBAL")
	if err := os.MkdirAll(filepath.Join(w.root, "norepo"), 0o755); err != nil {
		t.Fatal(err)
	}
	w.env["GIT_CEILING_DIRECTORIES"] = w.root
	w.check("norepo", ConfigOptions{})
}

func TestConfigCommandLineErrors(t *testing.T) {
	for _, env := range []map[string]string{
		{"GIT_CONFIG_COUNT": "x"},
		{"GIT_CONFIG_COUNT": "1"},
		{"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "a.b"},
		{"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "nodot", "GIT_CONFIG_VALUE_0": "v"},
		{"GIT_CONFIG_PARAMETERS": "'a.b'x"},
		{"GIT_CONFIG_PARAMETERS": "a.b=c"},
		{"GIT_CONFIG_PARAMETERS": "'a.1b=c'"},
		{"GIT_CONFIG_PARAMETERS": "'a.b'='c'd"},
		{"GIT_CONFIG_PARAMETERS": "'include.path'='relative'"},
	} {
		w := newConfigWorld(t)
		w.env["GIT_CONFIG_NOSYSTEM"] = "1"
		for k, v := range env {
			w.env[k] = v
		}
		if out, err := w.tryGit("", "config", "--list"); err == nil {
			t.Errorf("%v: git accepted it:\n%s", env, out)
		}
		_, err := LoadConfig(ConfigOptions{Env: w.lookup})
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("%v: LoadConfig = %v, want a ConfigError", env, err)
		}
	}
}

func TestConfigIncludes(t *testing.T) {
	w := newConfigWorld(t)
	w.env["GIT_CONFIG_NOSYSTEM"] = "1"
	repo := w.initRepo("work/repo")
	w.write("home/.gitconfig", `[include]
	path = inc/first
	path = missing-file
	path = ~/inc/tilde
[includeIf "gitdir:~/never/"]
	path = inc/never
[inc]
	after = home
`)
	w.write("home/inc/first", "[inc]\n\tfirst = 1\n[include]\n\tpath = ../nested/second\n")
	w.write("home/nested/second", "[inc]\n\tsecond = 2\n[include]\n\tpath = "+filepath.Join(w.root, "abs")+"\n")
	w.write("abs", "[inc]\n\tabs = 3\n")
	w.write("home/inc/tilde", "[inc]\n\ttilde = 4\n")
	w.write("home/inc/never", "[inc]\n\tnever = 5\n")
	w.append("work/repo/.git/config", "[include]\n\tpath = local-inc\n")
	w.write("work/repo/.git/local-inc", "[inc]\n\tlocal = 6\n")
	w.env["GIT_CONFIG_PARAMETERS"] = "'include.path'='" + filepath.Join(w.root, "cmd-inc") + "'"
	w.write("cmd-inc", "[inc]\n\tcmd = 7\n")
	cfg := w.check("work/repo", repoOptions(repo))
	if _, ok := cfg.Get("inc.never"); ok {
		t.Error("a false includeIf was followed")
	}
	e, _ := cfg.Entry("inc.second")
	if e.Scope != ScopeGlobal || !strings.HasSuffix(e.File, "home/inc/../nested/second") || e.Line != 2 {
		t.Errorf("inc.second origin = %s %s:%d", e.Scope, e.File, e.Line)
	}
}

func TestConfigIncludeDepth(t *testing.T) {
	w := newConfigWorld(t)
	w.env["GIT_CONFIG_NOSYSTEM"] = "1"
	w.write("home/.gitconfig", "[include]\n\tpath = .gitconfig\n")
	if _, err := w.tryGit("", "config", "--list"); err == nil {
		t.Fatal("git accepted a circular include")
	}
	_, err := LoadConfig(ConfigOptions{Env: w.lookup})
	if err == nil || !strings.Contains(err.Error(), "include depth") {
		t.Fatalf("LoadConfig = %v, want an include depth error", err)
	}
	// Ten levels are allowed.
	w.write("home/.gitconfig", "[include]\n\tpath = l1\n")
	for i := 1; i <= 10; i++ {
		next := ""
		if i < 10 {
			next = fmt.Sprintf("[include]\n\tpath = l%d\n", i+1)
		}
		w.write(fmt.Sprintf("home/l%d", i), fmt.Sprintf("[depth]\n\tl%d = %d\n%s", i, i, next))
	}
	w.check("", ConfigOptions{})
}

func TestConfigIncludeIfGitdir(t *testing.T) {
	w := newConfigWorld(t)
	w.env["GIT_CONFIG_NOSYSTEM"] = "1"
	repo := w.initRepo("home/work/Proj/repo")
	if err := os.Symlink(filepath.Join(w.root, "home", "work"), filepath.Join(w.root, "link")); err != nil {
		t.Fatal(err)
	}
	w.write("home/.gitconfig", fmt.Sprintf(`[includeIf "gitdir:~/work/"]
	path = c/tilde-dir
[includeIf "gitdir:~/work"]
	path = c/tilde-nodir
[includeIf "gitdir:work/Proj/"]
	path = c/relative
[includeIf "gitdir:Proj/repo/.git"]
	path = c/relative-exact
[includeIf "gitdir:**/repo/"]
	path = c/starstar
[includeIf "gitdir:~/work/proj/"]
	path = c/case
[includeIf "gitdir/i:~/WORK/proj/"]
	path = c/icase
[includeIf "gitdir:./work/"]
	path = c/dot
[includeIf "gitdir:./wor*/"]
	path = c/dot-glob
[includeIf "gitdir:%s/"]
	path = c/symlink
[includeIf "gitdir:~/work/*/repo/.git"]
	path = c/star
[includeIf "gitdir:~/work/*/"]
	path = c/star-dir
[includeIf "gitdir:/work/"]
	path = c/absolute-miss
[includeIf "unknown:x"]
	path = c/unknown
[includeIf "gitdir:~/work/"]
	nopath = c/not-a-path
`, filepath.Join(w.root, "link")))
	for _, n := range []string{"tilde-dir", "tilde-nodir", "relative", "relative-exact", "starstar", "case", "icase", "dot", "dot-glob",
		"symlink", "star", "star-dir", "absolute-miss", "unknown", "not-a-path"} {
		w.write("home/c/"+n, "[cond]\n\t"+n+" = yes\n")
	}
	cfg := w.check("home/work/Proj/repo", repoOptions(repo))
	for _, n := range []string{"tilde-dir", "relative", "relative-exact", "starstar", "icase", "dot", "star", "star-dir"} {
		if _, ok := cfg.Get("cond." + n); !ok {
			t.Errorf("includeIf %s did not hold", n)
		}
	}

	// A git directory named through the symlink matches the pattern
	// naming the link, as git's second (absolute path) try does.
	w.env["GIT_DIR"] = filepath.Join(w.root, "link", "Proj", "repo", ".git")
	cfg = w.check("", ConfigOptions{GitDir: w.env["GIT_DIR"]})
	if _, ok := cfg.Get("cond.symlink"); !ok {
		t.Error("gitdir: through a symlink did not hold")
	}
}

func TestConfigIncludeIfOnbranch(t *testing.T) {
	w := newConfigWorld(t)
	w.env["GIT_CONFIG_NOSYSTEM"] = "1"
	repo := w.initRepo("repo")
	w.append("repo/.git/config", `[includeIf "onbranch:main"]
	path = main
[includeIf "onbranch:feature/"]
	path = feature
[includeIf "onbranch:fe*"]
	path = fe-star
[includeIf "onbranch:**/x"]
	path = starstar
`)
	for _, n := range []string{"main", "feature", "fe-star", "starstar"} {
		w.write("repo/.git/"+n, "[branch]\n\t"+strings.ReplaceAll(n, "-", "")+" = yes\n")
	}
	w.check("repo", repoOptions(repo)) // unborn main
	w.git("repo", "commit", "-q", "--allow-empty", "-m", "x")
	for _, br := range []string{"feature/a/x", "fe", "other"} {
		w.git("repo", "checkout", "-q", "-b", br)
		w.check("repo", repoOptions(repo))
	}
	w.git("repo", "checkout", "-q", "--detach")
	cfg := w.check("repo", repoOptions(repo))
	if len(cfg.GetAll("include.path")) != 0 {
		t.Error("include.path appeared")
	}
}

func TestConfigIncludeIfHasconfig(t *testing.T) {
	w := newConfigWorld(t)
	w.env["GIT_CONFIG_NOSYSTEM"] = "1"
	repo := w.initRepo("repo")
	w.write("home/.gitconfig", `[includeIf "hasconfig:remote.*.url:https://example.com/**"]
	path = example
[includeIf "hasconfig:remote.*.url:https://other.com/**"]
	path = other
`)
	w.write("home/example", "[user]\n\temail = me@example.com\n")
	w.write("home/other", "[user]\n\temail = me@other.com\n")
	w.append("repo/.git/config", "[remote \"origin\"]\n\turl = https://example.com/org/repo.git\n")
	cfg := w.check("repo", repoOptions(repo))
	if v, _ := cfg.Get("user.email"); v != "me@example.com" {
		t.Errorf("user.email = %q", v)
	}
	// A file it includes may not set a remote URL.
	w.write("home/example", "[remote \"x\"]\n\turl = https://example.com/y\n")
	if _, err := w.tryGit("repo", "config", "--list"); err == nil {
		t.Fatal("git accepted a remote URL in a hasconfig include")
	}
	if _, err := LoadConfig(ConfigOptions{GitDir: filepath.Join(repo, ".git"), Env: w.lookup}); err == nil {
		t.Error("LoadConfig accepted a remote URL in a hasconfig include")
	}
}

func TestConfigWorktree(t *testing.T) {
	w := newConfigWorld(t)
	w.env["GIT_CONFIG_NOSYSTEM"] = "1"
	repo := w.initRepo("repo")
	w.git("repo", "commit", "-q", "--allow-empty", "-m", "x")
	w.git("repo", "worktree", "add", "-q", "../wt")
	w.write("repo/.git/worktrees/wt/config.worktree", "[wt]\n\tonly = linked\n")
	w.write("repo/.git/config.worktree", "[wt]\n\tonly = main\n")
	w.append("repo/.git/config", "[includeIf \"gitdir:**/worktrees/wt\"]\n\tpath = wt-inc\n")
	w.write("repo/.git/wt-inc", "[wt]\n\tinc = yes\n")
	linked := ConfigOptions{GitDir: filepath.Join(repo, ".git", "worktrees", "wt"), CommonDir: filepath.Join(repo, ".git"), WorkTree: filepath.Join(w.root, "wt")}
	// Without extensions.worktreeConfig, config.worktree is not read.
	if cfg := w.check("wt", linked); cfg.WorktreeConfig {
		t.Error("WorktreeConfig set")
	}
	w.git("repo", "config", "extensions.worktreeConfig", "true")
	w.check("wt", linked)
	w.check("repo", repoOptions(repo))
	// Set only in an included file, it does not count (git reads the
	// repository format from the config file alone).
	w.git("repo", "config", "--unset", "extensions.worktreeConfig")
	w.write("repo/.git/wt-inc", "[extensions]\n\tworktreeConfig = true\n")
	w.check("wt", linked)
}

func TestConfigPath(t *testing.T) {
	w := newConfigWorld(t)
	w.env["GIT_CONFIG_NOSYSTEM"] = "1"
	w.write("home/.gitconfig", "[core]\n\thooksPath = ~/hooks\n\texcludesFile = rel/x\n\tnovalue\n[x]\n\tp = %(prefix)/etc\n")
	cfg, err := LoadConfig(ConfigOptions{Env: w.lookup})
	if err != nil {
		t.Fatal(err)
	}
	if p, ok, err := cfg.Path("core.hookspath", w.lookup); err != nil || !ok || p != filepath.Join(w.home, "hooks") {
		t.Errorf("Path(core.hooksPath) = %q, %v, %v", p, ok, err)
	}
	if p, ok, err := cfg.Path("core.excludesfile", w.lookup); err != nil || !ok || p != "rel/x" {
		t.Errorf("Path(core.excludesFile) = %q, %v, %v", p, ok, err)
	}
	if _, ok, err := cfg.Path("core.novalue", w.lookup); err == nil || !ok {
		t.Errorf("Path(no value) = %v, %v; want an error", ok, err)
	}
	// %(prefix)/ is git's installation prefix: above the bin/ of the git
	// on PATH (looked at, not run).
	w.env["PATH"] = ""
	if _, _, err := cfg.Path("x.p", w.lookup); err == nil || !strings.Contains(err.Error(), "line 6") {
		t.Errorf("Path(%%(prefix)) without git = %v; want an error naming the line", err)
	}
	bin := filepath.Join(w.root, "inst", "bin")
	w.write("inst/bin/git", "#!/bin/sh\nexit 1\n")
	if err := os.Chmod(filepath.Join(bin, "git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(bin, "git"), filepath.Join(w.root, "git")); err != nil {
		t.Fatal(err)
	}
	w.env["PATH"] = "relative:" + w.root
	if p, _, err := cfg.Path("x.p", w.lookup); err != nil || p != filepath.Join(w.root, "inst", "etc") {
		t.Errorf("Path(%%(prefix)/etc) = %q, %v; want %s", p, err, filepath.Join(w.root, "inst", "etc"))
	}
	// And the real git agrees on its own prefix.
	w.env["PATH"] = os.Getenv("PATH")
	if want, err := w.tryGit("", "config", "--type=path", "--get", "x.p"); err == nil {
		if p, _, err := cfg.Path("x.p", w.lookup); err != nil || p != strings.TrimSpace(want) {
			t.Errorf("Path(%%(prefix)/etc) = %q, %v; git says %q", p, err, want)
		}
	}
	delete(w.env, "PATH")
	if _, ok, _ := cfg.Path("core.unset", w.lookup); ok {
		t.Error("Path(unset) is set")
	}
	// ~user/ is that user's home, as git's getpwnam gives it.
	w.write("home/.gitconfig", "[x]\n\tuser = ~root/sub\n")
	if cfg, err = LoadConfig(ConfigOptions{Env: w.lookup}); err != nil {
		t.Fatal(err)
	}
	want, err := w.tryGit("", "config", "--type=path", "--get", "x.user")
	if err != nil {
		t.Skipf("git cannot expand ~root: %s", want)
	}
	if p, _, err := cfg.Path("x.user", w.lookup); err != nil || p != strings.TrimSpace(want) {
		t.Errorf("Path(~root/sub) = %q, %v; git says %q", p, err, want)
	}
}

func TestReadConfigFile(t *testing.T) {
	w := newConfigWorld(t)
	p := w.write("cfg", "[core]\n\trepositoryFormatVersion = 1\n[include]\n\tpath = other\n[extensions]\n\tobjectFormat = sha256\n")
	w.write("other", "[x]\n\ty = 1\n")
	es, err := ReadConfigFile(p, ScopeLocal)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range es {
		keys = append(keys, e.Key+"="+e.Value)
	}
	if got := strings.Join(keys, " "); got != "core.repositoryformatversion=1 include.path=other extensions.objectformat=sha256" {
		t.Errorf("entries = %s (includes must not be followed)", got)
	}
	if es, err := ReadConfigFile(filepath.Join(w.root, "missing"), ScopeLocal); err != nil || es != nil {
		t.Errorf("missing file: %v, %v", es, err)
	}
	w.write("bad", "[core\n")
	if _, err := ReadConfigFile(filepath.Join(w.root, "bad"), ScopeLocal); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad file: %v", err)
	}
}
