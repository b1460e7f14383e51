package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestSARIFFromRealScanValidates runs a real scan over a real repository
// (a key and a committed .env file) and validates the SARIF it prints
// against the OASIS 2.1.0 schema (issue 5): the golden files pin the
// format, this checks what real rules and sources produce.
func TestSARIFFromRealScanValidates(t *testing.T) {
	dir := t.TempDir()
	gitc := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+filepath.Join(dir, ".gitconfig-none"),
			"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	gitc("init", "-q", ".")
	key := "sk_" + "live_" + "Xq7Lm2Pz9Rt4Vw8Nb3Kd6Hs1"
	files := map[string]string{
		".env":          "CLAY_API_KEY=" + key + "\n",
		"src/client.py": "import os\n\nclient = Clay(api_key=\"" + key + "\")\n",
		"docs/ok.md":    "Set CLAY_API_KEY=${CLAY_API_KEY} in your environment.\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitc("add", ".")
	gitc("commit", "-qm", "init")

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"scan", "--format", "sarif", dir}, strings.NewReader(""), &stdout, &stderr)
	if code != exitFindings {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitFindings, stderr.String())
	}
	if bytes.Contains(stdout.Bytes(), []byte(key)) {
		t.Fatal("SARIF holds the full secret")
	}
	f, err := os.Open("../../testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	schemaDoc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif.json", schemaDoc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(stdout.Bytes()))
	if err != nil {
		t.Fatalf("SARIF is not JSON: %v", err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("SARIF from a real scan does not validate: %v\n%s", err, stdout.String())
	}
	for _, want := range []string{`"uri": "src/client.py"`, `"uriBaseId": "%SRCROOT%"`, `"startLine": 3`} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("SARIF lacks %s:\n%s", want, stdout.String())
		}
	}

	// The same scan as GitHub annotations: one ::error per finding.
	stdout.Reset()
	run(context.Background(), []string{"scan", "--format", "github", dir}, strings.NewReader(""), &stdout, &stderr)
	if !strings.Contains(stdout.String(), "::error file=src/client.py,line=3,") || strings.Contains(stdout.String(), key) {
		t.Errorf("GitHub annotations:\n%s", stdout.String())
	}
}
