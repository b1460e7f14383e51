package main

import (
	"context"
	"errors"
)

// runIgnore is a placeholder until its issue lands.
func runIgnore(ctx context.Context, e *env, args []string) int {
	e.errorf(errors.New("ignore: not implemented yet"), "")
	return exitError
}
