package scanner

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Streaming: content of any size goes through the detector in bounded
// windows, so memory does not grow with the file.
//
// Each window owns a region of the stream: a finding is emitted by the
// window whose region holds the first byte of its secret, so a key across
// a window's edge is found exactly once. A window reaches streamContext
// bytes (at least) past its region on both sides, aligned back to a line
// start where the line is not too long, and that context is more than any
// rule reads around a match (windowBefore, windowAfter and the Lines it
// spans, NearBytes): a match in the region is the one a scan of the whole
// content finds. Lines and columns count from the stream's start.
const (
	// streamWindow is how much new content each window reads.
	streamWindow = 1 << 20
	// streamContext is the least context a window keeps either side of
	// its region.
	streamContext = 16 << 10
	// lineSlack is how far back a window start moves to begin on a line.
	lineSlack = 4 << 10
)

// StreamThreshold is the size above which sources should stream content
// (Target.Reader) rather than read it whole: the detector then holds about
// this much of it at a time.
const StreamThreshold = 2 * streamWindow

// streamContextFor returns the context windows keep for the detector's
// rules.
func (d *Detector) streamContext() int {
	ctx := streamContext
	for i := range d.rules {
		near := d.rules[i].NearBytes
		if need := 2*max(near, 512) + maxSpan + windowAfter; need > ctx {
			ctx = need
		}
	}
	return ctx
}

// DetectReader scans everything r yields, in bounded windows, and calls
// emit for each finding in offset order, as Detect does on the whole
// content. Like Detect it checks for neither binary content nor text
// encodings (Run does both). It returns r's error, if any, after emitting
// the findings from what it read.
func (d *Detector) DetectReader(t *Target, r io.Reader, emit func(Finding)) error {
	return d.detectStream(t, r, streamWindow, false, func(f Finding, _ []byte) { emit(f) })
}

// detectStream is DetectReader emitting each finding with the window data
// its offset is relative to; window is streamWindow but in tests.
func (d *Detector) detectStream(t *Target, r io.Reader, window int, rejected bool, emit func(Finding, []byte)) error {
	ctx := d.streamContext()
	buf := make([]byte, window+2*ctx+lineSlack)
	n, own := 0, 0
	at := textPos{1, 1}
	var rerr error
	for {
		for n < len(buf) && rerr == nil {
			var m int
			m, rerr = r.Read(buf[n:])
			n += m
		}
		eof := rerr != nil
		end := n
		if !eof {
			end = runeStart(buf[:n], n-ctx)
		}
		d.detect(t, buf[:n], own, end, at, rejected, emit)
		if eof {
			if errors.Is(rerr, io.EOF) {
				return nil
			}
			return rerr
		}
		keep := runeStart(buf, end-ctx)
		if i := bytes.LastIndexByte(buf[max(0, keep-lineSlack):keep], '\n'); i >= 0 {
			keep = max(0, keep-lineSlack) + i + 1
		}
		at = at.advance(buf[:keep])
		n = copy(buf, buf[keep:n])
		own = end - keep
	}
}

// runeStart moves i back to the first byte of the character holding it, so
// that columns are counted the same in two windows as in one.
func runeStart(b []byte, i int) int {
	for j := i; j > 0 && j > i-utf8.UTFMax; j-- {
		if utf8.RuneStart(b[j]) {
			return j
		}
	}
	return i
}

// advance returns the position after b, which starts at p.
func (p textPos) advance(b []byte) textPos {
	if nl := bytes.Count(b, []byte{'\n'}); nl > 0 {
		last := bytes.LastIndexByte(b, '\n')
		return textPos{p.line + nl, 1 + utf8.RuneCount(b[last+1:])}
	}
	return textPos{p.line, p.col + utf8.RuneCount(b)}
}

// sniffLen is how much of a stream is read first to decide between text,
// UTF-16 text and binary.
const sniffLen = binarySniffLen

// openText reads the start of r and returns a reader of its text (UTF-16
// decoded to UTF-8), or binary when it is not text.
func openText(r io.Reader) (text io.Reader, binary bool, err error) {
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(r, head)
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		err = nil
	case err != nil:
		return nil, false, fmt.Errorf("read: %w", err)
	}
	head = head[:n]
	if enc, bom := sniffUTF16(head); enc != encUTF8 {
		return newUTF16Reader(io.MultiReader(bytes.NewReader(head[bom:]), r), enc == encUTF16BE), false, nil
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return nil, true, nil
	}
	return io.MultiReader(bytes.NewReader(head), r), false, nil
}
