// Command genhistory writes a synthetic git history shaped like a busy
// monorepo, through git fast-import, for benchmarking history sweeps
// (issue 14). Every commit edits a few files; each edit replaces a few
// lines, so every edit is a new distinct blob.
//
//	go run ./scripts/genhistory -o /tmp/synth.git -commits 200000 -files 40000 -dirs 64
//
// It plants -keys Clay-shaped keys (built at run time from random bytes,
// so this file holds none) in files at evenly spaced commits; every other
// one is removed again by a later commit, so findings cover both in_head
// true and false. The same flags and -seed give the same history, byte
// for byte.
//
// The pack fast-import writes deltifies blobs only against the previous
// blob written, which is another file: like a freshly pushed repository
// before any repack. -repack runs git repack -adf afterwards.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
)

type config struct {
	out      string
	commits  int
	files    int
	dirs     int
	perEdit  int // lines replaced per edit
	edits    int // files edited per commit
	lines    int // lines in a new file
	keys     int
	seed     uint64
	repack   bool
	noImport bool // write the stream to stdout instead of running git
}

func main() {
	var c config
	flag.StringVar(&c.out, "o", "", "bare repository to create (must not exist)")
	flag.IntVar(&c.commits, "commits", 200000, "number of commits")
	flag.IntVar(&c.files, "files", 40000, "number of files")
	flag.IntVar(&c.dirs, "dirs", 64, "number of directories the files are spread over")
	flag.IntVar(&c.edits, "edits", 2, "files edited per commit")
	flag.IntVar(&c.perEdit, "edit-lines", 2, "lines replaced per edit (the edit size)")
	flag.IntVar(&c.lines, "lines", 80, "lines in a new file (about 42 bytes each)")
	flag.IntVar(&c.keys, "keys", 20, "Clay-shaped keys to plant (every other one removed later)")
	flag.Uint64Var(&c.seed, "seed", 1, "random seed")
	flag.BoolVar(&c.repack, "repack", false, "run git repack -adf after the import")
	flag.BoolVar(&c.noImport, "stream", false, "write the fast-import stream to stdout instead")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintf(os.Stderr, "genhistory: %v\n", err)
		os.Exit(2)
	}
}

func run(c config) error {
	if c.commits < 1 || c.files < 1 || c.dirs < 1 || c.edits < 1 || c.lines < 1 || c.perEdit < 1 {
		return fmt.Errorf("-commits, -files, -dirs, -edits, -lines and -edit-lines must be at least 1")
	}
	if c.noImport {
		w := bufio.NewWriterSize(os.Stdout, 1<<20)
		if err := generate(w, c); err != nil {
			return err
		}
		return w.Flush()
	}
	if c.out == "" {
		return fmt.Errorf("name the repository to create with -o DIR (or use -stream)")
	}
	if _, err := os.Stat(c.out); err == nil {
		return fmt.Errorf("%s already exists", c.out)
	}
	if out, err := exec.Command("git", "init", "-q", "--bare", "-b", "main", c.out).CombinedOutput(); err != nil {
		return fmt.Errorf("git init: %v: %s", err, out)
	}
	imp := exec.Command("git", "-C", c.out, "fast-import", "--quiet", "--done")
	imp.Stdout, imp.Stderr = os.Stderr, os.Stderr
	in, err := imp.StdinPipe()
	if err != nil {
		return err
	}
	if err := imp.Start(); err != nil {
		return err
	}
	w := bufio.NewWriterSize(in, 1<<20)
	gerr := generate(w, c)
	if gerr == nil {
		gerr = w.Flush()
	}
	in.Close()
	if err := imp.Wait(); err != nil {
		return fmt.Errorf("git fast-import: %v", err)
	}
	if gerr != nil {
		return gerr
	}
	if c.repack {
		cmd := exec.Command("git", "-C", c.out, "repack", "-adfq")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("git repack: %v", err)
		}
	}
	return nil
}

// words make lines that compress like source code, not like noise.
var words = strings.Fields(`return value index buffer count error result config handler request
	response context stream reader writer offset length header payload status cache table column
	record schema query filter mapping source target node edge graph vertex weight parent child
	module package import export default static public private final const struct field method`)

var exts = []string{".go", ".py", ".ts", ".yaml", ".md", ".json", ".sh", ".txt"}

type gen struct {
	c     config
	rng   *rand.Rand
	files [][]string // current lines of each file; nil until created
}

func (g *gen) path(i int) string {
	return fmt.Sprintf("d%02d/pkg%d/f%06d%s", i%g.c.dirs, (i/g.c.dirs)%4, i, exts[i%len(exts)])
}

func (g *gen) line() string {
	var b strings.Builder
	n := 3 + g.rng.IntN(5)
	for j := 0; j < n; j++ {
		if j > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[g.rng.IntN(len(words))])
	}
	fmt.Fprintf(&b, " = %d", g.rng.IntN(1_000_000))
	return b.String()
}

// key builds a Clay-shaped key from random characters at run time.
func (g *gen) key() string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 32)
	for i := range b {
		b[i] = alnum[g.rng.IntN(len(alnum))]
	}
	return "sk_" + "live_" + string(b)
}

// edit creates file i or replaces perEdit of its lines.
func (g *gen) edit(i int) {
	f := g.files[i]
	if f == nil {
		f = make([]string, g.c.lines)
		for j := range f {
			f[j] = g.line()
		}
		g.files[i] = f
		return
	}
	p := g.rng.IntN(len(f))
	for j := 0; j < g.c.perEdit && p+j < len(f); j++ {
		f[p+j] = g.line()
	}
}

func generate(w *bufio.Writer, c config) error {
	g := &gen{c: c, rng: rand.New(rand.NewPCG(c.seed, 0x636c6179)), files: make([][]string, c.files)}
	const start = int64(1420070400) // 2015-01-01
	// Keys are planted at evenly spaced commits and removed (every other
	// one) a third of the history later, or at the end.
	plant := map[int]int{}  // commit -> key index
	remove := map[int]int{} // commit -> key index
	type planted struct {
		file, line int
		text       string
	}
	keys := make([]planted, c.keys)
	for k := 0; k < c.keys; k++ {
		at := (k*c.commits)/max(c.keys, 1) + c.commits/(2*max(c.keys, 1))
		plant[at] = k
		if k%2 == 1 {
			rm := at + c.commits/3
			if rm >= c.commits {
				rm = c.commits - 1
			}
			if _, taken := plant[rm]; !taken && rm > at {
				remove[rm] = k
			}
		}
	}
	var changed []int
	for n := 0; n < c.commits; n++ {
		changed = changed[:0]
		for e := 0; e < c.edits; e++ {
			i := g.rng.IntN(c.files)
			g.edit(i)
			changed = append(changed, i)
		}
		if k, ok := plant[n]; ok {
			i := changed[0]
			l := g.rng.IntN(len(g.files[i]))
			keys[k] = planted{file: i, line: l, text: "CLAY_API_KEY = \"" + g.key() + "\""}
			g.files[i][l] = keys[k].text
		}
		if k, ok := remove[n]; ok {
			p := keys[k]
			if g.files[p.file][p.line] == p.text {
				g.files[p.file][p.line] = g.line()
			}
			changed = append(changed, p.file)
		}
		when := start + int64(n)*60
		fmt.Fprintf(w, "commit refs/heads/main\nmark :%d\n", n+1)
		fmt.Fprintf(w, "author Dev %d <dev%d@example.com> %d +0000\n", n%97, n%97, when)
		fmt.Fprintf(w, "committer Dev %d <dev%d@example.com> %d +0000\n", n%97, n%97, when)
		msg := fmt.Sprintf("change %d\n", n)
		fmt.Fprintf(w, "data %d\n%s", len(msg), msg)
		if n > 0 {
			fmt.Fprintf(w, "from :%d\n", n)
		}
		done := map[int]bool{}
		for _, i := range changed {
			if done[i] {
				continue
			}
			done[i] = true
			body := strings.Join(g.files[i], "\n") + "\n"
			fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", g.path(i), len(body), body)
		}
		if err := checkWrite(w); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "done\n")
	return checkWrite(w)
}

// checkWrite surfaces a failed write (fast-import exited) early.
func checkWrite(w *bufio.Writer) error {
	if _, err := w.Write(nil); err != nil && err != io.ErrShortWrite {
		return fmt.Errorf("writing the stream: %v", err)
	}
	return nil
}
