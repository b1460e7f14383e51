package scanner

import "golang.org/x/sys/cpu"

// havePairScan: the pair prefilter's vector scan needs PSHUFB (SSSE3);
// with AVX2 it takes 32 positions per instruction instead of 16.
var (
	havePairScan = cpu.X86.HasSSSE3
	useAVX2      = cpu.X86.HasAVX2
)

// pairScan returns the offset of the first pairBlock-byte block of data
// with positions that pass the nibble tables, with a bit per such
// position, or the offset where pairBlock bytes or fewer remain and a
// zero mask. A block is only looked at with the byte after it, so that
// every position has its pair.
func pairScan(data []byte, t *nibbleTables) (off int, mask uint32) {
	if useAVX2 {
		return pairScanAVX2(data, t)
	}
	return pairScanSSSE3(data, t)
}

//go:noescape
func pairScanSSSE3(data []byte, t *nibbleTables) (off int, mask uint32)

//go:noescape
func pairScanAVX2(data []byte, t *nibbleTables) (off int, mask uint32)
