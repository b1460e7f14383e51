package source

import (
	"context"
	"errors"

	"github.com/clayscan/clayscan/scanner"
)

// History scans every commit reachable from the repository's refs, or a
// range of them. (Issue 3 replaces this placeholder.)
type History struct {
	Path string
	// Range is "BASE..HEAD": commits reachable from HEAD but not from BASE,
	// second parents of merges included.
	Range string
	// SinceCommit is Range with HEAD implied.
	SinceCommit string
	// Branch limits the walk to one ref.
	Branch string
	// AllObjects also scans unreachable blobs in the object database.
	AllObjects  bool
	MaxFileSize int64
	Workers     int
}

// Scan implements scanner.Source.
func (h *History) Scan(ctx context.Context, sink scanner.Sink) (scanner.SourceInfo, error) {
	return scanner.SourceInfo{Kind: "history"}, errors.New("history: not implemented yet")
}
