package git

import "sync"

// The delta-base cache: objects built while resolving delta chains, kept
// for the next chain through them (the history walk reads successive
// versions of the same trees). Least-recently-used rings bounded in bytes.
//
// The ODB's cache is shared by its readers: the parallel walk's workers
// build bases the other one reads next (a cache per worker cost 15% more
// CPU on the synthetic history). It is split into cacheShards rings by
// pack offset, each under its own lock: with one lock, the two workers
// spent about a tenth of that history's CPU waiting or spinning for it
// (issue 14).

// cacheBytes bounds the cache: on git/git (the deepest tree delta chains
// we measure) and the synthetic histories 16 MiB costs the same CPU as
// 32 MiB or 96 MiB (the parallel walk's workers keep the last tree at each
// path besides), and it is anonymous memory a sweep holds throughout its
// walk, twice over once the collector's headroom is counted (issue 14).
const cacheBytes = 16 << 20

// cacheShards is how many rings the cache is split into; each holds up to
// cacheBytes/cacheShards, and an object of cacheBytes/4 or more is not
// kept.
const cacheShards = 8

type cacheEntry struct {
	key        Loc
	typ        ObjectType
	data       []byte
	prev, next *cacheEntry
}

// baseRing is one shard: a map and an LRU ring under one lock.
type baseRing struct {
	mu   sync.Mutex
	m    map[Loc]*cacheEntry
	head *cacheEntry // most recently used
	size int64
}

// baseCache is the ODB's delta-base cache: a base goes to the ring its
// pack offset picks.
type baseCache [cacheShards]baseRing

func newBaseCache() *baseCache {
	c := new(baseCache)
	for i := range c {
		c[i].m = map[Loc]*cacheEntry{}
	}
	return c
}

func (c *baseCache) ring(loc Loc) *baseRing { return &c[uint64(loc.Off)>>4%cacheShards] }

// cached returns the base cached for loc, if any.
func (db *ODB) cached(loc Loc) (ObjectType, []byte, bool) {
	r := db.cache.ring(loc)
	r.mu.Lock()
	defer r.mu.Unlock()
	ce, ok := r.m[loc]
	if !ok {
		return 0, nil, false
	}
	r.touch(ce)
	return ce.typ, ce.data, true
}

// remember caches data as the object at loc, evicting the least recently
// used bases of its ring over the ring's size. Cached data is never
// modified.
func (db *ODB) remember(loc Loc, typ ObjectType, data []byte) {
	if int64(len(data)) >= cacheBytes/4 {
		return
	}
	r := db.cache.ring(loc)
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.m[loc]; ok {
		return
	}
	ce := &cacheEntry{key: loc, typ: typ, data: data}
	r.m[loc] = ce
	r.size += int64(len(data))
	r.touch(ce)
	// The newest entry stays even when it alone is over the ring's share.
	for r.size > cacheBytes/cacheShards && r.head.prev != ce {
		last := r.head.prev
		r.unlink(last)
		delete(r.m, last.key)
		r.size -= int64(len(last.data))
	}
}

// DropCache frees the delta-base cache once the walk no longer needs it.
func (db *ODB) DropCache() {
	for i := range db.cache {
		r := &db.cache[i]
		r.mu.Lock()
		r.m = map[Loc]*cacheEntry{}
		r.head, r.size = nil, 0
		r.mu.Unlock()
	}
}

// touch moves ce to the front of the LRU ring (r.mu held).
func (r *baseRing) touch(ce *cacheEntry) {
	if r.head == ce {
		return
	}
	if ce.next != nil {
		r.unlink(ce)
	}
	if r.head == nil {
		ce.prev, ce.next = ce, ce
	} else {
		h := r.head
		ce.next, ce.prev = h, h.prev
		h.prev.next = ce
		h.prev = ce
	}
	r.head = ce
}

func (r *baseRing) unlink(ce *cacheEntry) {
	if ce.next == ce {
		r.head = nil
	} else {
		ce.prev.next = ce.next
		ce.next.prev = ce.prev
		if r.head == ce {
			r.head = ce.next
		}
	}
	ce.prev, ce.next = nil, nil
}
