package scripts_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// issue 14: the org sweep's steps (list, chunk, clone in full, clayscan
// history -f json per chunk, clayscan merge) run here over three fixture
// repositories that share one key, as the workflow runs them on GitHub.
func TestOrgSweepLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds clayscan and clones repositories; skipped with -short")
	}
	needTools(t, "bash", "git", "jq")
	root := repoRoot(t)
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "clayscan")
	build := exec.Command("go", "build", "-o", bin, "./cmd/clayscan")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	key := "sk_" + "live_" + "Xq7Lm2Pz9Rt4Vw8Nb3Kd6Hs1"
	env := append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+filepath.Join(tmp, "gitconfig"),
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com",
		"GIT_AUTHOR_DATE=2024-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2024-01-02T03:04:05Z",
		"NO_COLOR=1",
	)
	git := func(dir string, args ...string) {
		t.Helper()
		c := exec.Command("git", args...)
		c.Dir = dir
		c.Env = env
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	commit := func(dir, file, content, msg string) {
		t.Helper()
		p := filepath.Join(dir, file)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		git(dir, "add", "-A")
		git(dir, "commit", "-q", "-m", msg)
	}
	newRepo := func(name string) string {
		dir := filepath.Join(tmp, "org", name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		git(dir, "init", "-q", "-b", "main")
		commit(dir, ".gitignore", ".env\n.env.local\n.env.*.local\n", "ignore env files")
		return dir
	}
	// api: the key is still at HEAD.
	api := newRepo("api")
	commit(api, "config/settings.py", "CLAY_API_KEY = \""+key+"\"\n", "settings")
	// web: the key was removed, but it is in history.
	web := newRepo("web")
	commit(web, "src/client.ts", "const clayKey = \""+key+"\";\n", "client")
	commit(web, "src/client.ts", "const clayKey = process.env.CLAY_API_KEY;\n", "read the key from the environment")
	// tools: a bare repository, the key on a side branch only.
	work := newRepo("tools-work")
	git(work, "checkout", "-q", "-b", "experiment")
	commit(work, "deploy.sh", "curl -H \"clay-api-key: "+key+"\" https://api.clay.com/public/v0/tables\n", "deploy")
	git(work, "checkout", "-q", "main")
	tools := filepath.Join(tmp, "org", "tools.git")
	git(tmp, "clone", "-q", "--bare", work, tools)

	run := func(out string, repos ...string) (int, string) {
		args := append([]string{filepath.Join(root, "scripts", "org-sweep-local.sh"), "-c", "2", "-p", "2", "-b", bin, "-o", out}, repos...)
		c := exec.Command("bash", args...)
		c.Env = env
		b, err := c.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), string(b)
		}
		if err != nil {
			t.Fatalf("org-sweep-local.sh: %v\n%s", err, b)
		}
		return 0, string(b)
	}

	out := filepath.Join(tmp, "sweep")
	code, log := run(out, api, web, tools)
	if code != 1 {
		t.Fatalf("org-sweep-local.sh exit %d, want 1 (a secret found)\n%s", code, log)
	}
	reports, _ := filepath.Glob(filepath.Join(out, "reports", "chunk-*.json"))
	if len(reports) != 2 {
		t.Errorf("%d chunk reports, want 2 (three repositories, two per chunk): %v", len(reports), reports)
	}

	var merged struct {
		Source  string `json:"source"`
		Secrets []struct {
			Fingerprint  string   `json:"fingerprint"`
			Secret       string   `json:"secret"`
			InHead       bool     `json:"in_head"`
			Repositories []string `json:"repositories"`
			Locations    []struct {
				Repository string `json:"repository"`
				Path       string `json:"path"`
				InHead     bool   `json:"in_head"`
			} `json:"locations"`
		} `json:"secrets"`
		Summary struct {
			Repositories int `json:"repositories"`
			Secrets      int `json:"secrets"`
			Errors       int `json:"errors"`
		} `json:"summary"`
	}
	data, err := os.ReadFile(filepath.Join(out, "merged.json"))
	if err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	if err := json.Unmarshal(data, &merged); err != nil {
		t.Fatal(err)
	}
	if merged.Summary.Repositories != 3 || merged.Summary.Errors != 0 {
		t.Errorf("summary %+v, want 3 repositories and no errors", merged.Summary)
	}
	var keySecrets int
	for _, s := range merged.Secrets {
		if strings.Contains(s.Secret, key) {
			t.Errorf("merged report holds the full key")
		}
		if !strings.HasPrefix(s.Fingerprint, "clay-") || len(s.Repositories) < 3 {
			continue
		}
		keySecrets++
		slices.Sort(s.Repositories)
		if want := []string{"local/api", "local/tools", "local/web"}; !slices.Equal(s.Repositories, want) {
			t.Errorf("the shared key is in %v, want %v", s.Repositories, want)
		}
		if !s.InHead {
			t.Errorf("the shared key is still at api's HEAD, but in_head is false")
		}
		for _, l := range s.Locations {
			if l.Repository == "local/web" && l.InHead {
				t.Errorf("web removed the key from HEAD, but its location says in_head")
			}
		}
	}
	if keySecrets != 1 {
		t.Errorf("%d secrets found in all three repositories, want the shared key once:\n%s", keySecrets, data)
	}
	if strings.Contains(string(data), key) {
		t.Errorf("merged.json holds the full key")
	}

	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	if b, err := os.ReadFile(filepath.Join(out, "merged.sarif")); err != nil {
		t.Error(err)
	} else if err := json.Unmarshal(b, &sarif); err != nil || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) < 3 {
		t.Errorf("merged.sarif: %v, version %q, runs %d", err, sarif.Version, len(sarif.Runs))
	}
	if md, err := os.ReadFile(filepath.Join(out, "summary.md")); err != nil || !strings.Contains(string(md), "local/api") {
		t.Errorf("summary.md does not name the repositories: %v\n%s", err, md)
	}

	// A repository that cannot be cloned makes the sweep incomplete: exit 2,
	// and the merged report names it, with the others' findings.
	broken := filepath.Join(tmp, "org", "broken")
	if err := os.MkdirAll(broken, 0o755); err != nil {
		t.Fatal(err)
	}
	code, log = run(filepath.Join(tmp, "sweep2"), api, broken)
	if code != 2 {
		t.Errorf("sweep with an unclonable repository: exit %d, want 2\n%s", code, log)
	}
	b, err := os.ReadFile(filepath.Join(tmp, "sweep2", "merged.json"))
	if err != nil || !strings.Contains(string(b), "local/broken") || !strings.Contains(string(b), "local/api") {
		t.Errorf("merged report of the incomplete sweep does not name both repositories: %v\n%s", err, b)
	}
}

// The workflow's plan: archived repositories, forks and empty ones left out
// and named, pages of GitHub's listing joined, at most 256 chunks.
func TestOrgSweepPlan(t *testing.T) {
	needTools(t, "bash", "jq")
	type repo struct {
		FullName string `json:"full_name"`
		Archived bool   `json:"archived"`
		Fork     bool   `json:"fork"`
		Size     int    `json:"size"`
	}
	var pages []byte
	for p := 0; p < 11; p++ { // 11 pages of 100: 1,100 repositories
		var page []repo
		for i := 0; i < 100; i++ {
			n := p*100 + i
			page = append(page, repo{FullName: "org/r" + strconv.Itoa(n), Archived: n == 1, Fork: n == 2, Size: map[bool]int{true: 0, false: 7}[n == 3]})
		}
		b, _ := json.Marshal(page)
		pages = append(pages, b...)
	}
	dir := t.TempDir()
	c := exec.Command("bash", filepath.Join(repoRoot(t), "scripts", "org-sweep-plan.sh"), dir)
	c.Stdin = strings.NewReader(string(pages))
	c.Env = append(os.Environ(), "CHUNK_SIZE=2")
	out, err := c.Output()
	if err != nil {
		t.Fatalf("org-sweep-plan.sh: %v", err)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		k, v, _ := strings.Cut(line, "=")
		got[k] = v
	}
	if got["repos"] != "1097" || got["skipped"] != "3" || got["size"] != "5" || got["chunks"] != "220" {
		t.Errorf("plan %v, want 1097 repositories, 3 skipped, chunks of 5 (2 would make 549 > 256), 220 chunks", map[string]string{"repos": got["repos"], "skipped": got["skipped"], "size": got["size"], "chunks": got["chunks"]})
	}
	var matrix struct {
		Include []struct {
			Chunk int    `json:"chunk"`
			Repos string `json:"repos"`
		} `json:"include"`
	}
	if err := json.Unmarshal([]byte(got["matrix"]), &matrix); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, m := range matrix.Include {
		if m.Chunk != i+1 {
			t.Errorf("matrix entry %d is chunk %d", i, m.Chunk)
		}
		for _, r := range strings.Fields(m.Repos) {
			if seen[r] {
				t.Errorf("%s in two chunks", r)
			}
			seen[r] = true
		}
	}
	if len(matrix.Include) != 220 || len(seen) != 1097 || seen["org/r1"] || seen["org/r2"] || seen["org/r3"] {
		t.Errorf("matrix: %d chunks, %d repositories (archived/fork/empty included: %v %v %v)", len(matrix.Include), len(seen), seen["org/r1"], seen["org/r2"], seen["org/r3"])
	}
	listed, _ := os.ReadFile(filepath.Join(dir, "listed.tsv"))
	for _, want := range []string{"org/r1\tarchived", "org/r2\tfork", "org/r3\tempty"} {
		if !strings.Contains(string(listed), want+"\n") {
			t.Errorf("listed.tsv does not say %q", want)
		}
	}
}

// needTools skips when a command is missing, except under CI=true, where
// .ci/run has installed them and a missing one fails the test.
func needTools(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed (CI=true: .ci/run installs it)", name)
			}
			t.Skipf("%s is not installed; install it to run this test", name)
		}
	}
}
