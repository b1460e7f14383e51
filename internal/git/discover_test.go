package git

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gitLocation is where git rev-parse says the repository is, run in dir
// (relative to the world's root) with the world's environment.
func (w *configWorld) gitLocation(dir string) (Location, bool) {
	w.t.Helper()
	gitDir, err := w.tryGit(dir, "rev-parse", "--absolute-git-dir")
	if err != nil {
		return Location{}, false
	}
	loc := Location{GitDir: strings.TrimSpace(gitDir)}
	abs := func(p string) string {
		p = strings.TrimSpace(p)
		if !filepath.IsAbs(p) {
			p = filepath.Join(w.root, dir, p)
		}
		return realOrClean(p)
	}
	loc.CommonDir = abs(w.git(dir, "rev-parse", "--git-common-dir"))
	loc.IndexFile = abs(w.git(dir, "rev-parse", "--git-path", "index"))
	if bare := strings.TrimSpace(w.git(dir, "rev-parse", "--is-bare-repository")); bare == "false" {
		if top, err := w.tryGit(dir, "rev-parse", "--show-toplevel"); err == nil && strings.TrimSpace(top) != "" {
			loc.Root = abs(top)
		}
	}
	loc.GitDir = realOrClean(loc.GitDir)
	return loc, true
}

// checkDiscover compares Discover for dir with git run there. The
// process's working directory is dir too, since git resolves relative
// environment paths, and takes the work tree of GIT_DIR alone, from it.
func (w *configWorld) checkDiscover(name, dir string) {
	w.t.Run(name, func(t *testing.T) {
		full := filepath.Join(w.root, dir)
		t.Chdir(full)
		want, ok := w.gitLocation(dir)
		got, err := Discover(full, w.lookup)
		if !ok {
			if err == nil {
				t.Fatalf("git finds no repository; Discover found %+v", got)
			}
			return
		}
		if err != nil {
			t.Fatalf("Discover: %v (git: %+v)", err, want)
		}
		norm := func(p string) string {
			if p == "" {
				return ""
			}
			return strings.TrimPrefix(realOrClean(p), w.root)
		}
		g := [4]string{norm(got.Root), norm(got.GitDir), norm(got.CommonDir), norm(got.IndexFile)}
		x := [4]string{norm(want.Root), norm(want.GitDir), norm(want.CommonDir), norm(want.IndexFile)}
		if g != x {
			t.Errorf("root, git dir, common dir, index:\n got %q\nwant %q", g, x)
		}
	})
}

func TestDiscover(t *testing.T) {
	w := newConfigWorld(t)
	w.env["GIT_CONFIG_NOSYSTEM"] = "1"
	w.env["GIT_CEILING_DIRECTORIES"] = w.root
	w.initRepo("repo")
	w.write("repo/sub/deep/f.txt", "f\n")
	w.git("repo", "add", ".")
	w.git("repo", "commit", "-q", "-m", "x")
	w.git("repo", "worktree", "add", "-q", "../linked")
	w.git("", "clone", "-q", "--bare", "repo", "bare.git")
	if err := os.MkdirAll(filepath.Join(w.root, "plain", "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A .git file with a relative path, as submodules have.
	w.git("", "init", "-q", "--separate-git-dir", "sep.git", "gitfile")
	if err := os.Symlink(filepath.Join(w.root, "repo"), filepath.Join(w.root, "link")); err != nil {
		t.Fatal(err)
	}

	w.checkDiscover("root", "repo")
	w.checkDiscover("subdir", "repo/sub/deep")
	w.checkDiscover("inside .git", "repo/.git/refs")
	w.checkDiscover("linked worktree", "linked")
	w.checkDiscover("linked worktree subdir", "linked/sub")
	w.checkDiscover("bare", "bare.git")
	w.checkDiscover("inside bare", "bare.git/refs/heads")
	w.checkDiscover("gitdir file", "gitfile")
	w.checkDiscover("through a symlink", "link/sub")
	w.checkDiscover("not a repository", "plain/dir")

	t.Run("env", func(t *testing.T) {
		set := func(kv ...string) func() {
			for i := 0; i < len(kv); i += 2 {
				w.env[kv[i]] = kv[i+1]
			}
			return func() {
				for i := 0; i < len(kv); i += 2 {
					delete(w.env, kv[i])
				}
			}
		}
		repoGit := filepath.Join(w.root, "repo", ".git")
		undo := set("GIT_DIR", repoGit)
		w.checkDiscover("GIT_DIR from elsewhere (cwd is the work tree)", "plain")
		w.checkDiscover("GIT_DIR in a subdir", "repo/sub")
		undo()
		undo = set("GIT_DIR", "../repo/.git")
		w.checkDiscover("relative GIT_DIR", "plain")
		undo()
		undo = set("GIT_DIR", repoGit, "GIT_WORK_TREE", filepath.Join(w.root, "repo"))
		w.checkDiscover("GIT_DIR and GIT_WORK_TREE", "repo/sub/deep")
		undo()
		undo = set("GIT_WORK_TREE", filepath.Join(w.root, "plain"))
		w.checkDiscover("GIT_WORK_TREE alone", "repo/sub")
		undo()
		undo = set("GIT_DIR", filepath.Join(w.root, "linked", ".git"))
		w.checkDiscover("GIT_DIR naming a .git file", "plain")
		undo()
		undo = set("GIT_DIR", filepath.Join(w.root, "plain"))
		w.checkDiscover("GIT_DIR not a repository", "repo")
		// An error of its own: a scan must not go on as outside a
		// repository, as it does for ErrNotRepository.
		if _, err := Discover(filepath.Join(w.root, "repo"), w.lookup); err == nil || errors.Is(err, ErrNotRepository) {
			t.Errorf("bad GIT_DIR: %v", err)
		}
		undo()
		undo = set("GIT_INDEX_FILE", filepath.Join(w.root, "other-index"))
		w.checkDiscover("GIT_INDEX_FILE", "repo/sub")
		undo()
		undo = set("GIT_INDEX_FILE", "rel-index")
		w.checkDiscover("relative GIT_INDEX_FILE", "repo")
		w.checkDiscover("relative GIT_INDEX_FILE in a subdir", "repo/sub/deep")
		w.checkDiscover("relative GIT_INDEX_FILE in a linked worktree", "linked/sub")
		undo()
		undo = set("GIT_DIR", filepath.Join(repoGit, "worktrees", "linked"), "GIT_COMMON_DIR", repoGit)
		w.checkDiscover("GIT_COMMON_DIR", "linked")
		undo()
		undo = set("GIT_CEILING_DIRECTORIES", filepath.Join(w.root, "repo"))
		w.checkDiscover("below a ceiling", "repo/sub")
		w.checkDiscover("at a ceiling", "repo")
		undo()
		w.env["GIT_CEILING_DIRECTORIES"] = w.root
	})

	t.Run("config", func(t *testing.T) {
		w.git("repo", "config", "core.worktree", "../../plain")
		w.checkDiscover("core.worktree", "repo")
		w.checkDiscover("core.worktree from a subdir of it", "plain/dir")
		w.env["GIT_DIR"] = filepath.Join(w.root, "repo", ".git")
		w.checkDiscover("GIT_DIR and core.worktree", "repo/sub")
		delete(w.env, "GIT_DIR")
		w.git("repo", "config", "--unset", "core.worktree")
		w.git("repo", "config", "core.bare", "true")
		w.checkDiscover("core.bare", "repo")
		w.checkDiscover("core.bare, in a subdir", "repo/sub")
		w.env["GIT_DIR"] = filepath.Join(w.root, "repo", ".git")
		w.checkDiscover("GIT_DIR and core.bare", "plain")
		delete(w.env, "GIT_DIR")
		w.git("repo/.git", "config", "core.bare", "false")
		// core.worktree in an included file does not count: git reads it
		// from the repository format, the config file alone.
		w.append("repo/.git/config", "[include]\n\tpath = inc\n")
		w.write("repo/.git/inc", "[core]\n\tworktree = ../../plain\n")
		w.checkDiscover("core.worktree in an include", "repo/sub")
	})
}

// The repository's configuration is resolved once, at open, with the same
// environment.
func TestOpenConfig(t *testing.T) {
	w := newConfigWorld(t)
	w.env["GIT_CONFIG_NOSYSTEM"] = "1"
	repo := w.initRepo("repo")
	w.write("home/.gitconfig", "[include]\n\tpath = hooks.inc\n")
	w.write("home/hooks.inc", "[core]\n\thooksPath = .githooks\n")
	r, err := OpenEnv(repo, w.lookup)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if v, _ := r.Config().Get("core.hooksPath"); v != ".githooks" {
		t.Errorf("core.hooksPath = %q", v)
	}
	if r.IndexFile() != filepath.Join(repo, ".git", "index") {
		t.Errorf("IndexFile = %q", r.IndexFile())
	}
	// A broken config is an error naming the file and line.
	w.write("home/hooks.inc", "[core\n")
	_, err = OpenEnv(repo, w.lookup)
	if err == nil || !strings.Contains(err.Error(), "hooks.inc") || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("OpenEnv with a bad config = %v", err)
	}
}
