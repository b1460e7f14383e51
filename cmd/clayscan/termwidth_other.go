//go:build !unix && !windows

package main

import "os"

func terminalColumns(f *os.File) int { return 0 }
