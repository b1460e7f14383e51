package ignore

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkMatch decides 10,000 paths under a root .gitignore of 200 lines
// (the size of git.git's) and a nested one, as a worktree walk does.
func BenchmarkMatch(b *testing.B) {
	root := b.TempDir()
	var gi strings.Builder
	for i := 0; i < 200; i++ {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&gi, "/build-%d/\n", i)
		case 1:
			fmt.Fprintf(&gi, "*.o%d\n", i)
		case 2:
			fmt.Fprintf(&gi, "**/gen-%d/*.[ch]\n", i)
		default:
			fmt.Fprintf(&gi, "!keep-%d.txt\n", i)
		}
	}
	gi.WriteString(".env*\n!.env.example\n")
	if err := os.WriteFile(filepath.Join(root, ".gitignore"), []byte(gi.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "src", "pkg"), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "src", ".gitignore"), []byte("*.tmp\n/pkg/out/\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	paths := make([]string, 10000)
	for i := range paths {
		paths[i] = fmt.Sprintf("src/pkg/d%d/file%d.go", i%100, i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		m := New(root, Options{})
		for _, p := range paths {
			m.Match(p, false)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(paths)), "ns/path")
}
