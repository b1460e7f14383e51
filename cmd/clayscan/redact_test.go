package main

import (
	"os"
	"strings"
	"testing"
)

// Issue 12: a key the user pastes in the wrong place (an argument, a flag,
// a config entry) is never echoed back by an error, a hint or a report.
// Every error path named in the issue, with each kind of key.
func TestErrorsNeverEchoAKey(t *testing.T) {
	keys := fakeKeys()
	dir, git := gitRepo(t)
	writeFile(t, dir, "a.txt", "hello\n")
	git("add", "a.txt")
	git("commit", "-qm", "init")

	for _, name := range []string{"SK_LIVE", "CLAY_ENT", "WEBHOOK_URL"} {
		key := keys[name]
		for _, tc := range []struct {
			name   string
			config string // .clayscan.toml content, if any
			args   []string
		}{
			{name: "ignore add", args: []string{"ignore", "add", key, dir}},
			{name: "ignore add --path", args: []string{"ignore", "add", "--path", key, key}},
			{name: "range", args: []string{"history", "--range", key + "..HEAD", dir}},
			{name: "since-commit", args: []string{"history", "--since-commit", key, dir}},
			{name: "branch", args: []string{"history", "--branch", key, dir}},
			{name: "allow regex", config: "[allow]\nregexes = [\"(" + key + "\"]\n", args: []string{"scan", dir}},
			{name: "disable", config: "disable = [\"" + key + "\"]\n", args: []string{"scan", dir}},
			{name: "unknown config key", config: "\"" + key + "\" = 1\n", args: []string{"scan", dir}},
			{name: "config value", config: "max_file_size = \"" + key + "\"\n", args: []string{"scan", dir}},
			{name: "max-file-size", args: []string{"scan", "--max-file-size", key, dir}},
			{name: "config path", args: []string{"scan", "--config", dir + "/" + key + ".toml", dir}},
			{name: "baseline path", args: []string{"scan", "--baseline", dir + "/" + key + ".json", dir}},
			{name: "unknown flag", args: []string{"scan", "--" + key, dir}},
			{name: "unknown flag value", args: []string{"scan", "--" + key + "=x", dir}},
			{name: "unknown command", args: []string{key}},
			{name: "format", args: []string{"scan", "--format", key, dir}},
			{name: "path", args: []string{"scan", dir + "/" + key}},
			{name: "extra args", args: []string{"scan", dir, key}},
			{name: "staged path", args: []string{"staged", dir + "/" + key}},
			{name: "fail-on", args: []string{"scan", "--fail-on", key, dir}},
		} {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				cfg := dir + "/.clayscan.toml"
				if tc.config != "" {
					writeFile(t, dir, ".clayscan.toml", tc.config)
					t.Cleanup(func() { removeFile(t, cfg) })
				}
				code, stdout, stderr := runCLI(t, tc.args...)
				if code != exitError {
					t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitError, stdout, stderr)
				}
				for _, out := range []string{stdout, stderr} {
					if strings.Contains(out, key) || name == "WEBHOOK_URL" && strings.Contains(out, "3f9c2a7e-5b1d-4c8e-9a6f-2d7b0e4c1a95") {
						t.Errorf("output echoes the key:\nstdout: %s\nstderr: %s", stdout, stderr)
					}
				}
				if !strings.Contains(stderr, "clayscan: error:") {
					t.Errorf("no error message:\n%s", stderr)
				}
			})
		}
	}
}

func removeFile(t *testing.T, name string) {
	t.Helper()
	if err := os.Remove(name); err != nil {
		t.Fatal(err)
	}
}
