package scanner

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/rules"
)

// The detector benchmarks report throughput (MB/s) on three kinds of input:
// ordinary source without keys, text dense with near-misses that pass the
// keyword prefilter but hold no key, and one 300 KB minified line. The
// source input holds far fewer of the prefilter's anchor bytes than real
// code does: benchrepo_test.go measures on realistic content. Run them
// with
//
//	go test ./scanner -run '^$' -bench Detect -benchtime 2s

// sourceText builds about n bytes of realistic Go, JS and YAML with no
// Clay keyword in it.
func sourceText(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `// handler%d serves the orders endpoint and records metrics.
func handler%d(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), %d*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, "SELECT id, total FROM orders WHERE customer = $1", r.URL.Query().Get("customer"))
	if err != nil {
		http.Error(w, fmt.Sprintf("query failed: %%v", err), http.StatusInternalServerError)
		return
	}
	defer rows.Close()
}

export async function loadOrders%d(client, page = %d) {
  const res = await client.get(`+"`/api/orders?page=${page}`"+`, { timeout: 5000 });
  return res.data.items.map((o) => ({ id: o.id, total: Number(o.total) / 100 }));
}

services:
  worker%d:
    image: registry.internal/worker:%d.4.1
    environment:
      - LOG_LEVEL=info
      - QUEUE_URL=amqp://queue:5672/%d
    restart: unless-stopped
`, i, i, i%30+1, i, i%7, i, i%9, i)
	}
	return b.Bytes()
}

// nearMissText builds about n bytes where nearly every line holds a keyword
// (sk_, clay, CLAY_, Bearer, api.clay.com) but no key.
func nearMissText(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `const clayTable%d = await clay.tables.get("tbl_%d"); // sk_test placeholder, see sk_live_ docs
CLAY_TABLE_ID=tbl_%d
CLAY_API_KEY=${CLAY_API_KEY}
clay_api_key: {{ secrets.CLAY_API_KEY }}
headers: { Authorization: `+"`Bearer ${token}`"+`, "x-clay-webhook-auth": process.env.CLAY_WEBHOOK_AUTH }
fetch("https://api.clay.com/v3/tables/%d/rows", { method: "POST" }) // clay-api-key header, clay_ent_ keys
claySecret := os.Getenv("CLAY_SECRET") // CLAY_WEBHOOK_SECRET, clayApiKey, clay_api_key
`, i, i, i, i)
	}
	return b.Bytes()
}

// minifiedLine builds one line of about n bytes of minified JS with
// near-misses scattered through it.
func minifiedLine(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `var a%d=function(e,t){return e.clay%d?t.sk_x(e):void 0},b%d={url:"https://api.clay.com/v1/x",h:{Authorization:"Bearer "+t}};`, i, i, i)
	}
	return b.Bytes()
}

func benchDetect(b *testing.B, data []byte) {
	det, err := NewDetector(rules.Default())
	if err != nil {
		b.Fatal(err)
	}
	t := &Target{Path: "bench.txt", Data: data}
	n := 0
	det.Detect(t, func(Finding) { n++ })
	if n != 0 {
		b.Fatalf("benchmark input has %d findings; it must hold no key", n)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		det.Detect(t, func(Finding) {})
	}
}

func BenchmarkDetectSource(b *testing.B)   { benchDetect(b, sourceText(4<<20)) }
func BenchmarkDetectNearMiss(b *testing.B) { benchDetect(b, nearMissText(4<<20)) }
func BenchmarkDetectMinified(b *testing.B) { benchDetect(b, minifiedLine(300<<10)) }

// BenchmarkDetectDegenerate runs 300 KB lines made of one keyword-bearing
// token repeated: every byte near a hit, thousands of findings on one line.
// Before hit budgets and per-line bookkeeping these took seconds to minutes.
func BenchmarkDetectDegenerate(b *testing.B) {
	det, err := NewDetector(rules.Default())
	if err != nil {
		b.Fatal(err)
	}
	for _, unit := range []string{"clay", "clay_key: ", "x-clay-webhook-auth:", "clayscan:allow "} {
		data := bytes.Repeat([]byte(unit), (300<<10)/len(unit))
		b.Run(strings.TrimSpace(strings.TrimSuffix(unit, ":")), func(b *testing.B) {
			t := &Target{Data: data}
			b.SetBytes(int64(len(data)))
			for range b.N {
				det.Detect(t, func(Finding) {})
			}
		})
	}
}

// BenchmarkLinkRepeated is the second pass (Options.LinkSecrets) over
// content that repeats a found key on every line.
func BenchmarkLinkRepeated(b *testing.B) {
	v := "q8Zr2Xk9Lp4Tm7Wv3Nb6"
	data := bytes.Repeat([]byte("token = \""+v+"\" # a fixture line\n"), 512<<10/48)
	l := &linkSink{vals: []linked{{secret: []byte(v), first: &Finding{}}}, known: map[string][]span{}}
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		l.found = nil
		l.Scan(Target{Path: "a", Data: data})
	}
}

// BenchmarkLinkMany is the second pass with twenty values over content
// that holds none of them: the common case of a history sweep whose
// first pass found keys (issue 14).
func BenchmarkLinkMany(b *testing.B) {
	r := rand.New(rand.NewSource(20))
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var vals []linked
	for range 20 {
		v := make([]byte, 24+r.Intn(20))
		for i := range v {
			v[i] = alnum[r.Intn(len(alnum))]
		}
		vals = append(vals, linked{secret: v, first: &Finding{}})
	}
	data := bytes.Repeat([]byte("\tif err := parse(ctx, buf[off:], &cfg); err != nil { return fmt.Errorf(\"x: %w\", err) }\n"), 4<<20/88)
	l := &linkSink{vals: vals, known: map[string][]span{}}
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		l.found = nil
		l.Scan(Target{Path: "a", Data: data})
	}
}
