package main

import (
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/envpolicy"
	"github.com/clayscan/clayscan/scanner/ignore"
	"github.com/clayscan/clayscan/scanner/source"

	"github.com/clayscan/clayscan/internal/git"
)

// envPolicy runs the .env policy (issue 4) alongside a scan: it gathers the
// facts from the source it rides on — which env files the working tree
// has and whether git tracks or ignores them, which ones a commit stages,
// which ones history holds — and turns them into findings through
// scanner/envpolicy. Each source gets the checks that make sense for it:
//
//	worktree: env-file-tracked, env-file-not-ignored, gitignore-missing-env-patterns
//	staged:   env-file-staged
//	history:  env-file-in-history
type envPolicy struct {
	src scanner.Source
	// pol is the policy in force; the config file may replace it before
	// the scan starts.
	pol envpolicy.Policy

	mu   sync.Mutex
	seen map[string]seenEnv // env files observed (staged, history)
}

// seenEnv is the oldest target observed for one env-file path.
type seenEnv struct {
	order  int64
	commit *scanner.Commit
}

func envPolicyFor(src scanner.Source, settings rules.EnvSettings) *envPolicy {
	p := &envPolicy{src: underlyingSource(src), pol: envpolicy.Default(), seen: map[string]seenEnv{}}
	p.pol.Extra = append(p.pol.Extra, settings.Files...)
	p.pol.Templates = append(p.pol.Templates, settings.Templates...)
	if h, ok := p.src.(*source.History); ok {
		// Targets alone miss an env file whose content another path had
		// first (an empty .env, a copied template): the history source
		// emits each blob once. Ask it for every env-file path too.
		h.NamedFiles = func(name string) bool { return p.pol.Applies(name) }
		h.NamedFile = func(path string, c *scanner.Commit, order int64) {
			p.note(path, c, order)
		}
	}
	return p
}

// underlyingSource sees through the CLI's wrappers (the history command
// adds hints to its source's errors) to the source that decides which
// checks apply.
func underlyingSource(src scanner.Source) scanner.Source {
	for {
		switch s := src.(type) {
		case *hintedHistory:
			src = s.h
		case interface{ Unwrap() scanner.Source }:
			src = s.Unwrap()
		default:
			return src
		}
	}
}

// observe is called for every target, from many goroutines. The staged
// source emits every added or modified path; the history source emits each
// blob once, at its oldest commit — so the lowest Order per path is the
// commit that first added that env file.
func (p *envPolicy) observe(t *scanner.Target) {
	switch p.src.(type) {
	case *source.Staged, *source.History:
	default:
		return
	}
	if !p.pol.Applies(t.Path) {
		return
	}
	if _, isHistory := p.src.(*source.History); isHistory && t.Commit == nil {
		return // an unreachable blob: never committed
	}
	p.note(t.Path, t.Commit, t.Order)
}

// note records that path was seen at commit c, keeping the oldest.
func (p *envPolicy) note(path string, c *scanner.Commit, order int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.seen[path]; ok && old.order <= order {
		return
	}
	p.seen[path] = seenEnv{order: order, commit: c}
}

// findings is called once the source is done.
func (p *envPolicy) findings(info scanner.SourceInfo) ([]scanner.Finding, error) {
	switch s := p.src.(type) {
	case *source.Worktree:
		return p.worktree(s)
	case *source.Staged:
		return p.staged(s)
	case *source.History:
		return p.history(s)
	}
	return nil, nil
}

func (p *envPolicy) seenPaths() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	paths := make([]string, 0, len(p.seen))
	for path := range p.seen {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	return paths
}

// worktree checks every env file the scan covers (tracked, or untracked
// and not ignored — or ignored too with --include-ignored) and the root
// .gitignore. Outside a git repository there is nothing to commit, so the
// policy does not apply.
func (p *envPolicy) worktree(w *source.Worktree) ([]scanner.Finding, error) {
	root, files, _, isRepo, err := w.Files()
	if err != nil || !isRepo {
		return nil, err
	}
	repo, err := git.Open(root)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	m := ignore.ForRepo(root, repo.GitDir)
	var out []scanner.Finding
	for _, f := range files {
		if !p.pol.Applies(f.Path) {
			continue
		}
		d := m.Match(f.Path, false)
		switch {
		case f.Tracked:
			out = append(out, envpolicy.Tracked(f.Path, d))
		case !d.Ignored: // with --include-ignored, ignored files are listed too
			out = append(out, envpolicy.NotIgnored(f.Path, d))
		}
	}
	if f, ok := p.pol.MissingPatterns(m.Dir("")); ok {
		out = append(out, f)
	}
	return out, nil
}

// staged reports every env file the commit would add or modify, with the
// ignore rule that matches it (an ignored file staged with `git add -f`).
func (p *envPolicy) staged(s *source.Staged) ([]scanner.Finding, error) {
	paths := p.seenPaths()
	if len(paths) == 0 {
		return nil, nil
	}
	path := s.Path
	if path == "" {
		path = "."
	}
	repo, err := git.Open(path)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	var m *ignore.Matcher
	if repo.Root != "" {
		m = ignore.ForRepo(repo.Root, repo.GitDir)
	}
	out := make([]scanner.Finding, 0, len(paths))
	for _, path := range paths {
		var d ignore.Decision
		if m != nil {
			d = m.Match(path, false)
		}
		out = append(out, envpolicy.Staged(path, d))
	}
	return out, nil
}

// history reports each env file once, at the commit that first added it,
// with whether HEAD still tracks it.
func (p *envPolicy) history(h *source.History) ([]scanner.Finding, error) {
	paths := p.seenPaths()
	if len(paths) == 0 {
		return nil, nil
	}
	repo, head, err := headCommit(h.Path)
	if err != nil {
		return nil, err
	}
	if repo != nil {
		defer repo.Close()
	}
	var out []scanner.Finding
	for _, path := range paths {
		p.mu.Lock()
		s := p.seen[path]
		p.mu.Unlock()
		inHead := false
		if head != nil {
			if inHead, err = repo.HasPath(*head, path); err != nil {
				return nil, fmt.Errorf("looking up %q at HEAD: %w", path, err)
			}
		}
		out = append(out, envpolicy.InHistory(path, s.commit, inHead))
	}
	return out, nil
}

// headCommit opens the repository at path and returns HEAD's commit, nil
// for a repository without commits. The caller closes the repository.
func headCommit(path string) (*git.Repository, *git.Hash, error) {
	if path == "" {
		path = "."
	}
	repo, err := git.Open(path)
	if err != nil {
		return nil, nil, err
	}
	h, err := repo.Head()
	if errors.Is(err, git.ErrRefNotFound) {
		return repo, nil, nil
	}
	if err != nil {
		repo.Close()
		return nil, nil, fmt.Errorf("resolving HEAD: %w", err)
	}
	return repo, &h, nil
}
