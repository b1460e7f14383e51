package scanner

import "golang.org/x/sys/cpu"

// havePairScan: the pair prefilter's vector scan needs PSHUFB (SSSE3).
var havePairScan = cpu.X86.HasSSSE3

// pairScan returns the offset of the first 16-byte block of data whose
// positions pass the nibble tables, with a bit per such position, or the
// offset where fewer than 17 bytes remain and a zero mask. A block is
// only looked at with the byte after it, so that every position has its
// pair.
func pairScan(data []byte, t *nibbleTables) (off int, mask uint32) {
	return pairScanSSSE3(data, t)
}

//go:noescape
func pairScanSSSE3(data []byte, t *nibbleTables) (off int, mask uint32)
