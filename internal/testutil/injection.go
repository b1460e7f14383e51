package testutil

import (
	"fmt"
	"regexp"
	"strings"
)

// Issue 12: what a GitHub runner, a terminal or a Markdown renderer would
// act on in clayscan's output. The hostile-input suites of the report
// writers and of the CLI both check their outputs with these.

var (
	// ownCommand is one of clayscan's own annotations.
	ownCommand = regexp.MustCompile(`^::(error|warning|notice)( [^:\r]*)?::`)
	// markerCmd is a workflow command an attacker would want to start:
	// a marked one (PWN) or one that changes the runner's state.
	markerCmd = regexp.MustCompile(`^\s*::[^ ]*PWN|^\s*::(stop-commands|add-mask|set-output|save-state|set-env|add-path|debug|group|endgroup|echo)\b`)
	// liveMarkup is a link, image or mention outside a code span.
	liveMarkup = regexp.MustCompile(`(^|[^\\])(\]\(|<img|<a |https?://|www\.|@org)`)
)

// InjectionProblems describes each line of out that a runner or a terminal
// would act on: a line starting with "::" (other than clayscan's own
// annotations, allowed where annotations is set), an attacker's workflow
// command, a legacy "##[" command, or a control character (ESC, CR, C1
// CSI, RLO). It returns nil when out is safe.
func InjectionProblems(out string, annotations bool) []string {
	var problems []string
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "##[") {
			problems = append(problems, fmt.Sprintf("legacy workflow command in %q", line))
		}
		if markerCmd.MatchString(line) {
			problems = append(problems, fmt.Sprintf("injected workflow command %q", line))
		}
		if strings.HasPrefix(strings.TrimLeft(line, " \t"), "::") && !(annotations && ownCommand.MatchString(line)) {
			problems = append(problems, fmt.Sprintf("line reads as a workflow command: %q", line))
		}
		if strings.ContainsAny(line, "\x1b\r\u009b\u202e") {
			problems = append(problems, fmt.Sprintf("control character (ESC, CR, C1 CSI or RLO) in %q", line))
		}
	}
	return problems
}

// LiveMarkup returns the first link, image or mention in the Markdown md
// outside its code spans, or "".
func LiveMarkup(md string) string {
	return liveMarkup.FindString(StripCodeSpans(md))
}

// StripCodeSpans drops Markdown code spans (any fence length), where
// nothing is markup.
func StripCodeSpans(md string) string {
	var b strings.Builder
	for i := 0; i < len(md); {
		if md[i] != '`' {
			b.WriteByte(md[i])
			i++
			continue
		}
		n := 0
		for i+n < len(md) && md[i+n] == '`' {
			n++
		}
		end := strings.Index(md[i+n:], md[i:i+n])
		if end < 0 {
			b.WriteString(md[i:])
			break
		}
		i += n + end + n
	}
	return b.String()
}
