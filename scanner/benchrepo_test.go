package scanner

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Realistic detector input (issue 14). The synthetic inputs of
// bench_test.go hit the prefilter's anchor bytes far less often than real
// code does, so they overstate throughput several times over. Two inputs
// here do not:
//
//   - BenchmarkDetectRepo reads real content from the repository named by
//     CLAYSCAN_BENCH_REPO (a bare clone or a checkout): the text blobs of
//     HEAD ("head") and an even sample of every blob in its object
//     database, up to benchRepoSample bytes ("history"). The git binary
//     reads them; the benchmark is skipped without the variable.
//   - BenchmarkDetectCode runs codeText, a generated mix of C, Go and JS
//     whose anchor-byte and keyword-pair densities match redis's sources
//     (TestCodeTextDensity prints both).
//
//	CLAYSCAN_BENCH_REPO=/work/ext/redis.git go test ./scanner -run '^$' -bench 'Detect(Repo|Code)'

const benchRepoSample = 64 << 20

// repoBlobs holds each repository's blobs once per test binary: reading
// them costs more than a benchmark run.
var repoBlobs struct {
	sync.Mutex
	m map[string][][]byte
}

// benchRepoBlobs returns the text blobs of CLAYSCAN_BENCH_REPO's HEAD
// (history false) or a sample of all its blobs (history true).
func benchRepoBlobs(b testing.TB, history bool) [][]byte {
	repo := os.Getenv("CLAYSCAN_BENCH_REPO")
	if repo == "" {
		b.Skip("CLAYSCAN_BENCH_REPO is not set")
	}
	key := fmt.Sprint(repo, history)
	repoBlobs.Lock()
	defer repoBlobs.Unlock()
	if bs, ok := repoBlobs.m[key]; ok {
		return bs
	}
	var ids []string
	if history {
		out, err := exec.Command("git", "-C", repo, "cat-file", "--batch-all-objects", "--unordered",
			"--batch-check=%(objectname) %(objecttype) %(objectsize)").Output()
		if err != nil {
			b.Fatalf("listing objects of %s: %v", repo, err)
		}
		type obj struct {
			id   string
			size int64
		}
		var blobs []obj
		var total int64
		for _, line := range strings.Split(string(out), "\n") {
			f := strings.Fields(line)
			if len(f) == 3 && f[1] == "blob" {
				n, _ := strconv.ParseInt(f[2], 10, 64)
				blobs = append(blobs, obj{f[0], n})
				total += n
			}
		}
		// Every stride-th blob: an even sample across the pack.
		stride := max(1, int(total/benchRepoSample))
		for i := 0; i < len(blobs); i += stride {
			ids = append(ids, blobs[i].id)
		}
	} else {
		out, err := exec.Command("git", "-C", repo, "ls-tree", "-r", "-z", "HEAD").Output()
		if err != nil {
			b.Fatalf("listing HEAD of %s: %v", repo, err)
		}
		for _, e := range strings.Split(string(out), "\x00") {
			if f := strings.Fields(e); len(f) >= 3 && f[1] == "blob" {
				ids = append(ids, f[2])
			}
		}
	}
	cmd := exec.Command("git", "-C", repo, "cat-file", "--batch")
	cmd.Stdin = strings.NewReader(strings.Join(ids, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("reading blobs of %s: %v", repo, err)
	}
	var bs [][]byte
	r := bufio.NewReader(bytes.NewReader(out))
	for {
		hdr, err := r.ReadString('\n')
		if err != nil {
			break
		}
		f := strings.Fields(hdr)
		if len(f) != 3 {
			b.Fatalf("cat-file: unexpected header %q", hdr)
		}
		n, _ := strconv.Atoi(f[2])
		data := make([]byte, n+1) // and the newline after it
		if _, err := io.ReadFull(r, data); err != nil {
			b.Fatal(err)
		}
		if data = data[:n]; !IsBinary(data) {
			bs = append(bs, data)
		}
	}
	if repoBlobs.m == nil {
		repoBlobs.m = map[string][][]byte{}
	}
	repoBlobs.m[key] = bs
	return bs
}

// benchDetectBlobs runs the detector over each blob as a history run does
// (rejected matches kept), and reports throughput over all of them.
func benchDetectBlobs(b *testing.B, blobs [][]byte) {
	det := newTestDetector(b)
	var total int64
	for _, data := range blobs {
		total += int64(len(data))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, data := range blobs {
			t := Target{Path: "bench", Data: data}
			det.detect(&t, data, 0, len(data), textPos{1, 1}, true, func(Finding, []byte) {})
		}
	}
}

func BenchmarkDetectRepo(b *testing.B) {
	b.Run("head", func(b *testing.B) { benchDetectBlobs(b, benchRepoBlobs(b, false)) })
	b.Run("history", func(b *testing.B) { benchDetectBlobs(b, benchRepoBlobs(b, true)) })
}

// BenchmarkDetectCode runs the detector over codeText in blobs of a few KB
// to a few hundred, as history hands them over.
func BenchmarkDetectCode(b *testing.B) {
	data := codeText(8 << 20)
	var blobs [][]byte
	rng := rand.New(rand.NewPCG(14, 14))
	for len(data) > 0 {
		n := min(len(data), 1<<(10+rng.IntN(9)))
		blobs = append(blobs, data[:n])
		data = data[n:]
	}
	benchDetectBlobs(b, blobs)
}

// codeText builds about n bytes of C, Go and JS without a Clay keyword,
// with the density of the prefilter's anchor bytes (y, b, k, either case)
// and of base64-shaped identifiers that real sources have: see
// TestCodeTextDensity.
func codeText(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 4))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	nouns := []string{"key", "keys", "buf", "buffer", "len", "count", "list", "node", "dict", "elem", "obj", "val",
		"value", "type", "byte", "bytes", "block", "client", "reply", "array", "index", "flags", "ptr", "next",
		"head", "tail", "size", "name", "data", "db", "cmd", "argv", "argc", "server", "slot", "stream", "field",
		"query", "link", "task", "state", "item", "result", "err", "ctx", "req", "res",
		"config", "path", "file", "timer", "event", "string", "count", "offset", "position", "element", "options",
		"master", "replica", "channel", "pattern", "section", "sentinel", "instance", "module", "function"}
	verbs := []string{"get", "set", "add", "del", "free", "create", "lookup", "parse", "write", "read", "make",
		"update", "check", "track", "unblock", "block", "remove", "append", "fetch", "handle", "emit", "apply"}
	upper := []string{"OBJ_STRING", "C_OK", "C_ERR", "LL_DEBUG", "LL_WARNING", "PROTO_REPLY_CHUNK_BYTES", "CLIENT_BLOCKED",
		"OBJ_ENCODING_INT", "NULL", "EINVAL", "SLOT_MASK", "DICT_OK", "CONFIG_RUN_ID_SIZE", "AE_READABLE", "TYPE_LIST"}
	words := []string{"the", "and", "that", "this", "with", "from", "when", "into", "there", "only", "other", "then",
		"command", "memory", "return", "instead", "otherwise", "because", "function", "string", "element", "already",
		"we", "is", "in", "it", "not", "to", "of", "for", "an", "as", "at", "be", "or", "if", "so", "can", "are"}
	sentence := func() string {
		var b strings.Builder
		for i := 8 + rng.IntN(10); i > 0; i-- {
			b.WriteString(pick(words))
			b.WriteByte(' ')
		}
		return strings.TrimSpace(b.String())
	}
	ident := func() string {
		title := func() string { n := pick(nouns); return strings.ToUpper(n[:1]) + n[1:] }
		switch rng.IntN(7) {
		case 0:
			return pick(verbs) + title()
		case 6:
			return pick(verbs) + title() + title() + title()
		case 1:
			return pick(nouns) + "_" + pick(nouns)
		case 2:
			return pick(upper)
		default:
			return pick(nouns)
		}
	}
	var b bytes.Buffer
	for b.Len() < n {
		switch rng.IntN(12) {
		case 0:
			fmt.Fprintf(&b, "/* %s the %s of the %s: %s.\n * %s, %s. */\n",
				pick(verbs), pick(nouns), pick(nouns), sentence(), sentence(), sentence())
		case 1:
			fmt.Fprintf(&b, "static int %s(%s *%s, long long %s) {\n", ident(), ident(), pick(nouns), pick(nouns))
		case 2:
			fmt.Fprintf(&b, "    if (%s->%s == %s) return %s;\n", pick(nouns), pick(nouns), ident(), ident())
		case 3:
			fmt.Fprintf(&b, "    %s = %s(%s, %s->%s, %d);\n", pick(nouns), ident(), pick(nouns), pick(nouns), pick(nouns), rng.IntN(1024))
		case 4:
			fmt.Fprintf(&b, "\t%s, err := %s.%s(ctx, %s)\n\tif err != nil {\n\t\treturn fmt.Errorf(\"%s %s: %%w\", err)\n\t}\n",
				pick(nouns), pick(nouns), strings.Title(ident()), pick(nouns), pick(verbs), pick(nouns))
		case 5:
			fmt.Fprintf(&b, "  const %s = await %s.%s({ %s: %s, %s });\n", ident(), pick(nouns), ident(), pick(nouns), ident(), pick(nouns))
		case 6:
			fmt.Fprintf(&b, "#define %s_%s %d\n", pick(upper), strings.ToUpper(pick(nouns)), rng.IntN(65536))
		case 7:
			fmt.Fprintf(&b, "    listAddNodeTail(c, %s->%s, sdslen(%s));\n", pick(nouns), pick(nouns), ident())
		case 8:
			fmt.Fprintf(&b, "}\n\n")
		case 9:
			fmt.Fprintf(&b, "    for (j = 0; j < %s; j++) %s[j] = %s(%s[j]);\n", ident(), pick(nouns), ident(), pick(nouns))
		case 10:
			fmt.Fprintf(&b, "    serverLog(%s, \"%s %s %s: %%s\", %s);\n", pick(upper), pick(verbs), pick(nouns), pick(nouns), ident())
		case 11:
			fmt.Fprintf(&b, "  test {%s %s} {\n    r %s %s\n  }\n", pick(verbs), pick(nouns), pick(verbs), ident())
		}
	}
	return b.Bytes()
}

// hitDensity counts, per MB of data, what the prefilter's cost grows
// with: bytes equal to an anchor byte (either case), and base64 runs long
// enough to be decoded.
func hitDensity(d *Detector, blobs [][]byte) string {
	var total, runs int
	anchors := make([]int, len(d.groups))
	for _, data := range blobs {
		total += len(data)
		for i, g := range d.groups {
			anchors[i] += bytes.Count(data, []byte{g.b})
		}
		var enc encodedScan
		for p := range data {
			if b64Strong[data[p]] && p >= enc.next {
				enc.runAt(data, p)
			}
		}
		runs += len(enc.runs)
	}
	mb := float64(total) / 1e6
	var sb strings.Builder
	fmt.Fprintf(&sb, "%.1f MB; per MB:", mb)
	for i, g := range d.groups {
		fmt.Fprintf(&sb, " %c %.0f,", g.b, float64(anchors[i])/mb)
	}
	fmt.Fprintf(&sb, " base64 runs %.0f", float64(runs)/mb)
	return sb.String()
}

// TestCodeTextDensity prints codeText's hit density beside the benchmark
// repository's (with -v and CLAYSCAN_BENCH_REPO), to keep the synthetic
// input honest.
func TestCodeTextDensity(t *testing.T) {
	d := newTestDetector(t)
	t.Logf("codeText: %s", hitDensity(d, [][]byte{codeText(4 << 20)}))
	if os.Getenv("CLAYSCAN_BENCH_REPO") != "" {
		t.Logf("HEAD:     %s", hitDensity(d, benchRepoBlobs(t, false)))
		t.Logf("history:  %s", hitDensity(d, benchRepoBlobs(t, true)))
	}
}
