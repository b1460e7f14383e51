// Package git is the only code in clayscan that knows git's on-disk
// formats: repository discovery and open (with git's format check), the
// config, the index, objects (loose objects, packs and their indexes,
// multi-pack-index, alternates, deltas; SHA-1 and SHA-256), commits, tags
// and trees, refs (loose, packed, reftable; per worktree) and revisions. The
// sources in scanner/source, the hooks installer and the CLI read a
// repository through it and nothing else.
//
// Open finds and opens a repository; its Repository reads refs, resolves
// revisions and reads files at a commit. ODB reads objects by hash, and
// exposes the pack entries themselves to the history sweep, which inflates
// each entry once (scanner/source/history_blobs.go).
//
// Why our own readers: clayscan runs as a pre-commit hook and sweeps whole
// histories, and go-git's were measured too slow for both
// (docs/performance.md). A staged scan of git/git took about 1 s through
// go-git's object storer, 300 ms of it building an offset-to-hash map of
// all 849k objects at the first delta, against 15.9 ms mean for the whole
// command now; its index decoder took 6-11 ms for 4,800 entries; its root
// package's transports cost about 4 ms of start-up per run. Its storer is
// not safe for concurrent use and resolves every delta chain from its
// start, where the history sweep inflates each pack entry once across
// cores (a full sweep of redis through it ran several times slower than
// `git cat-file --batch-all-objects`). It also reads neither SHA-256 repositories, reftable, per-worktree
// refs nor a multi-pack-index. go-git's types are still used where they
// cost nothing at start-up (filemode). Pack entries and loose objects
// inflate with a zlib decoder of our own (inflate.go), which writes each
// stream straight into an output of the size the header declares: 2.7x
// less CPU than compress/zlib over every entry of redis's pack (2.9x fewer
// instructions; BenchmarkInflate), where compress/flate was 45% of a
// history sweep's CPU.
package git
