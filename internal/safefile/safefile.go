// Package safefile writes the files clayscan produces (reports, SARIF,
// baselines, .clayscanignore, the pre-commit hook) so that a planted name
// cannot turn a write into an attack, and an error or an interrupt never
// leaves half a file.
//
// Write never follows a symlink to a file: a report.json -> ~/.bashrc
// planted in a repository is refused, not overwritten. The data goes to a
// temporary file in the destination's directory, created 0600, synced, given
// its final mode and renamed into place: readers see the old file or the
// new one, and a hard link to the old file keeps its content. The one
// exception is a destination that is a device or a pipe (-o /dev/stdout,
// -o >(jq .)), which is written in place: nothing there can be overwritten
// or have its mode changed.
package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrSymlink is returned for a destination that is a symlink to a file, or
// a dangling one.
var ErrSymlink = errors.New("it is a symbolic link: refusing to write through it")

// Write replaces the file name with data, created with mode perm (0600 for
// anything that may hold findings).
func Write(name string, data []byte, perm fs.FileMode) error {
	fi, err := os.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		target, serr := os.Stat(name)
		if serr != nil || !isStream(target.Mode()) {
			return fmt.Errorf("%s: %w", name, ErrSymlink)
		}
		return writeStream(name, data)
	case isStream(fi.Mode()):
		return writeStream(name, data)
	case fi.IsDir():
		return fmt.Errorf("%s is a directory", name)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file", name)
	}
	return replace(name, data, perm)
}

// isStream reports a character device or a named pipe: /dev/stdout,
// /dev/null, a shell's process substitution.
func isStream(m fs.FileMode) bool {
	return m&fs.ModeCharDevice != 0 || m&fs.ModeNamedPipe != 0
}

// writeStream writes to an existing device or pipe, checking what was
// opened: if a regular file was swapped in after the check, nothing is
// written (it was opened without O_TRUNC).
func writeStream(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err == nil && !isStream(fi.Mode()) {
		err = fmt.Errorf("%s: %w", name, ErrSymlink)
	}
	if err == nil {
		_, err = f.Write(data)
	}
	return errors.Join(err, f.Close())
}

// replace writes a temporary file next to name and renames it over name.
func replace(name string, data []byte, perm fs.FileMode) (err error) {
	dir, base := filepath.Split(name)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".clayscan-*") // O_EXCL, mode 0600
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// ReadRegular reads name for an update (Write of old content plus new): ok
// is false when it does not exist. A symlink is refused, so that the update
// neither reads nor replaces another file.
func ReadRegular(name string, limit int64) (data []byte, ok bool, err error) {
	fi, err := os.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	case fi.Mode()&fs.ModeSymlink != 0:
		return nil, false, fmt.Errorf("%s: %w", name, ErrSymlink)
	case !fi.Mode().IsRegular():
		return nil, false, fmt.Errorf("%s is not a regular file", name)
	case fi.Size() > limit:
		return nil, false, fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	data, err = os.ReadFile(name)
	return data, err == nil, err
}

// Mode returns the permission bits of an existing regular file, or def.
func Mode(name string, def fs.FileMode) fs.FileMode {
	if fi, err := os.Lstat(name); err == nil && fi.Mode().IsRegular() {
		return fi.Mode().Perm()
	}
	return def
}
