package repocheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

const (
	installActionlint = "go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"
	installShellcheck = "apt-get install -y shellcheck"
)

func actionlint(t *testing.T, files ...string) {
	t.Helper()
	al := tool(t, "actionlint", installActionlint)
	sc := tool(t, "shellcheck", installShellcheck)
	args := append([]string{"-color=false", "-shellcheck=" + sc}, files...)
	cmd := exec.Command(al, args...)
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint %v: %v\n%s", files, err, out)
	}
}

// issue 13: ci.yml failed actionlint (SC2046); every workflow passes it.
func TestActionlintWorkflows(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoRoot(t), ".github", "workflows", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows found: %v", err)
	}
	actionlint(t, files...)
}

// actionlint checks workflows only. The action's steps are checked as the
// steps of a reusable workflow whose inputs are the action's inputs: the
// same expressions, contexts and run: scripts (through shellcheck), with
// ${{ }} expressions replaced as actionlint does for workflows.
func TestActionlintAction(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Inputs map[string]struct {
			Description string `yaml:"description"`
			Required    bool   `yaml:"required"`
			Default     string `yaml:"default"`
		} `yaml:"inputs"`
		Runs struct {
			Using string `yaml:"using"`
			Steps []any  `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if action.Runs.Using != "composite" || len(action.Runs.Steps) == 0 {
		t.Fatalf("action.yml: want a composite action with steps, got using=%q and %d steps", action.Runs.Using, len(action.Runs.Steps))
	}
	inputs := map[string]any{}
	for name, in := range action.Inputs {
		inputs[name] = map[string]any{"description": in.Description, "required": in.Required, "default": in.Default, "type": "string"}
	}
	wf := map[string]any{
		"name": "action.yml as a workflow",
		"on":   map[string]any{"workflow_call": map[string]any{"inputs": inputs}},
		"jobs": map[string]any{"action": map[string]any{"runs-on": "ubuntu-latest", "steps": action.Runs.Steps}},
	}
	out, err := yaml.Marshal(wf)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), ".github", "workflows")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "action.yml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	actionlint(t, path)
	if t.Failed() {
		t.Logf("generated workflow:\n%s", out)
	}
}
