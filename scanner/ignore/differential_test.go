package ignore

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The differential test is the proof behind "ignored means what git says"
// (issue 4): it generates many ignore-file layouts — nested .gitignore
// files, .git/info/exclude, a global excludes file found through the user's
// git config, negations, dir-only, anchored, "**", "?", classes, escapes,
// trailing spaces, CRLF, comments, malformed lines — and env-file paths,
// and requires the Matcher's verdict to equal `git check-ignore --no-index`
// on every path. It also compares which line decided, as
// `git check-ignore -v` reports it.

var layouts = 200 // × ~125 paths each

func TestDifferentialAgainstGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	n := layouts
	if testing.Short() {
		n = 60
	}
	var cases, decided int
	st := stats{}
	for seed := 0; seed < n; seed++ {
		c, d := runLayout(t, int64(seed), st)
		cases += c
		decided += d
		if t.Failed() {
			return
		}
	}
	t.Logf("git's verdicts: %v", st)
	t.Logf("%d layouts, %d paths: verdict equal to git check-ignore on all %d; deciding pattern and line equal on %d", n, cases, cases, decided)
}

// Name pools chosen so that patterns and paths collide often.
var (
	dirNames = []string{"a", "b", "config", "sub", "Deep", ".env", "env", "x y", "node_modules", "app", "[ab]", "a*b", "!neg", "#hash", "back\\sl"}
	envNames = []string{
		".env", ".env.local", ".env.production", ".env.staging.local", ".env.development.local",
		".env.example", ".env.sample", ".env.template", ".env.dist", ".env.defaults",
		"app.env", "prod.env", "x.env", ".ENV", ".env.Local", ".envrc", "env", ".env.",
		"!x.env", "#x.env", "a b.env", "foo*.env", "q?.env", "[ab].env", "back\\slash.env",
		"trail .env ", ".env\tab", "é.env", "a", "b.txt",
	}
)

type layout struct {
	r     *rand.Rand
	root  string
	dirs  []string // relative, "" for root
	files []string // relative file paths
	fold  bool
}

// stats shows the test exercises every kind of decision.
type stats map[string]int

func runLayout(t *testing.T, seed int64, st stats) (cases, decided int) {
	t.Helper()
	l := &layout{r: rand.New(rand.NewSource(seed)), root: t.TempDir()}
	l.build(t)
	paths := append([]string{}, l.files...)
	for _, d := range l.dirs {
		if d != "" {
			paths = append(paths, d)
		}
	}
	sort.Strings(paths)
	want := gitCheckIgnore(t, l.root, paths)
	m := forRepo(t, l.root)
	for i, p := range paths {
		fi, err := os.Lstat(filepath.Join(l.root, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		got := m.Match(p, fi.IsDir())
		w := want[i]
		if got.Ignored != w.ignored {
			t.Errorf("seed %d: %q: clayscan ignored=%v (%s %q), git ignored=%v (%s:%s %q)\n%s",
				seed, p, got.Ignored, got.Source, got.Pattern, w.ignored, w.source, w.line, w.pattern, l.dump())
			return cases, decided
		}
		cases++
		st.add(p, w)
		if d, _ := m.decide(p, fi.IsDir()); w.ignored && !d.Ignored {
			st["ignored only because a parent directory is"]++
		}
		if got.Ignored && strings.HasPrefix(w.pattern, "!") {
			st["negation below an excluded dir"]++
		}
		if got.Pattern == w.pattern && (w.pattern == "" || (got.File == w.source && strconv.Itoa(got.Line) == w.line)) {
			decided++
		} else {
			t.Errorf("seed %d: %q: same verdict but clayscan says %s %q, git says %s:%s %q", seed, p, got.Source, got.Pattern, w.source, w.line, w.pattern)
		}
	}
	return cases, decided
}

func (st stats) add(p string, w gitVerdict) {
	switch {
	case w.pattern == "":
		st["no match"]++
	case !w.ignored:
		st["re-included"]++
	default:
		st["ignored"]++
	}
	switch {
	case w.source == "":
	case strings.HasPrefix(w.source, ".git/"):
		st["by info/exclude"]++
	case filepath.IsAbs(w.source):
		st["by global file"]++
	case w.source != ".gitignore":
		st["by nested .gitignore"]++
	}
}

type gitVerdict struct {
	ignored               bool
	source, line, pattern string
}

// gitCheckIgnore asks git about all paths in one process: -v -n prints the
// deciding line for every path (negations and non-matches included), -z
// keeps odd file names intact.
func gitCheckIgnore(t *testing.T, root string, paths []string) []gitVerdict {
	t.Helper()
	cmd := exec.Command("git", "check-ignore", "--no-index", "--stdin", "-z", "-v", "-n")
	cmd.Dir = root
	cmd.Env = gitEnv(root)
	cmd.Stdin = strings.NewReader(strings.Join(paths, "\x00") + "\x00")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Fatalf("git check-ignore: %v: %s", err, stderr.String())
		}
	}
	fields := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(fields) != 4*len(paths) {
		t.Fatalf("git check-ignore: %d fields for %d paths: %q", len(fields), len(paths), out)
	}
	res := make([]gitVerdict, len(paths))
	for i := range paths {
		f := fields[4*i : 4*i+4]
		if f[3] != paths[i] {
			t.Fatalf("git check-ignore answered for %q, asked %q", f[3], paths[i])
		}
		res[i] = gitVerdict{source: f[0], line: f[1], pattern: f[2], ignored: f[2] != "" && !strings.HasPrefix(f[2], "!")}
	}
	return res
}

func gitEnv(root string) []string {
	home := filepath.Join(root, "home")
	return []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1", "LC_ALL=C",
	}
}

func (l *layout) pick(s []string) string { return s[l.r.Intn(len(s))] }

func (l *layout) write(rel, data string) {
	full := filepath.Join(l.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		panic(err)
	}
	if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
		panic(err)
	}
}

func (l *layout) build(t *testing.T) {
	r := l.r
	// A minimal repository: git only needs HEAD, objects and refs.
	for _, d := range []string{".git/objects", ".git/refs/heads", ".git/info", "home/.config/git"} {
		if err := os.MkdirAll(filepath.Join(l.root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	l.write(".git/HEAD", "ref: refs/heads/main\n")
	cfg := "[core]\n\trepositoryformatversion = 0\n\tbare = false\n"
	if r.Intn(8) == 0 {
		l.fold = true
		cfg += "\tignorecase = true\n"
	}
	l.write(".git/config", cfg)

	// Directory tree, up to depth 4.
	l.dirs = []string{""}
	for i, n := 0, 4+r.Intn(9); i < n; i++ {
		parent := l.pick(l.dirs)
		if strings.Count(parent, "/") >= 3 {
			continue
		}
		d := l.pick(dirNames)
		if parent != "" {
			d = parent + "/" + d
		}
		if !contains(l.dirs, d) {
			l.dirs = append(l.dirs, d)
		}
	}
	seen := map[string]bool{}
	for i, n := 0, 80+r.Intn(100); i < n; i++ {
		d := l.pick(l.dirs)
		f := l.pick(envNames)
		if d != "" {
			f = d + "/" + f
		}
		if seen[f] || contains(l.dirs, f) || l.isDirPrefix(f) {
			continue
		}
		seen[f] = true
		l.files = append(l.files, f)
		l.write(f, "K=v\n")
	}
	for _, d := range l.dirs {
		if err := os.MkdirAll(filepath.Join(l.root, filepath.FromSlash(d)), 0o755); err != nil {
			t.Fatal(err)
		}
	}

	// Ignore files: the root's most of the time, some nested ones,
	// info/exclude and a global file reached in one of git's ways.
	for _, d := range l.dirs {
		if (d == "" && r.Intn(5) > 0) || (d != "" && r.Intn(2) == 0) {
			name := ".gitignore"
			if d != "" {
				name = d + "/.gitignore"
			}
			l.write(name, l.ignoreFile(d))
		}
	}
	global := l.ignoreFile("")
	switch r.Intn(6) {
	case 0: // default location
		l.write("home/.config/git/ignore", global)
	case 1: // core.excludesFile with ~/
		l.write("home/.gitconfig", "[core]\n\texcludesFile = ~/global.ignore\n")
		l.write("home/global.ignore", global)
	case 2: // absolute, in the XDG config, overriding the default file
		l.write("home/.config/git/config", "[core]\n\texcludesfile = "+filepath.Join(l.root, "home", "g2.ignore")+"\n")
		l.write("home/g2.ignore", global)
		l.write("home/.config/git/ignore", "*\n")
	case 3: // through an include of the global config
		l.write("home/.gitconfig", "[include]\n\tpath = inc.cfg\n")
		l.write("home/inc.cfg", "[core]\n\texcludesFile = "+filepath.Join(l.root, "home", "g3.ignore")+"\n")
		l.write("home/g3.ignore", global)
	case 4: // the repository's config overrides the global one
		l.write("home/.gitconfig", "[core]\n\texcludesFile = ~/unused.ignore\n")
		l.write("home/unused.ignore", "*\n")
		l.write(".git/config", cfg+"\texcludesFile = "+filepath.Join(l.root, "home", "g4.ignore")+"\n")
		l.write("home/g4.ignore", global)
	default:
		global = ""
	}
	if r.Intn(2) == 0 {
		info := l.ignoreFile("")
		if r.Intn(2) == 0 {
			// info/exclude outranks the global file: flip its lines there.
			for _, line := range strings.Split(global, "\n") {
				if strings.HasPrefix(line, "!") {
					info += "\n" + line[1:]
				} else if line != "" {
					info += "\n!" + line
				}
			}
		}
		l.write(".git/info/exclude", info)
	}
	for _, kv := range [][2]string{{"HOME", filepath.Join(l.root, "home")}, {"XDG_CONFIG_HOME", filepath.Join(l.root, "home", ".config")}, {"GIT_CONFIG_NOSYSTEM", "1"}, {"GIT_CONFIG_GLOBAL", ""}, {"GIT_CONFIG_COUNT", ""}} {
		t.Setenv(kv[0], kv[1])
		if kv[1] == "" {
			os.Unsetenv(kv[0])
		}
	}
}

func (l *layout) isDirPrefix(f string) bool {
	for _, d := range l.dirs {
		if strings.HasPrefix(d, f+"/") {
			return true
		}
	}
	return false
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

func (l *layout) dump() string {
	var b strings.Builder
	_ = filepath.Walk(l.root, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(l.root, p)
		base := filepath.Base(p)
		if base == ".gitignore" || base == "exclude" || strings.HasSuffix(base, ".ignore") || base == "ignore" || strings.Contains(base, "config") {
			data, _ := os.ReadFile(p)
			fmt.Fprintf(&b, "--- %s\n%q\n", rel, data)
		}
		return nil
	})
	return b.String()
}

// ignoreFile writes 1–8 lines aimed at the layout's paths, seen from dir.
func (l *layout) ignoreFile(dir string) string {
	r := l.r
	var b strings.Builder
	if r.Intn(20) == 0 {
		b.WriteString("\xef\xbb\xbf")
	}
	for i, n := 0, 1+r.Intn(8); i < n; i++ {
		b.WriteString(l.patternLine(dir))
		switch r.Intn(12) {
		case 0:
			b.WriteString("\r\n")
		case 1:
			if i == n-1 {
				continue // no final newline
			}
			b.WriteString("\n")
		default:
			b.WriteString("\n")
		}
	}
	return b.String()
}

func (l *layout) patternLine(dir string) string {
	r := l.r
	switch r.Intn(40) {
	case 0:
		return "# comment .env"
	case 1:
		return ""
	case 2:
		return "   "
	case 3:
		return l.pick([]string{"[a", "[[:foo:]]", "\\", "!", "/", "**", "*", "[]", "[!]]", "a[", ".env[", "[[:alpha:].env", "**/", "/**", "!*", "\\#x.env", "\\!x.env", "*\\", "\r"})
	}
	// Build from a real path under dir so that it often matches.
	var target string
	for tries := 0; tries < 5; tries++ {
		c := l.pick(append(l.files, l.dirs...))
		if dir == "" || strings.HasPrefix(c, dir+"/") {
			target = strings.TrimPrefix(c, dir+"/")
			if dir == "" {
				target = c
			}
			break
		}
	}
	if target == "" {
		target = l.pick(envNames)
	}
	segs := strings.Split(target, "/")
	// Keep a suffix of the segments (unanchored) or all of them.
	if k := r.Intn(len(segs)); r.Intn(2) == 0 {
		segs = segs[k:]
	}
	for i := range segs {
		segs[i] = l.mutate(segs[i])
	}
	p := strings.Join(segs, "/")
	switch r.Intn(8) {
	case 0:
		p = "/" + p
	case 1:
		p = "**/" + p
	case 2:
		if len(segs) > 1 {
			p = segs[0] + "/**/" + strings.Join(segs[1:], "/")
		}
	case 3:
		p = p + "/**"
	case 4:
		p = l.pick([]string{"*/", "a**/", "**", "*/**/", "?/"}) + p
	}
	if i := strings.IndexByte(p[1:], '/') + 1; i > 0 && r.Intn(4) == 0 {
		// A wildcard where the path has a slash: must not cross it.
		p = p[:i] + l.pick([]string{"?", "*", "[/]", "[!a]", "[^.]", "[.-0]", "[[:punct:]]"}) + p[i+1:]
	}
	if r.Intn(5) == 0 {
		p += "/"
	}
	if r.Intn(4) == 0 {
		p = "!" + p
	}
	switch r.Intn(10) {
	case 0:
		p += "  "
	case 1:
		p += "\\ "
	case 2:
		p += "\t"
	case 3:
		p += " \\  "
	}
	return p
}

// mutate turns a literal name into a glob that may or may not still match
// it: wildcards, classes of every kind, escapes, case changes.
func (l *layout) mutate(s string) string {
	r := l.r
	if s == "" {
		return s
	}
	out := escapeGlob(s)
	for k := r.Intn(3); k > 0; k-- {
		b := []byte(s)
		i := r.Intn(len(b))
		c := b[i]
		pre, post := escapeGlob(string(b[:i])), escapeGlob(string(b[i+1:]))
		var mid string
		switch r.Intn(14) {
		case 0:
			mid = "?"
		case 1:
			mid = "*"
		case 2:
			mid = "[" + string(c) + "x]"
		case 3:
			mid = "[!" + string(c) + "]"
		case 4:
			mid = "[^a-c]"
		case 5:
			mid = "[a-z]"
		case 6:
			mid = "[[:alpha:]]"
		case 7:
			mid = "[[:punct:][:digit:]]"
		case 8:
			mid = "[]" + string(c) + "]"
		case 9:
			mid = "\\" + string(c)
		case 10:
			mid = strings.ToUpper(string(c))
		case 11:
			mid = "**"
		case 12:
			mid = "[.-/]"
		case 13:
			mid = "[\\" + string(c) + "]"
		}
		out = pre + mid + post
		s = out // further mutations work on the glob, keeping it valid-ish
		if r.Intn(2) == 0 {
			break
		}
	}
	if r.Intn(6) == 0 {
		out = "*" + out[min(len(out), 1+r.Intn(3)):]
	}
	return out
}

func escapeGlob(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isGlobSpecial(s[i]) {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	if strings.HasPrefix(b.String(), "#") || strings.HasPrefix(b.String(), "!") {
		return "\\" + b.String()
	}
	return b.String()
}

// TestRealRepository compares every tracked path and directory of a real
// work tree with git: CLAYSCAN_IGNORE_REPO=/path/to/repo go test -run Real.
func TestRealRepository(t *testing.T) {
	root := os.Getenv("CLAYSCAN_IGNORE_REPO")
	if root == "" {
		t.Skip("set CLAYSCAN_IGNORE_REPO to a work tree")
	}
	cmd := exec.Command("git", "ls-files", "-z")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var paths []string
	for _, p := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		for d := p; d != "" && !seen[d]; d = parentDir(d) {
			seen[d] = true
			paths = append(paths, d)
		}
	}
	sort.Strings(paths)
	cmd = exec.Command("git", "check-ignore", "--no-index", "--stdin", "-z", "-v", "-n")
	cmd.Dir = root
	cmd.Stdin = strings.NewReader(strings.Join(paths, "\x00") + "\x00")
	out, err = cmd.Output()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
		t.Fatal(err)
	}
	fields := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	m := forRepo(t, root)
	ignored := 0
	for i, p := range paths {
		fi, err := os.Lstat(filepath.Join(root, p))
		isDir := err == nil && fi.IsDir()
		want := fields[4*i+2] != "" && !strings.HasPrefix(fields[4*i+2], "!")
		if got := m.Match(p, isDir); got.Ignored != want {
			t.Errorf("%s: clayscan %v (%s), git %v (%s:%s)", p, got.Ignored, got.Source, want, fields[4*i], fields[4*i+1])
		}
		if want {
			ignored++
		}
	}
	t.Logf("%d paths, %d of them matched by an ignore rule although tracked: all equal to git", len(paths), ignored)
}
