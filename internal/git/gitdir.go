package git

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Whether a directory is a repository, decided exactly as git decides it
// (setup.c: is_nonbare_repository_dir, read_gitfile_gently,
// is_git_directory, validate_headref). An untracked directory holding an
// empty .git/, or a .git file whose gitdir: is dangling, is not a
// repository to git: "git add -A" adds its files, so a scan must read
// them (issue 11). GIT_OBJECT_DIRECTORY, which git consults in place of
// objects/, is not honoured: a nested repository is never the one it
// names.

// IsNonbareRepositoryDir reports whether dir/.git makes dir a repository
// in git's eyes: a .git file that points at a git directory, a .git
// directory that is one, or a .git file git cannot open or read (git
// errs on the side of a repository then).
func IsNonbareRepositoryDir(dir string) bool {
	p := filepath.Join(dir, ".git")
	ok, readErr := readGitfile(p)
	return ok || readErr || IsGitDirectory(p)
}

// readGitfile follows read_gitfile_gently: ok when path is a regular file
// of at most 1 MiB holding "gitdir: <path>" that names a git directory
// (relative to path's directory); readErr when it could not be opened or
// read.
func readGitfile(path string) (ok, readErr bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > 1<<20 {
		return false, false
	}
	f, err := os.Open(path)
	if err != nil {
		return false, true
	}
	buf := make([]byte, fi.Size())
	n, err := io.ReadFull(f, buf)
	f.Close()
	if err != nil || int64(n) != fi.Size() {
		return false, true
	}
	if !bytes.HasPrefix(buf, []byte("gitdir: ")) {
		return false, false
	}
	for len(buf) > 0 && (buf[len(buf)-1] == '\n' || buf[len(buf)-1] == '\r') {
		buf = buf[:len(buf)-1]
	}
	if len(buf) < 9 {
		return false, false
	}
	dir := string(buf[8:])
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(filepath.Dir(path), dir)
	}
	return IsGitDirectory(dir), false
}

// IsGitDirectory follows is_git_directory: dir has a valid HEAD (a
// "refs/…" symlink, a "ref: refs/…" file, or a detached object id), and
// its common directory (commondir, for a linked worktree) has objects/
// and refs/ that can be searched.
func IsGitDirectory(dir string) bool {
	if !validHead(filepath.Join(dir, "HEAD")) {
		return false
	}
	common := CommonDir(dir)
	return searchable(filepath.Join(common, "objects")) && searchable(filepath.Join(common, "refs"))
}

// searchable stands in for access(path, X_OK): it exists and has an
// execute (search) bit.
func searchable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().Perm()&0o111 != 0
}

// validHead follows validate_headref.
func validHead(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil {
		return false
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		target, err := os.Readlink(path)
		return err == nil && strings.HasPrefix(target, "refs/")
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	buf := make([]byte, 255)
	n, _ := io.ReadFull(f, buf)
	f.Close()
	buf = buf[:n]
	if ref, ok := bytes.CutPrefix(buf, []byte("ref:")); ok {
		ref = bytes.TrimLeft(ref, " \t\n\r\v\f")
		if bytes.HasPrefix(ref, []byte("refs/")) {
			return true
		}
	}
	// A detached HEAD: get_oid_hex_any reads the first 40 (SHA-1) or 64
	// (SHA-256) characters as hex and ignores what follows; 64 hex digits
	// start with 40.
	return len(buf) >= 40 && IsHex(string(buf[:40]))
}
