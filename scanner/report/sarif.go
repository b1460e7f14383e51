package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/clayscan/clayscan/internal/escape"
	"github.com/clayscan/clayscan/scanner"
)

// SARIF 2.1.0 as GitHub code scanning reads it. Only the properties clayscan
// fills are modelled; docs/formats.md ("SARIF") documents them.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Results     []sarifResult     `json:"results"`
	ColumnKind  string            `json:"columnKind"`
	Invocations []sarifInvocation `json:"invocations"`
	// Properties mark a shallow history and count what was skipped, as
	// the JSON summary does.
	Properties *sarifRunProps `json:"properties,omitempty"`
}

type sarifRunProps struct {
	Shallow bool                         `json:"shallow"`
	Skipped map[scanner.SkipReason]int64 `json:"skipped,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool `json:"executionSuccessful"`
	// ToolExecutionNotifications name what was not scanned (and a shallow
	// history): SARIF's place for conditions met while running.
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Descriptor sarifDescriptorRef `json:"descriptor"`
	Level      string             `json:"level"`
	Message    sarifText          `json:"message"`
	Locations  []sarifLocation    `json:"locations,omitempty"`
	Properties *sarifSkipProps    `json:"properties,omitempty"`
}

type sarifDescriptorRef struct {
	ID string `json:"id"`
}

type sarifSkipProps struct {
	Repository string `json:"repository,omitempty"`
	Reason     string `json:"reason"`
	Blob       string `json:"blob,omitempty"`
	Commit     string `json:"commit,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	Help                 sarifHelp       `json:"help"`
	DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
	Properties           sarifRuleProps  `json:"properties"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	// SecuritySeverity is a number in a string, as GitHub requires; it
	// sets the alert's critical/high/medium/low label.
	SecuritySeverity string   `json:"security-severity"`
	Tags             []string `json:"tags"`
	Precision        string   `json:"precision"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          sarifResultProps  `json:"properties"`
}

type sarifResultProps struct {
	Fingerprint   string `json:"fingerprint"`
	Repository    string `json:"repository,omitempty"`
	Secret        string `json:"secret,omitempty"`
	Commit        string `json:"commit,omitempty"`
	Kind          string `json:"kind,omitempty"`
	Author        string `json:"author,omitempty"`
	Date          string `json:"date,omitempty"`
	InHead        *bool  `json:"in_head,omitempty"`
	GitignoreRule string `json:"gitignore_rule,omitempty"`
	Decoded       string `json:"decoded,omitempty"`
	SameSecretAs  string `json:"same_secret_as,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

// SARIFFingerprintKey names clayscan's entry in partialFingerprints.
const SARIFFingerprintKey = "clayscanFingerprint/v1"

const (
	sarifSchema    = "https://json.schemastore.org/sarif-2.1.0.json"
	informationURI = "https://github.com/clayscan/clayscan"
)

// SARIF writes res as a SARIF 2.1.0 log that GitHub code scanning accepts:
// each rule that has findings once in tool.driver.rules, with its guidance
// as help, and one result per finding with a location relative to the
// repository root (%SRCROOT%).
//
// A finding without a line (a policy finding about a whole file) is placed
// on line 1: GitHub requires a region with a startLine on every result.
func SARIF(w io.Writer, res *scanner.Result, tool Tool) error {
	run := sarifRun{
		Tool:        sarifTool{Driver: sarifDriver{Name: tool.Name, Version: tool.Version, InformationURI: informationURI, Rules: []sarifRule{}}},
		Results:     []sarifResult{},
		ColumnKind:  "unicodeCodePoints",
		Invocations: []sarifInvocation{{ExecutionSuccessful: len(res.Errors) == 0 && res.Failure == "", ToolExecutionNotifications: sarifNotifications(res)}},
	}
	if res.Summary.Shallow || res.Summary.SkippedTotal() > 0 {
		run.Properties = &sarifRunProps{Shallow: res.Summary.Shallow, Skipped: res.Summary.Skipped}
	}
	index := map[string]int{}
	for _, f := range res.Findings {
		i, ok := index[f.RuleID]
		if !ok {
			i = len(run.Tool.Driver.Rules)
			index[f.RuleID] = i
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleFor(f))
		}
		run.Results = append(run.Results, sarifResultFor(f, i))
	}
	return writeJSON(w, sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

// sarifNotifications are a shallow history's warning and one notification
// per skipped file or blob, located at its path: warning for what may hold
// text (too large, an LFS object that is absent, an unmerged path), note
// for the rest.
func sarifNotifications(res *scanner.Result) []sarifNotification {
	var out []sarifNotification
	if res.Failure != "" {
		out = append(out, sarifNotification{
			Descriptor: sarifDescriptorRef{ID: "clayscan/failed"},
			Level:      "error",
			Message:    sarifText{Text: "The scan failed, so this report is partial: " + escape.SARIFText(res.Failure)},
		})
	}
	if res.Summary.Shallow {
		out = append(out, sarifNotification{
			Descriptor: sarifDescriptorRef{ID: "clayscan/shallow"},
			Level:      "warning",
			Message:    sarifText{Text: "This is a shallow clone: history before the shallow boundary was not scanned. Fetch the full history (fetch-depth: 0, or git fetch --unshallow) and scan again."},
		})
	}
	for _, s := range res.Skipped {
		level := "note"
		switch s.Reason {
		case scanner.SkipTooLarge, scanner.SkipLFSMissing, "unmerged":
			level = "warning"
		}
		text := fmt.Sprintf("Not scanned (%s): %s", escape.SARIFText(string(s.Reason)), escape.SARIFText(s.Path))
		if s.Repository != "" {
			text += " in repository " + escape.SARIFText(s.Repository)
		}
		if s.Blob != "" {
			text += fmt.Sprintf(" (blob %s", escape.SARIFText(short(s.Blob)))
			if s.Commit != "" {
				text += fmt.Sprintf(" in commit %s", escape.SARIFText(short(s.Commit)))
			}
			text += ")"
		}
		out = append(out, sarifNotification{
			Descriptor: sarifDescriptorRef{ID: "clayscan/skipped/" + string(s.Reason)},
			Level:      level,
			Message:    sarifText{Text: text},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: uriPath(s.Path), URIBaseID: "%SRCROOT%"},
			}}},
			Properties: &sarifSkipProps{Reason: string(s.Reason), Blob: s.Blob, Commit: s.Commit, Repository: s.Repository},
		})
	}
	if n := res.Summary.SkippedUnlisted; n > 0 {
		out = append(out, sarifNotification{
			Descriptor: sarifDescriptorRef{ID: "clayscan/skipped/unlisted"},
			Level:      "note",
			Message:    sarifText{Text: fmt.Sprintf("%d more files or blobs were not scanned and are not listed (binary ones are listed with --verbose)", n)},
		})
	}
	return out
}

func sarifRuleFor(f scanner.Finding) sarifRule {
	// A rule's help describes the rule: without the block about where one
	// finding was found (staged, in history since a date).
	help := f.RuleGuidance
	if help == "" {
		help = f.Guidance
	}
	return sarifRule{
		ID:               f.RuleID,
		Name:             ruleName(f.RuleID),
		ShortDescription: sarifText{Text: escape.Text(f.Title)},
		FullDescription:  sarifText{Text: fmt.Sprintf("%s (clayscan rule %s, severity %s).", escape.Text(f.Title), escape.Text(f.RuleID), escape.Text(f.Severity))},
		Help:             sarifHelp{Text: strings.Join(escape.Lines(help), "\n"), Markdown: guidanceMarkdown(help)},
		DefaultConfiguration: sarifRuleConfig{
			Level: sarifLevel(f.Severity),
		},
		Properties: sarifRuleProps{
			SecuritySeverity: securitySeverity(f.Severity),
			Tags:             []string{"security", "secret", "clay"},
			Precision:        "high",
		},
	}
}

func sarifResultFor(f scanner.Finding, ruleIndex int) sarifResult {
	region := sarifRegion{StartLine: f.Line, StartColumn: f.Column, EndColumn: f.EndColumn}
	if f.Line <= 0 {
		region = sarifRegion{StartLine: 1}
	}
	if region.StartColumn <= 0 || region.EndColumn <= region.StartColumn {
		region.StartColumn, region.EndColumn = 0, 0
	}
	return sarifResult{
		RuleID:    f.RuleID,
		RuleIndex: ruleIndex,
		Level:     sarifLevel(f.Severity),
		Message:   sarifText{Text: findingMessage(f, escape.SARIFText)},
		Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
			ArtifactLocation: sarifArtifact{URI: uriPath(f.Path), URIBaseID: "%SRCROOT%"},
			Region:           &region,
		}}},
		// The secret's fingerprint, scoped to its file: a moved line keeps
		// its alert, and the same key pasted in two files is two alerts.
		PartialFingerprints: map[string]string{SARIFFingerprintKey: partialFingerprint(f)},
		Properties: sarifResultProps{
			Fingerprint:   f.Fingerprint,
			Repository:    f.Repository,
			Secret:        f.Secret,
			Commit:        f.Commit,
			Kind:          string(f.Kind),
			Author:        f.Author,
			Date:          f.Date,
			InHead:        f.InHead,
			GitignoreRule: f.GitignoreRule,
			Decoded:       f.Decoded,
			SameSecretAs:  f.SameSecretAs,
		},
	}
}

// partialFingerprint is the secret's fingerprint scoped to its file, and
// to its repository when the report covers several.
func partialFingerprint(f scanner.Finding) string {
	if f.Repository != "" {
		return f.Fingerprint + ":" + f.Repository + ":" + f.Path
	}
	return f.Fingerprint + ":" + f.Path
}

// findingMessage is the one-line description shared by SARIF results and
// GitHub annotations. It holds the secret as the finding carries it (masked
// unless --show-secrets). esc escapes each untrusted field for the output
// (package escape).
func findingMessage(f scanner.Finding, esc func(string) string) string {
	var b strings.Builder
	b.WriteString(esc(f.Title))
	if f.Repository != "" {
		fmt.Fprintf(&b, " in repository %s", esc(f.Repository))
	}
	if f.Secret != "" {
		fmt.Fprintf(&b, ": %s", esc(f.Secret))
	}
	if f.GitignoreRule != "" {
		fmt.Fprintf(&b, " (decided by %s)", esc(f.GitignoreRule))
	}
	switch {
	case f.Kind == scanner.KindCommitMessage:
		fmt.Fprintf(&b, ". In the message of commit %s (line %d of the message)", esc(short(f.Commit)), f.Line)
		if f.Author != "" {
			fmt.Fprintf(&b, " by %s", esc(f.Author))
		}
	case f.Kind == scanner.KindTagMessage:
		fmt.Fprintf(&b, ". In the message of tag object %s (line %d of the message)", esc(short(f.Commit)), f.Line)
		if f.Author != "" {
			fmt.Fprintf(&b, " by %s", esc(f.Author))
		}
	case f.Commit != "":
		fmt.Fprintf(&b, ". Entered history in commit %s", esc(short(f.Commit)))
		if f.Author != "" {
			fmt.Fprintf(&b, " by %s", esc(f.Author))
		}
		if f.Date != "" {
			fmt.Fprintf(&b, " on %s", esc(f.Date))
		}
		if f.InHead != nil && !*f.InHead {
			b.WriteString("; removed from HEAD but still in history")
		}
	}
	return b.String()
}

// ruleName turns clay-sk-live-key into ClaySkLiveKey, the PascalCase name
// SARIF viewers show next to the ID.
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func sarifLevel(severity string) string {
	switch severity {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "note"
}

// securitySeverity maps to GitHub's bands: >9.0 critical, 7.0–8.9 high,
// 4.0–6.9 medium, 0.1–3.9 low.
func securitySeverity(severity string) string {
	switch severity {
	case "critical":
		return "9.5"
	case "high":
		return "8.0"
	case "medium":
		return "5.5"
	}
	return "2.0"
}

// guidanceMarkdown renders the guidance's lines as Markdown paragraphs.
func guidanceMarkdown(g string) string {
	var paras []string
	for _, line := range strings.Split(g, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			paras = append(paras, escape.MarkdownText(line))
		}
	}
	return strings.Join(paras, "\n\n")
}

// uriPath escapes a slash-separated relative path as a URI reference
// (":" too, so that a first segment never reads as a scheme).
func uriPath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("/-._~!$&'()*+,;=@", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
