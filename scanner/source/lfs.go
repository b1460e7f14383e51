package source

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/clayscan/clayscan/internal/git"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/clayscan/clayscan/scanner"
)

// Git LFS keeps a file's content outside git: the blob is a small pointer
//
//	version https://git-lfs.github.com/spec/v1
//	oid sha256:<64 hex digits>
//	size <bytes>
//
// and the content lives in <common git dir>/lfs/objects/<oid[0:2]>/<oid[2:4]>/<oid>
// once fetched. Scanning the pointer would find nothing, whatever the file
// holds: every source hands the object to the detector instead, at the
// pointer's path, and names the path as not scanned (lfs_missing) when the
// object is not in the local store. The store is where git-lfs keeps it:
// lfs.storage from git config (lfsObjectsDir), else <common dir>/lfs.

// lfsPointerMax is the largest pointer git-lfs writes or reads (its spec:
// pointer files are under 1024 bytes).
const lfsPointerMax = 1024

// lfsStore finds LFS objects for one repository.
type lfsStore struct {
	dir   string // <common dir>/lfs/objects; "" outside a repository
	limit int64  // an explicit --max-file-size, or <= 0
}

// newLFSStore reads objects from objectsDir (lfsObjectsDir); "" outside a
// repository.
func newLFSStore(objectsDir string, limit int64) lfsStore {
	if objectsDir == "" {
		return lfsStore{}
	}
	return lfsStore{dir: objectsDir, limit: limit}
}

// lfsObjectsDir is where git-lfs keeps repo's objects: <storage>/objects,
// where storage is lfs.storage from git config (the resolver's, so
// includes and GIT_CONFIG_* count), absolute or relative to the common git
// dir as git-lfs resolves it, else <common dir>/lfs. git-lfs reads
// lfs.storage from git config only, never from .lfsconfig, so neither do
// we: a repository cannot point the scan at files outside it that way.
func lfsObjectsDir(repo *git.Repository) string {
	if repo == nil || repo.CommonDir == "" {
		return ""
	}
	dir := "lfs"
	if c := repo.Config(); c != nil {
		if v, ok := c.Get("lfs.storage"); ok && v != "" {
			dir = v
		}
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(repo.CommonDir, dir)
	}
	return filepath.Join(dir, "objects")
}

// parseLFSPointer reads a pointer as git-lfs does: a version line first
// (the current spec, or the pre-release hawser one), then "key value" lines:
// an oid (sha256, 64 lowercase hex digits), a size, and extensions
// (ext-N-name). A line of any other kind means it is no pointer: the file
// is then scanned as itself, so text appended to a pointer is never
// passed over.
func parseLFSPointer(data []byte) (oid string, size int64, ok bool) {
	if len(data) >= lfsPointerMax || !bytes.HasPrefix(data, []byte("version ")) {
		return "", 0, false
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	switch string(lines[0]) {
	case "version https://git-lfs.github.com/spec/v1", "version https://hawser.github.com/spec/v1":
	default:
		return "", 0, false
	}
	haveSize := false
	for _, l := range lines[1:] {
		k, v, found := bytes.Cut(l, []byte(" "))
		if !found {
			return "", 0, false
		}
		switch string(k) {
		case "oid":
			h, ok := bytes.CutPrefix(v, []byte("sha256:"))
			if !ok || len(h) != 64 || !isLowerHex(h) {
				return "", 0, false
			}
			oid = string(h)
		case "size":
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil || n < 0 {
				return "", 0, false
			}
			size, haveSize = n, true
		default:
			if !bytes.HasPrefix(k, []byte("ext-")) {
				return "", 0, false
			}
		}
	}
	return oid, size, oid != "" && haveSize
}

func isLowerHex(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// redirect scans, in place of t, the LFS object t.Data points to, with
// t's path and commit, and reports whether t was a pointer. An object that
// is not in the store is named as skipped (lfs_missing), one over an
// explicit size limit as too_large. The object is new content wherever
// the pointer is, so t's line limits (Lines, Prev) do not apply to it.
func (s lfsStore) redirect(sink scanner.Sink, t scanner.Target) bool {
	if s.dir == "" || len(t.Data) >= lfsPointerMax {
		return false
	}
	oid, size, ok := parseLFSPointer(t.Data)
	if !ok {
		return false
	}
	skip := scanner.Skipped{Path: t.Path, Blob: t.Blob}
	if t.Commit != nil {
		skip.Commit = t.Commit.Hash
	}
	if s.limit > 0 && size > s.limit {
		skip.Reason = scanner.SkipTooLarge
		sink.Skip(skip)
		return true
	}
	f, err := os.Open(filepath.Join(s.dir, oid[:2], oid[2:4], oid))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			skip.Reason = scanner.SkipLFSMissing
			sink.Skip(skip)
		} else {
			sink.Error(t.Path, fmt.Errorf("opening its Git LFS object %s: %w", oid, errors.Unwrap(err)))
		}
		return true
	}
	defer f.Close()
	t.Data, t.Reader, t.Lines, t.Prev = nil, f, nil, nil
	sink.Scan(t)
	return true
}
