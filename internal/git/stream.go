package git

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Streaming objects, for blobs too large to hold whole (issue 11). A
// whole pack entry and a loose object inflate as a stream; a delta needs
// its base in memory, so it is built and then read from memory.

// ObjectSize returns the type and size of object h once built, without
// building it (a delta's target size comes from its header).
func (db *ODB) ObjectSize(h Hash) (ObjectType, int64, error) {
	if loc, ok := db.Locate(h); ok {
		typ, err := db.TypeOf(loc, map[Loc]ObjectType{})
		if err != nil {
			return 0, 0, Corruptf(h, "%v", err)
		}
		size, err := db.packedSize(loc)
		if err != nil {
			return 0, 0, Corruptf(h, "%v", err)
		}
		return typ, size, nil
	}
	if p := db.LoosePath(h); p != "" {
		f, typ, size, _, err := openLoose(p, h)
		if err != nil {
			return 0, 0, err
		}
		f.Close()
		return typ, size, nil
	}
	return 0, 0, Corruptf(h, "not found")
}

// Open returns a reader of object h's content, with its type and size. It
// is safe for concurrent use; the caller closes the reader. Read errors
// name the object.
func (db *ODB) Open(h Hash) (ObjectType, int64, io.ReadCloser, error) {
	if loc, ok := db.Locate(h); ok {
		e, err := loc.Pack.Header(loc.Off)
		if err != nil {
			return 0, 0, nil, Corruptf(h, "%v", err)
		}
		if e.IsDelta() {
			typ, data, err := db.Get(h)
			if err != nil {
				return 0, 0, nil, err
			}
			return typ, int64(len(data)), io.NopCloser(bytes.NewReader(data)), nil
		}
		zr, err := zlib.NewReader(bytes.NewReader(loc.Pack.data[e.DataOff:]))
		if err != nil {
			return 0, 0, nil, Corruptf(h, "%v", err)
		}
		return e.Type, e.Size, &objectReader{h: h, r: io.LimitReader(zr, e.Size), left: e.Size}, nil
	}
	if p := db.LoosePath(h); p != "" {
		f, typ, size, r, err := openLoose(p, h)
		if err != nil {
			return 0, 0, nil, err
		}
		return typ, size, &objectReader{h: h, r: io.LimitReader(r, size), left: size, f: f}, nil
	}
	return 0, 0, nil, Corruptf(h, "not found")
}

// objectReader reads an object's content and fails, naming the object,
// when the stream ends before the size its header declared.
type objectReader struct {
	h    Hash
	r    io.Reader
	left int64
	f    *os.File
}

func (o *objectReader) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	o.left -= int64(n)
	if err == io.EOF && o.left > 0 {
		return n, Corruptf(o.h, "%v", io.ErrUnexpectedEOF)
	}
	if err != nil && err != io.EOF {
		return n, Corruptf(o.h, "%v", err)
	}
	return n, err
}

func (o *objectReader) Close() error {
	if o.f != nil {
		return o.f.Close()
	}
	return nil
}

// openLoose opens a loose object and reads its header; r reads the
// content that follows.
func openLoose(path string, h Hash) (f *os.File, typ ObjectType, size int64, r io.Reader, err error) {
	f, err = os.Open(path)
	if err != nil {
		return nil, 0, 0, nil, Corruptf(h, "%v", err)
	}
	zr, err := zlib.NewReader(bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		f.Close()
		return nil, 0, 0, nil, Corruptf(h, "%v", err)
	}
	br := bufio.NewReaderSize(zr, 64)
	head, err := br.ReadSlice(0)
	if err != nil {
		f.Close()
		if errors.Is(err, bufio.ErrBufferFull) {
			err = fmt.Errorf("malformed loose object header")
		}
		return nil, 0, 0, nil, Corruptf(h, "loose object header: %v", err)
	}
	name, sizeText, ok := strings.Cut(string(head[:len(head)-1]), " ")
	typ = looseTypes[name]
	size, serr := strconv.ParseInt(sizeText, 10, 64)
	if !ok || typ == 0 || serr != nil || size < 0 {
		f.Close()
		return nil, 0, 0, nil, Corruptf(h, "malformed loose object header")
	}
	return f, typ, size, br, nil
}
