// Package git is the only code in clayscan that knows git's on-disk
// formats: repository discovery and open, objects (loose objects, packs and
// their indexes, deltas), commits, tags and trees, refs and revisions. The
// sources in scanner/source, the hooks installer and the CLI read a
// repository through it and nothing else.
//
// Open finds and opens a repository; its Repository reads refs, resolves
// revisions and reads files at a commit. ODB reads objects by hash, and
// exposes the pack entries themselves to the history sweep, which inflates
// each entry once (scanner/source/history_blobs.go).
//
// Why our own readers: go-git's object storer is not safe for concurrent
// use, resolves every delta chain from scratch and at the first delta
// indexes every object of a pack. A full history sweep of redis through it
// ran several times slower than `git cat-file --batch-all-objects`, and a
// pre-commit check of git/git spent 300 ms before reading its first blob;
// linking its object decoders (OpenPGP, curves, a diff library) cost every
// run about 1 ms of package initialisation, and its root package's
// transports about 10 ms. The measurements behind the readers here are in
// docs/performance.md. go-git's types are still used where they cost
// nothing at start-up (plumbing.Hash, filemode, the config parser).
package git
