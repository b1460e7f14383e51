package git

import "sort"

// Ordinals number the packed objects densely, so that a reader can keep
// what it knows about each object in flat arrays and bitsets instead of
// maps keyed by 32-byte ids (the history sweep holds something per object
// until it ends: issue 14). An object's ordinal is its pack's first
// ordinal plus its position in that pack's index (hash order); the packs
// are numbered in Packs order. An object stored in several packs has one
// ordinal, that of the copy Locate finds. Loose objects have none.

// PackedObjects is the number of ordinals: the objects in all packs,
// duplicates counted in each.
func (db *ODB) PackedObjects() int {
	db.ordinals()
	return db.firstOrd[len(db.packs)]
}

// ordinals computes the packs' first ordinals once.
func (db *ODB) ordinals() {
	db.ordOnce.Do(func() {
		db.firstOrd = make([]int, len(db.packs)+1)
		db.packNum = make(map[*Pack]int, len(db.packs))
		for i, p := range db.packs {
			db.firstOrd[i+1] = db.firstOrd[i] + p.Len()
			db.packNum[p] = i
		}
	})
}

// Ordinal returns h's ordinal; ok is false when h is not packed.
func (db *ODB) Ordinal(h Hash) (int, bool) {
	db.ordinals()
	for _, m := range db.midxs {
		if loc, ok := m.find(h); ok {
			if i, ok := loc.Pack.FindIndex(h); ok {
				return db.firstOrd[db.packNum[loc.Pack]] + i, true
			}
		}
	}
	for _, p := range db.lone {
		if i, ok := p.FindIndex(h); ok {
			return db.firstOrd[db.packNum[p]] + i, true
		}
	}
	return 0, false
}

// packOf returns the pack holding ordinal o and o's index in it.
func (db *ODB) packOf(o int) (*Pack, int) {
	db.ordinals()
	k := sort.SearchInts(db.firstOrd, o+1) - 1 // the last pack starting at or before o
	return db.packs[k], o - db.firstOrd[k]
}

// OrdinalHash is the id of the object with ordinal o.
func (db *ODB) OrdinalHash(o int) Hash {
	p, i := db.packOf(o)
	return p.HashAt(i)
}

// OrdinalLoc is where the object with ordinal o is; ok is false when its
// index entry points outside the pack's offset table.
func (db *ODB) OrdinalLoc(o int) (Loc, bool) {
	p, i := db.packOf(o)
	off := p.OffsetAt(i)
	return Loc{Pack: p, Off: off}, off >= 0
}
