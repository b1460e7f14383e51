package main

import (
	"context"
	"errors"
)

// runHook is a placeholder until its issue lands.
func runHook(ctx context.Context, e *env, args []string) int {
	e.errorf(errors.New("hook: not implemented yet"), "")
	return exitError
}
