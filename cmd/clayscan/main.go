// Command clayscan keeps Clay API credentials out of git: it scans the
// working tree, the staged change or the whole history, and tells you to
// rotate whatever it finds.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() { os.Exit(mainCode()) }

// mainCode is main without the exit, so that the tests' binary (TestMain)
// runs exactly what users run, signal handling included.
func mainCode() int {
	// Ctrl-C, or a CI runner cancelling the job (SIGINT, then SIGTERM),
	// stops the scan through ctx: clayscan then says the scan was
	// interrupted and exits 130, writing no report. A second signal kills
	// the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	defer stop()
	return run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}
