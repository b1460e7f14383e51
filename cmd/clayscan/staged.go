package main

import (
	"context"
	"errors"
)

// runStaged is replaced by the staged source's command (issue 3).
func runStaged(ctx context.Context, e *env, args []string) int {
	e.errorf(errors.New("staged: not implemented yet"), "")
	return exitError
}
