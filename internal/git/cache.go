package git

// The delta-base cache: objects built while resolving delta chains, kept
// for the next chain through them (the history walk reads successive
// versions of the same trees). A least-recently-used ring bounded in bytes.

type cacheEntry struct {
	key        Loc
	typ        ObjectType
	data       []byte
	prev, next *cacheEntry
}

// cached returns the base cached for loc, if any.
func (db *ODB) cached(loc Loc) (ObjectType, []byte, bool) {
	db.mu.Lock()
	defer db.mu.Unlock()
	ce, ok := db.cache[loc]
	if !ok {
		return 0, nil, false
	}
	db.touch(ce)
	return ce.typ, ce.data, true
}

// remember caches data as the object at loc, evicting the least recently
// used bases over the cache's size. Cached data is never modified.
func (db *ODB) remember(loc Loc, typ ObjectType, data []byte) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if _, ok := db.cache[loc]; ok || int64(len(data)) >= db.cacheMax/4 {
		return
	}
	ce := &cacheEntry{key: loc, typ: typ, data: data}
	db.cache[loc] = ce
	db.cacheSize += int64(len(data))
	db.touch(ce)
	for db.cacheSize > db.cacheMax && db.cacheHead != nil {
		last := db.cacheHead.prev
		db.unlink(last)
		delete(db.cache, last.key)
		db.cacheSize -= int64(len(last.data))
	}
}

// DropCache frees the delta-base cache once the walk no longer needs it.
func (db *ODB) DropCache() {
	db.mu.Lock()
	db.cache = map[Loc]*cacheEntry{}
	db.cacheHead, db.cacheSize = nil, 0
	db.cacheMax = 16 << 20
	db.mu.Unlock()
}

// touch moves ce to the front of the LRU ring (db.mu held).
func (db *ODB) touch(ce *cacheEntry) {
	if db.cacheHead == ce {
		return
	}
	if ce.next != nil {
		db.unlink(ce)
	}
	if db.cacheHead == nil {
		ce.prev, ce.next = ce, ce
	} else {
		h := db.cacheHead
		ce.next, ce.prev = h, h.prev
		h.prev.next = ce
		h.prev = ce
	}
	db.cacheHead = ce
}

func (db *ODB) unlink(ce *cacheEntry) {
	if ce.next == ce {
		db.cacheHead = nil
	} else {
		ce.prev.next = ce.next
		ce.next.prev = ce.prev
		if db.cacheHead == ce {
			db.cacheHead = ce.next
		}
	}
	ce.prev, ce.next = nil, nil
}
