package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
)

// progressBar draws one self-overwriting status line on a terminal. The
// line is cut to the terminal's width, read at every update so a resize
// applies at once: a line that wrapped would leave its first row behind
// at every redraw (issue 13).
type progressBar struct {
	w        io.Writer
	c        *source.HistoryCounters
	finished *atomic.Bool
	// width returns the terminal's columns, 0 when unknown.
	width func() int
	drawn bool
	// blobsFrom is when the blob phase started, for the rate and the ETA.
	blobsFrom time.Duration
}

func (b *progressBar) update(p scanner.Progress) {
	if b.finished.Load() {
		if b.drawn {
			fmt.Fprint(b.w, "\r\x1b[K")
			b.drawn = false
		}
		return
	}
	st := progressState{
		commits: b.c.Commits.Load(),
		walked:  b.c.Walked.Load(),
		blobs:   b.c.Blobs.Load(),
		done:    b.c.BlobsDone.Load(),
		bytes:   b.c.Bytes.Load(),
	}
	if st.blobs > 0 {
		if b.blobsFrom == 0 {
			b.blobsFrom = p.Elapsed
		}
		st.blobTime = p.Elapsed - b.blobsFrom
	}
	width := 0
	if b.width != nil {
		width = b.width()
	}
	fmt.Fprintf(b.w, "\r\x1b[K%s", progressLine(st, width))
	b.drawn = true
}

// progressState is what the line shows.
type progressState struct {
	commits, walked int64
	blobs, done     int64 // blobs to scan (0 while the walk runs) and scanned
	bytes           int64
	blobTime        time.Duration // since the blob phase started
}

// defaultColumns is assumed when the width is unknown (COLUMNS unset).
const defaultColumns = 80

// progressLine renders the state in at most width-1 columns (the last
// column is left free: writing it makes some terminals wrap). Narrower
// terminals get fewer parts, the most useful kept longest: percentage and
// ETA, then counts, then bytes and rate, then commits.
func progressLine(st progressState, width int) string {
	if width <= 0 {
		width = defaultColumns
	}
	limit := width - 1
	var candidates []string
	switch {
	case st.blobs == 0 && st.walked == 0:
		candidates = []string{
			fmt.Sprintf("loading commits: %d", st.commits),
			fmt.Sprintf("commits: %d", st.commits),
		}
	case st.blobs == 0:
		candidates = []string{
			fmt.Sprintf("walking trees: %d/%d commits", st.walked, st.commits),
			fmt.Sprintf("trees: %d/%d", st.walked, st.commits),
		}
	default:
		pct := fmt.Sprintf("%d%%", 100*st.done/st.blobs)
		counts := fmt.Sprintf("blobs %d/%d (%s)", st.done, st.blobs, pct)
		rate := ""
		if s := st.blobTime.Seconds(); s > 0 {
			rate = fmt.Sprintf(" at %s/s", humanSize(int64(float64(st.bytes)/s)))
		}
		eta := ""
		if d, ok := estimate(st); ok {
			eta = ", ETA " + formatETA(d)
		}
		candidates = []string{
			fmt.Sprintf("%d commits, %s, %s%s%s", st.commits, counts, humanSize(st.bytes), rate, eta),
			fmt.Sprintf("%s, %s%s%s", counts, humanSize(st.bytes), rate, eta),
			counts + eta,
			pct + eta,
			pct,
		}
	}
	for _, c := range candidates {
		if len(c) <= limit {
			return c
		}
	}
	last := candidates[len(candidates)-1]
	if limit < 1 {
		return ""
	}
	return last[:min(len(last), limit)]
}

// estimate projects the time left from the blob phase's pace so far, once
// there is enough of it to mean something.
func estimate(st progressState) (time.Duration, bool) {
	if st.blobs == 0 || st.done == 0 || st.done >= st.blobs || st.blobTime < time.Second {
		return 0, false
	}
	per := float64(st.blobTime) / float64(st.done)
	return time.Duration(per * float64(st.blobs-st.done)), true
}

// formatETA prints 45s, 3m07s, 1h05m.
func formatETA(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
}

// stderrWidth returns a function giving the width of the terminal behind
// stderr, falling back to $COLUMNS.
func stderrWidth(e *env) func() int {
	f, _ := e.stderr.(*os.File)
	return func() int {
		if f != nil {
			if n := terminalColumns(f); n > 0 {
				return n
			}
		}
		if n, err := strconv.Atoi(strings.TrimSpace(e.getenv("COLUMNS"))); err == nil && n > 0 {
			return n
		}
		return 0
	}
}
