package main

import (
	"context"
	"errors"
)

// runCI is a placeholder until its issue lands.
func runCI(ctx context.Context, e *env, args []string) int {
	e.errorf(errors.New("ci: not implemented yet"), "")
	return exitError
}
