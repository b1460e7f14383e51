package main

import (
	"context"
	"errors"
)

// runBaseline is a placeholder until its issue lands.
func runBaseline(ctx context.Context, e *env, args []string) int {
	e.errorf(errors.New("baseline: not implemented yet"), "")
	return exitError
}
