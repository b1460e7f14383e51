//go:build !(linux || darwin || freebsd)

package source

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/clayscan/clayscan/scanner"
)

// readRegular reads the regular file at full into buf (grown as needed)
// without following a symlink.
func readRegular(full string, limit int64, buf []byte) ([]byte, *os.File, readResult, error) {
	fi, err := os.Lstat(full)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, readMissing, nil
	case err != nil:
		return nil, nil, readFailed, fmt.Errorf("stat: %w", errors.Unwrap(err))
	case fi.Mode()&fs.ModeSymlink != 0:
		return nil, nil, readSymlink, nil
	case !fi.Mode().IsRegular():
		return nil, nil, readNotRegular, nil
	case limit > 0 && fi.Size() > limit:
		return nil, nil, readTooLarge, nil
	}
	f, err := os.Open(full)
	if err != nil {
		return nil, nil, readFailed, fmt.Errorf("open: %w", errors.Unwrap(err))
	}
	if fi.Size() > scanner.StreamThreshold {
		return nil, f, readStream, nil
	}
	defer f.Close()
	size := int(fi.Size())
	if cap(buf) < size {
		buf = make([]byte, size)
	}
	n, err := io.ReadFull(f, buf[:size])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, nil, readFailed, fmt.Errorf("read: %w", err)
	}
	return buf[:n], nil, readOK, nil
}
