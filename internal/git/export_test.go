package git

// Internals the external tests (package git_test) reach.

// DataForTest is the pack's mapped bytes.
func (p *Pack) DataForTest() []byte { return p.data }

// InflateForTest inflates the zlib stream at the start of src, which must
// inflate to exactly size bytes, and returns how many bytes it took.
func (z *Inflater) InflateForTest(src []byte, size int) ([]byte, int, error) {
	out, used, _, err := z.tables().inflate(src, nil, size, true)
	return out, used, err
}
