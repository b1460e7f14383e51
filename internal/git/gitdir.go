package git

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
)

// Whether a directory is a repository, decided exactly as git decides it
// (setup.c: is_nonbare_repository_dir, read_gitfile_gently,
// is_git_directory, validate_headref; the last two are isGitDir and
// validHead in open.go). An untracked directory holding an
// empty .git/, or a .git file whose gitdir: is dangling, is not a
// repository to git: "git add -A" adds its files, so a scan must read
// them (issue 11).

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

// IsGitDirectory is is_git_directory (isGitDir) for a directory that is
// not the repository being opened: GIT_OBJECT_DIRECTORY names the current
// repository's objects, never a nested one's, so it is not consulted.
func IsGitDirectory(dir string) bool {
	return isGitDir(dir, func(string) (string, bool) { return "", false })
}
