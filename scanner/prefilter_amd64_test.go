package scanner

import (
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// Both vector scans are pairScanGo, where the CPU runs them.
func TestPairScanVectors(t *testing.T) {
	pairs, _ := pairDetectors(t)
	scans := map[string]func([]byte, *nibbleTables) (int, uint32){"ssse3": pairScanSSSE3}
	if cpu.X86.HasAVX2 {
		scans["avx2"] = pairScanAVX2
	}
	rng := rand.New(rand.NewPCG(14, 4))
	for range 3000 {
		data := prefilterInput(rng)
		data = data[rng.IntN(min(len(data), 40)):]
		for name, scan := range scans {
			for i := 0; ; {
				off, mask := scan(data[i:], &pairs.pairs.nib)
				goOff, goMask := pairScanGo(data[i:], &pairs.pairs.nib)
				if off != goOff || mask != goMask {
					t.Fatalf("%s at %d: %d %032b, pairScanGo %d %032b", name, i, off, mask, goOff, goMask)
				}
				if mask == 0 {
					break
				}
				i += off + pairBlock
			}
		}
	}
}
