//go:build unix

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Issue 12: a real SIGINT to the real binary in the middle of a history
// sweep. The sweep is held in the middle deterministically: one blob's
// loose object file is a named pipe, so reading it blocks until the test,
// having seen clayscan open it, has sent the signal.
func TestSIGINTDuringHistory(t *testing.T) {
	bin, err := exec.LookPath("clayscan") // the test binary, set up by TestMain
	if err != nil {
		t.Skip("no clayscan command:", err)
	}
	keys := fakeKeys()
	dir, git := gitRepo(t)
	writeFile(t, dir, "a.sh", "export K="+keys["SK_LIVE"]+"\n")
	writeFile(t, dir, "held.txt", "this blob is read through a pipe\n")
	git("add", ".")
	git("commit", "-qm", "init")
	cmd := exec.Command("git", "rev-parse", "HEAD:held.txt")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	sha := strings.TrimSpace(string(out))
	obj := filepath.Join(dir, ".git", "objects", sha[:2], sha[2:])
	if err := os.Remove(obj); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(obj, 0o644); err != nil {
		t.Skip("no named pipes:", err)
	}
	report := filepath.Join(t.TempDir(), "report.json")

	var stdout, stderr bytes.Buffer
	c := exec.Command(bin, "history", "--format", "json", "-o", report, dir)
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()

	// A non-blocking open for writing succeeds once a reader has the pipe
	// open: then clayscan is inside the sweep, blocked on this blob.
	var w *os.File
	for w == nil {
		select {
		case err := <-done:
			t.Fatalf("clayscan ended before reading the blob: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
		default:
		}
		f, err := os.OpenFile(obj, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		switch {
		case err == nil:
			w = f
		case errors.Is(err, syscall.ENXIO):
			time.Sleep(5 * time.Millisecond)
		default:
			t.Fatal(err)
		}
	}
	if err := c.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	// The signal is handled asynchronously: give the handler a moment
	// before the blocked read returns (a bad object, which a completed
	// scan would report as exit 2).
	time.Sleep(300 * time.Millisecond)
	w.Write([]byte("not a zlib stream"))
	w.Close()

	err = <-done
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit: %v, want %d\nstdout: %s\nstderr: %s", err, exitInterrupted, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "scan interrupted: results are incomplete") {
		t.Errorf("stderr: %s", stderr.String())
	}
	if strings.Contains(stdout.String()+stderr.String(), "Scanned") || strings.Contains(stderr.String(), "context canceled") {
		t.Errorf("output reads as a result:\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
	}
	if _, err := os.Lstat(report); err == nil {
		t.Error("a report was written")
	}
	if strings.Contains(stdout.String()+stderr.String(), keys["SK_LIVE"]) {
		t.Error("raw key in the output")
	}
}
