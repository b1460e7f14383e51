//go:build !amd64

package scanner

// havePairScan: the pair prefilter has no vector scan on this
// architecture, where the byte search by IndexByte is faster.
const havePairScan = false

func pairScan(data []byte, t *nibbleTables) (off int, mask uint32) { return pairScanGo(data, t) }
