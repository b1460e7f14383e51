package git

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LoosePath returns the path of loose object h in the objects directory or
// one of its alternates, or "" when it is not loose.
func (db *ODB) LoosePath(h Hash) string {
	s := h.String()
	for _, d := range db.dirs {
		p := filepath.Join(d, s[:2], s[2:])
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// ReadLoose reads a loose object, through the ODB's shared inflater; see
// Inflater.ReadLoose.
func (db *ODB) ReadLoose(path string, h Hash, maxSize int64) (typ ObjectType, size int64, data []byte, err error) {
	db.zmu.Lock()
	defer db.zmu.Unlock()
	return db.z.ReadLoose(path, h, maxSize)
}

// looseTypes maps a loose object header's type name to its pack type.
var looseTypes = map[string]ObjectType{"commit": ObjCommit, "tree": ObjTree, "blob": ObjBlob, "tag": ObjTag}

// ReadLoose reads a loose object: a zlib stream of "<type> <size>\0"
// and the content. maxSize < 0 means no limit; an object over it returns
// its type and size and nil data. Like git, it does not hash the content
// to check it (git fsck does): go-git's objfile reader did, with a
// collision-detecting SHA-1, on every blob a pre-commit scan reads.
func (z *Inflater) ReadLoose(path string, h Hash, maxSize int64) (typ ObjectType, size int64, data []byte, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, nil, Corruptf(h, "%v", err)
	}
	// The header is at most "commit " and a 20-digit size and a NUL.
	head, _, done, err := z.tables().inflate(raw, nil, 64, false)
	if err != nil {
		return 0, 0, nil, Corruptf(h, "loose object header: %v", err)
	}
	nul := bytes.IndexByte(head, 0)
	name, sizeText, ok := strings.Cut(string(head[:max(nul, 0)]), " ")
	typ = looseTypes[name]
	size, serr := strconv.ParseInt(sizeText, 10, 64)
	if nul < 0 || !ok || typ == 0 || serr != nil || size < 0 {
		return 0, 0, nil, Corruptf(h, "malformed loose object header")
	}
	if maxSize >= 0 && size > maxSize {
		return typ, size, nil, nil
	}
	if done {
		// The stream ended within the header's bytes: the whole object,
		// its checksum verified.
		if n := int64(len(head) - nul - 1); n != size {
			return 0, 0, nil, Corruptf(h, "loose object of %d bytes, its header says %d", n, size)
		}
		return typ, size, head[nul+1:], nil
	}
	data, err = z.inflateSized(raw, int64(nul+1)+size, nil)
	if err != nil {
		return 0, 0, nil, Corruptf(h, "%v", err)
	}
	return typ, size, data[nul+1:], nil
}

// LooseHashes lists the loose objects' names, for --all-objects.
func (db *ODB) LooseHashes() []Hash {
	var out []Hash
	for _, d := range db.dirs {
		subs, _ := os.ReadDir(d)
		for _, s := range subs {
			if len(s.Name()) != 2 || !s.IsDir() {
				continue
			}
			files, _ := os.ReadDir(filepath.Join(d, s.Name()))
			for _, f := range files {
				if h, ok := ParseHash(s.Name() + f.Name()); ok && len(s.Name())+len(f.Name()) == db.format.HexSize() {
					out = append(out, h)
				}
			}
		}
	}
	return out
}
