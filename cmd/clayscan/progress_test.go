package main

import (
	"bytes"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
)

// issue 13: the history progress line wrapped in a narrow terminal, and
// every redraw then left a stale row behind. It must fit in width-1
// columns whatever the width, the phase and the numbers.
func TestProgressLineFitsWidth(t *testing.T) {
	states := []progressState{
		{commits: 123456789},
		{commits: 85361, walked: 40000},
		{commits: 85361, walked: 85361, blobs: 164743, done: 81234, bytes: 5 << 30, blobTime: 17 * time.Second},
		{commits: 1, walked: 1, blobs: 1, done: 0},
		{commits: 1 << 40, walked: 1 << 40, blobs: 1 << 40, done: 1 << 39, bytes: 1 << 60, blobTime: 1000 * time.Hour},
	}
	for _, st := range states {
		for width := 1; width <= 200; width++ {
			line := progressLine(st, width)
			if len(line) > width-1 {
				t.Errorf("width %d: %q is %d columns", width, line, len(line))
			}
			if strings.ContainsAny(line, "\r\n") {
				t.Errorf("width %d: %q holds a line break", width, line)
			}
		}
	}
	// Unknown width: 80 columns.
	if line := progressLine(states[4], 0); len(line) > 79 {
		t.Errorf("unknown width: %q is %d columns", line, len(line))
	}
}

func TestProgressLineETA(t *testing.T) {
	st := progressState{commits: 19252, walked: 19252, blobs: 1000, done: 250, bytes: 100 << 20, blobTime: 10 * time.Second}
	wide := progressLine(st, 200)
	for _, want := range []string{"19252 commits", "blobs 250/1000 (25%)", "100.0 MiB at 10.0 MiB/s", "ETA 30s"} {
		if !strings.Contains(wide, want) {
			t.Errorf("wide line %q lacks %q", wide, want)
		}
	}
	// Narrow: the percentage and the ETA stay longest.
	if got := progressLine(st, 16); got != "25%, ETA 30s" {
		t.Errorf("16 columns: %q, want %q", got, "25%, ETA 30s")
	}
	// No ETA before the total is known, nor in the first second.
	if got := progressLine(progressState{commits: 10, walked: 5}, 200); strings.Contains(got, "ETA") {
		t.Errorf("ETA while walking: %q", got)
	}
	early := st
	early.blobTime = 500 * time.Millisecond
	if got := progressLine(early, 200); strings.Contains(got, "ETA") {
		t.Errorf("ETA after half a second: %q", got)
	}
	for d, want := range map[time.Duration]string{
		45 * time.Second:                           "45s",
		3*time.Minute + 7*time.Second:              "3m07s",
		time.Hour + 5*time.Minute + 59*time.Second: "1h05m",
	} {
		if got := formatETA(d); got != want {
			t.Errorf("formatETA(%v) = %q, want %q", d, got, want)
		}
	}
}

// The bar redraws with \r and erase-line, reads the width at every update
// (a resize applies at once), and clears its line when the scan ends.
func TestProgressBarRedraw(t *testing.T) {
	var out bytes.Buffer
	c := &source.HistoryCounters{}
	c.Commits.Store(85361)
	c.Walked.Store(85361)
	c.Blobs.Store(164743)
	c.BlobsDone.Store(1000)
	c.Bytes.Store(3 << 30)
	finished := &atomic.Bool{}
	width := 120
	bar := &progressBar{w: &out, c: c, finished: finished, width: func() int { return width }}
	bar.update(scanner.Progress{Elapsed: time.Second})
	width = 24
	c.BlobsDone.Store(2000)
	bar.update(scanner.Progress{Elapsed: 3 * time.Second})
	writes := strings.Split(out.String(), "\r\x1b[K")[1:]
	if len(writes) != 2 {
		t.Fatalf("want 2 redraws, got %q", out.String())
	}
	if len(writes[0]) > 119 || len(writes[1]) > 23 {
		t.Errorf("lines wider than the terminal: %q", writes)
	}
	if !strings.Contains(writes[1], "ETA") {
		t.Errorf("narrow line lost the ETA: %q", writes[1])
	}
	finished.Store(true)
	out.Reset()
	bar.update(scanner.Progress{Elapsed: 4 * time.Second})
	if out.String() != "\r\x1b[K" {
		t.Errorf("finished bar wrote %q, want a cleared line", out.String())
	}
}
