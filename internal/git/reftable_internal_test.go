package git

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixtureTables returns the reftable files in testdata's fixtures.
func fixtureTables(t testing.TB) map[string][]byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "reftable", "fixtures.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(h.Name, ".ref") || strings.HasSuffix(h.Name, ".log") {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			out[h.Name] = data
		}
	}
}

func formatOf(name string) Format {
	if strings.Contains(name, "sha256") {
		return SHA256
	}
	return SHA1
}

// A damaged table is an error, never a panic: every truncation and every
// single-byte change of the fixtures' small tables.
func TestReftableDamaged(t *testing.T) {
	for name, data := range fixtureTables(t) {
		if len(data) > 8192 {
			continue
		}
		f := formatOf(name)
		if _, err := parseReftable(data, f); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for n := 0; n < len(data); n++ {
			_, _ = parseReftable(data[:n], f)
		}
		buf := make([]byte, len(data))
		for i := range data {
			copy(buf, data)
			buf[i] ^= 0xff
			_, _ = parseReftable(buf, f)
		}
	}
}

func FuzzReftable(f *testing.F) {
	for name, data := range fixtureTables(f) {
		if len(data) <= 8192 && !strings.Contains(name, "sha256") {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = parseReftable(data, SHA1)
	})
}
