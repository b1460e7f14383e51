package main

import (
	"context"
	"errors"
)

// runHistory is a placeholder until its issue lands.
func runHistory(ctx context.Context, e *env, args []string) int {
	e.errorf(errors.New("history: not implemented yet"), "")
	return exitError
}
