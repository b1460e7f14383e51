package report

import (
	"fmt"
	"sort"
	"strings"
)

// guidanceBlock is one block of guidance and the findings that carry it.
type guidanceBlock struct {
	text  string
	rules []string // in order of first appearance
	paths []string // in order of first appearance
	n     int      // findings
	// rank orders blocks: by their position in a finding's guidance (the
	// block about where a key was found comes before the rule's steps),
	// then by the first finding that has them.
	pos, first int
}

// guidanceBlocks splits each finding's guidance into its blocks (separated
// by a blank line: what to do about where it was found, what to do about
// the credential) and returns each distinct block once, so that a report
// prints it once per run however many findings and rules share it. Blocks
// about where keys were found come first, then the steps per credential.
func guidanceBlocks(n int, get func(i int) (ruleID, path, guidance string)) []*guidanceGroup {
	var out []*guidanceBlock
	byText := map[string]*guidanceBlock{}
	for i := 0; i < n; i++ {
		id, path, g := get(i)
		pos := 0
		for _, text := range strings.Split(strings.TrimSpace(g), "\n\n") {
			if text = strings.Trim(text, "\n"); text == "" {
				continue
			}
			b := byText[text]
			if b == nil {
				b = &guidanceBlock{text: text, pos: pos, first: i}
				byText[text] = b
				out = append(out, b)
			}
			b.pos = min(b.pos, pos)
			b.n++
			if !contains(b.rules, id) {
				b.rules = append(b.rules, id)
			}
			if path != "" && !contains(b.paths, path) {
				b.paths = append(b.paths, path)
			}
			pos++
		}
	}
	// Blocks with the same findings (where they were found, then the
	// steps for their credential) go under one heading, in the order of
	// their position; headings in the order of their first block.
	var groups []*guidanceGroup
	byHeading := map[string]*guidanceGroup{}
	for _, b := range out {
		k := fmt.Sprintf("%d\x00%q\x00%q", b.n, b.rules, b.paths)
		g := byHeading[k]
		if g == nil {
			g = &guidanceGroup{rules: b.rules, paths: b.paths, n: b.n, pos: b.pos, first: b.first}
			byHeading[k] = g
			groups = append(groups, g)
		}
		if b.pos < g.pos || (b.pos == g.pos && b.first < g.first) {
			g.pos, g.first = b.pos, b.first
		}
		g.blocks = append(g.blocks, b)
	}
	for _, g := range groups {
		sort.SliceStable(g.blocks, func(i, j int) bool { return g.blocks[i].pos < g.blocks[j].pos })
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if groups[i].pos != groups[j].pos {
			return groups[i].pos < groups[j].pos
		}
		return groups[i].first < groups[j].first
	})
	return groups
}

// guidanceGroup is the blocks that the same findings share, under one
// heading.
type guidanceGroup struct {
	rules, paths []string
	n            int
	blocks       []*guidanceBlock
	pos, first   int
}

// title is the group's heading: the rules and, when they are few, the
// files, with each rule ID and path escaped for the output by rule and path
// (they come from the repository and its config).
func (g *guidanceGroup) title(rule, path func(string) string) string {
	var b strings.Builder
	for i, r := range g.rules {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(rule(r))
	}
	if len(g.paths) > 0 && len(g.paths) <= 3 {
		b.WriteString(" in ")
		for i, p := range g.paths {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(path(p))
		}
	}
	return b.String()
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
