// Command clayscan keeps Clay API credentials out of git: it scans the
// working tree, the staged change or the whole history, and tells you to
// rotate whatever it finds.
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
