//go:build unix

package git

import (
	"os"
	"syscall"
)

// deviceOf returns the file system a directory is on, for discovery's
// stop at a file-system boundary.
func deviceOf(dir string) (uint64, bool) {
	fi, err := os.Stat(dir)
	if err != nil {
		return 0, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(st.Dev), true
}
