package git

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
)

// filesBackend reads the "files" ref storage: loose refs (one file per
// ref under refs/, and HEAD) and packed-refs, as one worktree sees them.
// Per-worktree refs come from the worktree's git directory, the others
// from the common one; a loose ref hides a packed one of the same name.
type filesBackend struct {
	gitDir, commonDir string
	format            Format

	packedOnce sync.Once
	packed     map[string]Ref
	packedErr  error
}

// dirFor is the directory holding the loose ref name.
func (b *filesBackend) dirFor(name string) string {
	if isPerWorktree(name) {
		return b.gitDir
	}
	return b.commonDir
}

func (b *filesBackend) read(name string) (Ref, bool, error) {
	ref, ok, err := b.readLoose(name, filepath.Join(b.dirFor(name), filepath.FromSlash(name)))
	if ok || err != nil {
		return ref, ok, err
	}
	if isPerWorktree(name) {
		return Ref{}, false, nil // never packed
	}
	packed, err := b.packedRefs()
	if err != nil {
		return Ref{}, false, err
	}
	ref, ok = packed[name]
	return ref, ok, nil
}

// readLoose reads the loose ref name from path; ok is false when there is
// no such file (or it is a directory).
func (b *filesBackend) readLoose(name, path string) (Ref, bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if fi, serr := os.Stat(path); errors.Is(serr, fs.ErrNotExist) || errors.Is(serr, syscall.ENOTDIR) || (serr == nil && fi.IsDir()) {
			return Ref{}, false, nil
		}
		return Ref{}, false, fmt.Errorf("reading ref %s: %w", name, err)
	}
	ref, err := parseLooseRef(name, data, b.format)
	return ref, err == nil, err
}

// parseLooseRef reads a loose ref file as git's parse_loose_ref_contents
// does: "ref: <name>" or an object name, then optional whitespace. The
// file's content is never quoted in an error: it may be anything.
func parseLooseRef(name string, data []byte, f Format) (Ref, error) {
	if target, ok := bytes.CutPrefix(data, []byte("ref:")); ok {
		t := string(bytes.TrimSpace(target))
		if t == "" {
			return Ref{}, &RefError{Name: name, Why: "an empty symbolic ref"}
		}
		return Ref{Name: name, Target: t}, nil
	}
	n := f.HexSize()
	if len(data) < n || (len(data) > n && !isSpace(int(data[n]))) {
		return Ref{}, &RefError{Name: name}
	}
	h, err := f.parseHash(string(data[:n]))
	if err != nil {
		return Ref{}, &RefError{Name: name}
	}
	return Ref{Name: name, Hash: h}, nil
}

// packedRefs reads the common directory's packed-refs, once.
func (b *filesBackend) packedRefs() (map[string]Ref, error) {
	b.packedOnce.Do(func() {
		b.packed, b.packedErr = readPackedRefs(filepath.Join(b.commonDir, "packed-refs"), b.format)
	})
	return b.packed, b.packedErr
}

// readPackedRefs reads a packed-refs file: an optional "# pack-refs with:"
// header, "<name> SP <ref>" lines, each optionally followed by the
// "^<name>" its tag peels to.
func readPackedRefs(path string, f Format) (map[string]Ref, error) {
	out := map[string]Ref{}
	fh, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading packed-refs: %w", err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := f.HexSize()
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimRight(sc.Text(), "\r")
		switch {
		case s == "" || s[0] == '#':
			continue
		case s[0] == '^':
			if _, err := f.parseHash(s[1:]); err != nil {
				return nil, &RefError{Name: fmt.Sprintf("packed-refs line %d", line), Why: "a bad peeled line"}
			}
			continue
		}
		if len(s) < n+2 || s[n] != ' ' {
			return nil, &RefError{Name: fmt.Sprintf("packed-refs line %d", line)}
		}
		h, err := f.parseHash(s[:n])
		name := s[n+1:]
		if err != nil {
			return nil, &RefError{Name: fmt.Sprintf("%q (packed-refs line %d)", name, line)}
		}
		if !CheckRefName(name) {
			return nil, &RefError{Name: fmt.Sprintf("%q (packed-refs line %d)", name, line), Why: "not a valid ref name"}
		}
		out[name] = Ref{Name: name, Hash: h}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading packed-refs: %w", err)
	}
	return out, nil
}

// walkLoose adds the loose refs under dir/refs to out; keep decides which
// names belong to this directory.
func (b *filesBackend) walkLoose(dir string, keep func(string) bool, out map[string]Ref) error {
	root := filepath.Join(dir, "refs")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == root {
				return nil
			}
			return fmt.Errorf("listing refs: %w", err)
		}
		// git's loose_fill_ref_dir skips names starting with "." and
		// ending in ".lock" (refs/.gitkeep, a ref being written).
		if base := d.Name(); path != root && (base[0] == '.' || strings.HasSuffix(base, ".lock")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if !keep(name) {
			return nil
		}
		if !CheckRefName(name) {
			return &RefError{Name: fmt.Sprintf("%q", name), Why: "not a valid ref name"}
		}
		ref, ok, err := b.readLoose(name, path)
		if err != nil {
			return err
		}
		if ok {
			out[name] = ref
		}
		return nil
	})
	return err
}

func (b *filesBackend) list() ([]Ref, error) {
	all := map[string]Ref{}
	packed, err := b.packedRefs()
	if err != nil {
		return nil, err
	}
	for name, ref := range packed {
		if !isPerWorktree(name) {
			all[name] = ref
		}
	}
	if b.gitDir == b.commonDir {
		if err := b.walkLoose(b.commonDir, func(string) bool { return true }, all); err != nil {
			return nil, err
		}
	} else {
		shared := func(n string) bool { return !isPerWorktree(n) }
		if err := b.walkLoose(b.commonDir, shared, all); err != nil {
			return nil, err
		}
		if err := b.walkLoose(b.gitDir, isPerWorktree, all); err != nil {
			return nil, err
		}
	}
	return sortedRefs(all), nil
}

func (b *filesBackend) perWorktree() ([]Ref, error) {
	all := map[string]Ref{}
	if err := b.walkLoose(b.gitDir, isPerWorktree, all); err != nil {
		return nil, err
	}
	head, ok, err := b.read("HEAD")
	if err != nil {
		return nil, err
	}
	if ok {
		all["HEAD"] = head
	}
	return sortedRefs(all), nil
}

func sortedRefs(m map[string]Ref) []Ref {
	out := make([]Ref, 0, len(m))
	for _, r := range m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// reflog reads logs/<name>: one "<old> <new> <ident>\t<message>" line per
// entry, oldest first.
func (b *filesBackend) reflog(name string) ([]Hash, error) {
	fh, err := os.Open(filepath.Join(b.dirFor(name), "logs", filepath.FromSlash(name)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the reflog of %s: %w", name, err)
	}
	defer fh.Close()
	var out []Hash
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 {
			if h, err := b.format.parseHash(fields[1]); err == nil {
				out = append(out, h)
			}
		}
	}
	return out, nil
}
