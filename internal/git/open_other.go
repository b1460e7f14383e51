//go:build !unix

package git

// deviceOf is not known here: discovery does not stop at file-system
// boundaries.
func deviceOf(string) (uint64, bool) { return 0, false }
