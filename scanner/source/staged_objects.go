package source

// The staged source reads the few objects it needs (HEAD's commit, the
// trees on the way to changed paths, the changed blobs) through odb, the
// same pack reader as the history sweep: go-git's filesystem storer loads
// every pack index into memory and maps every object of a pack at the
// first delta, about 300 ms on git/git, fifteen times a pre-commit budget.

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// stagedObjects gives go-git's object decoders (commits, trees) the odb's
// lookups; what it does not override (it never writes) stays go-git's.
type stagedObjects struct {
	storer.EncodedObjectStorer
	db *odb
}

func openStagedObjects(fallback storer.EncodedObjectStorer, objectsDir string) (*stagedObjects, error) {
	db, err := openODB(objectsDir, false)
	if err != nil {
		return nil, fmt.Errorf("opening the object database: %w", err)
	}
	return &stagedObjects{EncodedObjectStorer: fallback, db: db}, nil
}

func (o *stagedObjects) Close() { o.db.close() }

// EncodedObject implements storer.EncodedObjectStorer's lookup.
func (o *stagedObjects) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	typ, data, err := o.db.get(h)
	if err != nil {
		return nil, err
	}
	if t != plumbing.AnyObject && plumbing.ObjectType(typ) != t {
		return nil, plumbing.ErrObjectNotFound
	}
	return &stagedObject{h: h, t: plumbing.ObjectType(typ), data: data}, nil
}

// stagedObject is an object read in full, handed to go-git's decoders
// without the copy plumbing.MemoryObject makes.
type stagedObject struct {
	h    plumbing.Hash
	t    plumbing.ObjectType
	data []byte
}

func (o *stagedObject) Hash() plumbing.Hash           { return o.h }
func (o *stagedObject) Type() plumbing.ObjectType     { return o.t }
func (o *stagedObject) SetType(t plumbing.ObjectType) { o.t = t }
func (o *stagedObject) Size() int64                   { return int64(len(o.data)) }
func (o *stagedObject) SetSize(int64)                 {}
func (o *stagedObject) Reader() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(o.data)), nil
}
func (o *stagedObject) Writer() (io.WriteCloser, error) { return nil, errors.New("read-only object") }

// readStagedBlob reads blob h; over limit (when limit >= 0) it returns
// errBlobTooLarge without building it.
func readStagedBlob(objs *stagedObjects, h plumbing.Hash, limit int64) ([]byte, error) {
	t, data, err := objs.db.read(h, limit)
	if err != nil {
		return nil, err
	}
	if plumbing.ObjectType(t) != plumbing.BlobObject {
		return nil, fmt.Errorf("object %s is a %s, not a blob", h, typeName(t))
	}
	return data, nil
}
