//go:build linux || darwin || freebsd

package source

import (
	"fmt"
	"os"
	"syscall"

	"github.com/clayscan/clayscan/scanner"
)

// readRegular reads the regular file at full into buf (grown as needed)
// without following a symlink. It costs open, fstat, read and close: no
// separate lstat, no poller registration, no allocation once buf is large
// enough. It never blocks on a FIFO (O_NONBLOCK) and reads no more than
// the size fstat reported, so a file that grows meanwhile is read as it
// was. A file over limit (when limit > 0) is readTooLarge; one over
// scanner.StreamThreshold is returned open, as readStream, for the caller
// to stream and close.
func readRegular(full string, limit int64, buf []byte) ([]byte, *os.File, readResult, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(full, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	switch err {
	case nil:
	case syscall.ENOENT, syscall.ENOTDIR:
		return nil, nil, readMissing, nil
	case syscall.ELOOP, syscall.EMLINK: // O_NOFOLLOW on a symlink (EMLINK on FreeBSD)
		return nil, nil, readSymlink, nil
	default:
		return nil, nil, readFailed, fmt.Errorf("open: %w", err)
	}
	closeFD := true
	defer func() {
		if closeFD {
			syscall.Close(fd)
		}
	}()
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, nil, readFailed, fmt.Errorf("stat: %w", err)
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, nil, readNotRegular, nil
	}
	if limit > 0 && st.Size > limit {
		return nil, nil, readTooLarge, nil
	}
	if st.Size > scanner.StreamThreshold {
		closeFD = false
		return nil, os.NewFile(uintptr(fd), full), readStream, nil
	}
	size := int(st.Size)
	if cap(buf) < size {
		// Start with 1 MiB: fresh memory from the OS is not touched
		// (so costs no page fault) until a file fills it, and most
		// workers never need to grow again.
		buf = make([]byte, size, max(size, 2*cap(buf), 1<<20))
	}
	buf = buf[:size]
	n := 0
	for n < size {
		m, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, nil, readFailed, fmt.Errorf("read: %w", err)
		}
		if m == 0 { // the file shrank
			break
		}
		n += m
	}
	return buf[:n], nil, readOK, nil
}
