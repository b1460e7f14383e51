package git

// Commits, tags and trees as clayscan reads them. go-git's plumbing/object
// decodes them too, but linking it brings in OpenPGP, several elliptic
// curves and a diff library whose package initialisers cost every run
// about 1 ms, and it decodes a whole tree into a slice of entries where
// a lookup needs one pass over the raw bytes. The formats are git's own
// (Documentation/gitformat-commit.txt, the tree format in object.h).

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// Commit is what clayscan reads of a commit object.
type Commit struct {
	Hash      Hash
	Tree      Hash
	Parents   []Hash
	Author    Signature
	Committer Signature
}

// Signature is an author or committer line.
type Signature struct {
	Name, Email string
	When        time.Time
}

// ErrMalformedCommit is a commit object that does not follow the format.
var ErrMalformedCommit = errors.New("malformed commit")

// ParseCommit reads a commit's headers as git does: "tree" must come
// first, the "parent" lines follow it (a later one is ignored), the first
// "author" and "committer" lines count, and continuation lines (a leading
// space, as in gpgsig and mergetag) belong to the header above. The
// message is not read.
func ParseCommit(h Hash, data []byte) (*Commit, error) {
	c := &Commit{Hash: h}
	line, rest := nextLine(data)
	tree, ok := strings.CutPrefix(line, "tree ")
	if !ok {
		return nil, fmt.Errorf("%w %s: no tree header", ErrMalformedCommit, h)
	}
	if c.Tree, ok = ParseHash(tree); !ok {
		return nil, fmt.Errorf("%w %s: bad tree header", ErrMalformedCommit, h)
	}
	parents, sawAuthor, sawCommitter := true, false, false
	for len(rest) > 0 {
		line, rest = nextLine(rest)
		if line == "" {
			break // the message follows
		}
		if p, ok := strings.CutPrefix(line, "parent "); ok && parents {
			ph, ok := ParseHash(p)
			if !ok {
				return nil, fmt.Errorf("%w %s: bad parent header", ErrMalformedCommit, h)
			}
			c.Parents = append(c.Parents, ph)
			continue
		}
		parents = false
		if a, ok := strings.CutPrefix(line, "author "); ok && !sawAuthor {
			c.Author, sawAuthor = ParseSignature(a), true
		} else if cm, ok := strings.CutPrefix(line, "committer "); ok && !sawCommitter {
			c.Committer, sawCommitter = ParseSignature(cm), true
		}
	}
	return c, nil
}

// nextLine splits off data's first line, without its newline.
func nextLine(data []byte) (string, []byte) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return string(data[:i]), data[i+1:]
	}
	return string(data), nil
}

// ParseSignature reads "Name <email> 1700000000 +0100". A line git itself
// would not have written keeps what could be read: without brackets it has
// no name or email, without a valid time the zero time, without a valid
// zone UTC.
func ParseSignature(s string) Signature {
	var sig Signature
	open, end := strings.LastIndexByte(s, '<'), strings.LastIndexByte(s, '>')
	if open < 0 || end < open {
		return sig
	}
	sig.Name = strings.Trim(s[:open], " ")
	sig.Email = s[open+1 : end]
	when := strings.TrimLeft(s[end+1:], " ")
	secs, zone, _ := strings.Cut(when, " ")
	ts, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return sig
	}
	sig.When = time.Unix(ts, 0).UTC()
	if len(zone) >= 5 && (zone[0] == '+' || zone[0] == '-') {
		hh, err1 := strconv.Atoi(zone[1:3])
		mm, err2 := strconv.Atoi(zone[3:5])
		if err1 == nil && err2 == nil {
			off := hh*3600 + mm*60
			if zone[0] == '-' {
				off = -off
			}
			sig.When = sig.When.In(time.FixedZone("", off))
		}
	}
	return sig
}

// TagTarget returns the object an annotated tag names: a tag starts
// "object <hex>\n".
func TagTarget(h Hash, data []byte) (Hash, error) {
	line, _ := nextLine(data)
	if obj, ok := strings.CutPrefix(line, "object "); ok {
		if t, ok := ParseHash(obj); ok {
			return t, nil
		}
	}
	return ZeroHash, Corruptf(h, "malformed tag")
}

// TreeEntry is one raw entry of a tree object: "<mode> <name>\0<hash>",
// the hash 20 or 32 raw bytes. Its slices point into the tree's data.
type TreeEntry struct {
	Raw, Mode, Name, Hash []byte
}

// IsTree accepts "40000" and the zero-padded "040000" some old tools wrote.
func (e TreeEntry) IsTree() bool {
	m := e.Mode
	if len(m) == 6 && m[0] == '0' {
		m = m[1:]
	}
	return len(m) == 5 && m[0] == '4'
}

// FileMode is the entry's mode; a mode that is not octal reads as
// filemode.Empty, which no check treats as a file.
func (e TreeEntry) FileMode() filemode.FileMode {
	var m uint32
	for _, c := range e.Mode {
		if c < '0' || c > '7' || m > 1<<28 {
			return filemode.Empty
		}
		m = m<<3 | uint32(c-'0')
	}
	return filemode.FileMode(m)
}

// ObjectHash is the entry's object name.
func (e TreeEntry) ObjectHash() (h Hash) {
	copy(h[:], e.Hash)
	return h
}

// NextEntry splits the first entry off a tree's data; ok is false at the
// end or on a malformed entry.
func NextEntry(data []byte, hashSize int) (e TreeEntry, rest []byte, ok bool) {
	sp := bytes.IndexByte(data, ' ')
	if sp < 0 {
		return TreeEntry{}, nil, false
	}
	nul := bytes.IndexByte(data[sp:], 0)
	if nul < 0 || sp+nul+1+hashSize > len(data) {
		return TreeEntry{}, nil, false
	}
	end := sp + nul + 1 + hashSize
	return TreeEntry{Raw: data[:end], Mode: data[:sp], Name: data[sp+1 : sp+nul], Hash: data[sp+nul+1 : end]}, data[end:], true
}

// TreeEntries iterates over a tree's raw entries. Malformed is set when
// the data ended in something that is not an entry.
type TreeEntries struct {
	Rest      []byte
	HashSize  int // of the repository's object names
	Malformed bool
}

// Next returns the next entry; ok is false at the end.
func (it *TreeEntries) Next() (e TreeEntry, ok bool) {
	if len(it.Rest) == 0 {
		return TreeEntry{}, false
	}
	if e, it.Rest, ok = NextEntry(it.Rest, it.HashSize); !ok {
		it.Malformed = true
	}
	return e, ok
}

// FindEntry returns the entry called name in tree h's data.
func FindEntry(h Hash, tree []byte, name string, hashSize int) (TreeEntry, bool, error) {
	it := TreeEntries{Rest: tree, HashSize: hashSize}
	for e, ok := it.Next(); ok; e, ok = it.Next() {
		if string(e.Name) == name {
			return e, true, nil
		}
	}
	if it.Malformed {
		return TreeEntry{}, false, Corruptf(h, "malformed tree")
	}
	return TreeEntry{}, false, nil
}

// CompareTreeNames orders two names as git sorts a tree's entries (and the
// index, directory by directory): bytewise, a directory's name compared as
// if it ended in '/'. It is the one tree-entry order in clayscan.
func CompareTreeNames[A, B ~string | ~[]byte](a A, aDir bool, b B, bDir bool) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	ca, cb := byte(0), byte(0)
	if len(a) > n {
		ca = a[n]
	} else if aDir {
		ca = '/'
	}
	if len(b) > n {
		cb = b[n]
	} else if bDir {
		cb = '/'
	}
	switch {
	case ca < cb:
		return -1
	case ca > cb:
		return 1
	}
	return 0
}

// CompareEntries orders two tree entries as git sorts a tree.
func CompareEntries(a, b TreeEntry) int {
	return CompareTreeNames(a.Name, a.IsTree(), b.Name, b.IsTree())
}

// Peel follows annotated tags from h to the object they name, and returns
// that object's name, type and content.
func (db *ODB) Peel(h Hash) (Hash, ObjectType, []byte, error) {
	for i := 0; i < 32; i++ {
		typ, data, err := db.Get(h)
		if err != nil {
			return h, 0, nil, err
		}
		if typ != ObjTag {
			return h, typ, data, nil
		}
		if h, err = TagTarget(h, data); err != nil {
			return h, 0, nil, err
		}
	}
	return h, 0, nil, Corruptf(h, "tag chain too long")
}

// MessageBody is what follows a commit's or tag's headers: everything after
// the first empty line.
func MessageBody(data []byte) []byte {
	if bytes.HasPrefix(data, []byte("\n")) {
		return data[1:]
	}
	if i := bytes.Index(data, []byte("\n\n")); i >= 0 {
		return data[i+2:]
	}
	return nil
}

// ParseTagMessage reads an annotated tag's name ("tag" header), tagger
// line and message. A tag without a name is labelled by nothing better
// than "(unnamed)".
func ParseTagMessage(data []byte) (name, tagger string, msg []byte) {
	rest := data
	for len(rest) > 0 {
		var line string
		line, rest = nextLine(rest)
		if line == "" {
			break
		}
		switch {
		case name == "" && len(line) > 4 && line[:4] == "tag ":
			name = line[4:]
		case tagger == "" && len(line) > 7 && line[:7] == "tagger ":
			tagger = line[7:]
		}
	}
	if name == "" {
		name = "(unnamed)"
	}
	return name, tagger, MessageBody(data)
}
