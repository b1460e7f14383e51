package source

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

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// Commit is what clayscan reads of a commit object.
type Commit struct {
	Hash      plumbing.Hash
	Tree      plumbing.Hash
	Parents   []plumbing.Hash
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

// parseCommitObject reads a commit's headers as git does: "tree" must come
// first, the "parent" lines follow it (a later one is ignored), the first
// "author" and "committer" lines count, and continuation lines (a leading
// space, as in gpgsig and mergetag) belong to the header above. The
// message is not read.
func parseCommitObject(h plumbing.Hash, data []byte) (*Commit, error) {
	c := &Commit{Hash: h}
	line, rest := nextLine(data)
	tree, ok := strings.CutPrefix(line, "tree ")
	if !ok {
		return nil, fmt.Errorf("%w %s: no tree header", ErrMalformedCommit, h)
	}
	if c.Tree, ok = parseHash(tree); !ok {
		return nil, fmt.Errorf("%w %s: bad tree header", ErrMalformedCommit, h)
	}
	parents, sawAuthor, sawCommitter := true, false, false
	for len(rest) > 0 {
		line, rest = nextLine(rest)
		if line == "" {
			break // the message follows
		}
		if p, ok := strings.CutPrefix(line, "parent "); ok && parents {
			ph, ok := parseHash(p)
			if !ok {
				return nil, fmt.Errorf("%w %s: bad parent header", ErrMalformedCommit, h)
			}
			c.Parents = append(c.Parents, ph)
			continue
		}
		parents = false
		if a, ok := strings.CutPrefix(line, "author "); ok && !sawAuthor {
			c.Author, sawAuthor = parseSignature(a), true
		} else if cm, ok := strings.CutPrefix(line, "committer "); ok && !sawCommitter {
			c.Committer, sawCommitter = parseSignature(cm), true
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

// parseSignature reads "Name <email> 1700000000 +0100". A line git itself
// would not have written keeps what could be read: without brackets it has
// no name or email, without a valid time the zero time, without a valid
// zone UTC.
func parseSignature(s string) Signature {
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

// tagTarget returns the object an annotated tag names: a tag starts
// "object <hex>\n".
func tagTarget(h plumbing.Hash, data []byte) (plumbing.Hash, error) {
	line, _ := nextLine(data)
	if obj, ok := strings.CutPrefix(line, "object "); ok {
		if t, ok := parseHash(obj); ok {
			return t, nil
		}
	}
	return plumbing.ZeroHash, corruptf(h, "malformed tag")
}

// treeEntry is one raw entry of a tree object: "<mode> <name>\0<20-byte
// hash>". Its slices point into the tree's data.
type treeEntry struct {
	raw, mode, name, hash []byte
}

// isTree accepts "40000" and the zero-padded "040000" some old tools wrote.
func (e treeEntry) isTree() bool {
	m := e.mode
	if len(m) == 6 && m[0] == '0' {
		m = m[1:]
	}
	return len(m) == 5 && m[0] == '4'
}

// fileMode is the entry's mode; a mode that is not octal reads as
// filemode.Empty, which no check treats as a file.
func (e treeEntry) fileMode() filemode.FileMode {
	var m uint32
	for _, c := range e.mode {
		if c < '0' || c > '7' || m > 1<<28 {
			return filemode.Empty
		}
		m = m<<3 | uint32(c-'0')
	}
	return filemode.FileMode(m)
}

// objectHash is the entry's object name.
func (e treeEntry) objectHash() plumbing.Hash { return plumbing.Hash(e.hash) }

// nextEntry splits the first entry off a tree's data; ok is false at the
// end or on a malformed entry.
func nextEntry(data []byte) (e treeEntry, rest []byte, ok bool) {
	sp := bytes.IndexByte(data, ' ')
	if sp < 0 {
		return treeEntry{}, nil, false
	}
	nul := bytes.IndexByte(data[sp:], 0)
	if nul < 0 || sp+nul+21 > len(data) {
		return treeEntry{}, nil, false
	}
	end := sp + nul + 21
	return treeEntry{raw: data[:end], mode: data[:sp], name: data[sp+1 : sp+nul], hash: data[sp+nul+1 : end]}, data[end:], true
}

// treeEntries iterates over a tree's raw entries. Malformed is set when
// the data ended in something that is not an entry.
type treeEntries struct {
	rest      []byte
	malformed bool
}

// next returns the next entry; ok is false at the end.
func (it *treeEntries) next() (e treeEntry, ok bool) {
	if len(it.rest) == 0 {
		return treeEntry{}, false
	}
	if e, it.rest, ok = nextEntry(it.rest); !ok {
		it.malformed = true
	}
	return e, ok
}

// findEntry returns the entry called name in tree h's data.
func findEntry(h plumbing.Hash, tree []byte, name string) (treeEntry, bool, error) {
	it := treeEntries{rest: tree}
	for e, ok := it.next(); ok; e, ok = it.next() {
		if string(e.name) == name {
			return e, true, nil
		}
	}
	if it.malformed {
		return treeEntry{}, false, corruptf(h, "malformed tree")
	}
	return treeEntry{}, false, nil
}
