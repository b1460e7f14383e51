package source

import (
	"context"
	"errors"

	"github.com/clayscan/clayscan/scanner"
)

// Staged scans what the next commit would add: the index's blobs compared
// with HEAD, limited to added lines. (Issue 3 replaces this placeholder.)
type Staged struct {
	Path        string
	MaxFileSize int64
}

// Scan implements scanner.Source.
func (s *Staged) Scan(ctx context.Context, sink scanner.Sink) (scanner.SourceInfo, error) {
	return scanner.SourceInfo{Kind: "staged"}, errors.New("staged: not implemented yet")
}
