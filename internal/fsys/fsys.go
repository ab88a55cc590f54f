// Package fsys opens the files that script builtins read and write. An FS
// either reaches the whole file system or is confined to one directory tree
// through os.Root, which resolves every path component with openat and
// refuses symbolic links and ".." that lead out of the tree, at the moment
// of the access (no check-then-open race, no path checked only at its
// folder). Symbolic links inside the tree are followed when relative and
// staying inside; an absolute link counts as leaving it. Either way only regular files are opened: a FIFO, a device or a
// socket is refused with an error instead of blocking or streaming forever.
package fsys

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// FS opens files, confined to a directory tree when made by Confine. A nil
// *FS is the unconfined file system; every method accepts it.
type FS struct {
	root  *os.Root
	dir   string // absolute, symbolic links resolved
	alias string // absolute as given, before resolving links
}

// RootDir checks that dir names an existing directory and returns its
// absolute path as given and with symbolic links resolved.
func RootDir(dir string) (abs, real string, err error) {
	if abs, err = filepath.Abs(dir); err != nil {
		return "", "", fmt.Errorf("root %q: %w", dir, err)
	}
	if real, err = filepath.EvalSymlinks(abs); err != nil {
		return "", "", fmt.Errorf("root %q: expected an existing directory: %w", dir, err)
	}
	info, err := os.Stat(real)
	if err != nil {
		return "", "", fmt.Errorf("root %q: %w", dir, err)
	}
	if !info.IsDir() {
		return "", "", fmt.Errorf("root %q: expected a directory, found a file", dir)
	}
	return abs, real, nil
}

// Confine returns an FS whose every access stays inside dir, an existing
// directory. Absolute paths given to it must name a place below dir;
// relative paths are taken relative to dir.
func Confine(dir string) (*FS, error) {
	abs, real, err := RootDir(dir)
	if err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(real)
	if err != nil {
		return nil, fmt.Errorf("root %q: %w", dir, err)
	}
	return &FS{root: r, dir: real, alias: filepath.Clean(abs)}, nil
}

// Confined reports whether the FS is confined to a directory tree.
func (f *FS) Confined() bool { return f != nil && f.root != nil }

// Dir is the directory an FS is confined to (absolute, symbolic links
// resolved), or "" for the unconfined file system.
func (f *FS) Dir() string {
	if f == nil {
		return ""
	}
	return f.dir
}

// Join returns name as the path a user sees: relative names of a confined
// FS are joined to its directory; other names are returned cleaned.
func (f *FS) Join(name string) string {
	if f == nil || f.root == nil {
		return name
	}
	if name == "" {
		return f.dir
	}
	if filepath.IsAbs(name) {
		return filepath.Clean(name)
	}
	return filepath.Join(f.dir, name)
}

// Check reports an error when name cannot lie inside a confined FS: an
// absolute path outside its directory, a relative one that climbs out with
// "..", or one whose existing part leads out through a symbolic link (the
// longest existing prefix is resolved through os.Root). Opening through
// the FS checks again at the moment of the access; Check serves code that
// must hand a path to something else.
func (f *FS) Check(name string) error {
	r, err := f.rel(name)
	if err != nil || f == nil || f.root == nil {
		return err
	}
	for p := r; p != "." && p != string(filepath.Separator); p = filepath.Dir(p) {
		_, err := f.root.Stat(p)
		switch {
		case err == nil:
			return nil
		case isEscape(err):
			return f.wrap(name, err)
		case errors.Is(err, fs.ErrNotExist):
			if _, lerr := f.root.Lstat(p); lerr == nil {
				return fmt.Errorf("path %q: %s is a symbolic link to a missing target", name, f.Join(p))
			}
		default:
			return f.wrap(name, err)
		}
	}
	return nil
}

// rel converts name to a path relative to the confined directory.
func (f *FS) rel(name string) (string, error) {
	if f == nil || f.root == nil {
		return name, nil
	}
	p := name
	if filepath.IsAbs(p) {
		p = filepath.Clean(p)
		r, ok := below(f.dir, p)
		if !ok {
			r, ok = below(f.alias, p)
		}
		if !ok {
			return "", fmt.Errorf("path %q is outside the allowed root %s", name, f.dir)
		}
		p = r
	}
	p = filepath.Clean(p)
	if p == ".." || strings.HasPrefix(p, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("path %q is outside the allowed root %s", name, f.dir)
	}
	return p, nil
}

// below returns path relative to dir when it is dir or lies below it.
func below(dir, path string) (string, bool) {
	r, err := filepath.Rel(dir, path)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
		return "", false
	}
	return r, true
}

// wrap rewrites an error of os.Root so that it names the user's path and
// says plainly when the path led outside the root.
func (f *FS) wrap(name string, err error) error {
	if err == nil {
		return nil
	}
	if f.Confined() && isEscape(err) {
		return fmt.Errorf("path %q leads outside the allowed root %s (through a symbolic link or \"..\")", name, f.dir)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: f.Join(name), Err: pe.Err}
	}
	return err
}

// isEscape reports an os.Root error for a path that leaves the root.
func isEscape(err error) bool {
	return err != nil && strings.Contains(err.Error(), "path escapes from parent")
}

// Open opens a regular file for reading. It never blocks on a FIFO: the
// file is opened non-blocking and anything but a regular file is refused.
func (f *FS) Open(name string) (*os.File, error) {
	return f.openRegular(name, os.O_RDONLY, 0)
}

// Create creates or truncates a regular file for reading and writing. An
// existing FIFO, device or directory at name is refused.
func (f *FS) Create(name string) (*os.File, error) {
	return f.openRegular(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
}

// OpenFile opens name with the given flags, refusing anything but a
// regular file.
func (f *FS) OpenFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	return f.openRegular(name, flag, perm)
}

func (f *FS) openRegular(name string, flag int, perm fs.FileMode) (*os.File, error) {
	// Refuse a special file before opening it: opening a FIFO for writing
	// with O_NONBLOCK fails with ENXIO, for reading it succeeds, and
	// truncating a device is never wanted.
	if info, err := f.Stat(name); err == nil && !info.Mode().IsRegular() {
		return nil, notRegular(f.Join(name), info.Mode())
	}
	var file *os.File
	var err error
	if f == nil || f.root == nil {
		file, err = os.OpenFile(name, flag|nonBlock, perm)
	} else {
		var r string
		if r, err = f.rel(name); err != nil {
			return nil, err
		}
		file, err = f.root.OpenFile(r, flag|nonBlock, perm)
	}
	if err != nil {
		return nil, f.wrap(name, err)
	}
	info, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, f.wrap(name, err)
	}
	if !info.Mode().IsRegular() {
		file.Close()
		return nil, notRegular(f.Join(name), info.Mode())
	}
	return file, nil
}

// notRegular is the error for a FIFO, device, socket or directory.
func notRegular(path string, mode fs.FileMode) error {
	kind := "not a regular file"
	switch {
	case mode.IsDir():
		kind = "a directory"
	case mode&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		kind = "a socket"
	case mode&fs.ModeDevice != 0:
		kind = "a device"
	}
	return fmt.Errorf("%s is %s; only regular files can be read or written", path, kind)
}

// Stat returns the file information of name, following symbolic links
// (inside the root only, for a confined FS).
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	if f == nil || f.root == nil {
		return os.Stat(name)
	}
	r, err := f.rel(name)
	if err != nil {
		return nil, err
	}
	info, err := f.root.Stat(r)
	return info, f.wrap(name, err)
}

// Replaceable returns an error when name exists and is not a regular file
// (a directory, FIFO or device), which a write-then-rename must not
// replace.
func (f *FS) Replaceable(name string) error {
	info, err := f.Stat(name)
	if err != nil || info.Mode().IsRegular() {
		return nil
	}
	return notRegular(f.Join(name), info.Mode())
}

// MkdirAll creates a directory and its parents.
func (f *FS) MkdirAll(name string, perm fs.FileMode) error {
	if f == nil || f.root == nil {
		return os.MkdirAll(name, perm)
	}
	r, err := f.rel(name)
	if err != nil {
		return err
	}
	if r == "." {
		return nil
	}
	return f.wrap(name, f.root.MkdirAll(r, perm))
}

// Rename renames a file.
func (f *FS) Rename(oldname, newname string) error {
	if f == nil || f.root == nil {
		return os.Rename(oldname, newname)
	}
	ro, err := f.rel(oldname)
	if err != nil {
		return err
	}
	rn, err := f.rel(newname)
	if err != nil {
		return err
	}
	return f.wrap(newname, f.root.Rename(ro, rn))
}

// Remove removes a file or an empty directory.
func (f *FS) Remove(name string) error {
	if f == nil || f.root == nil {
		return os.Remove(name)
	}
	r, err := f.rel(name)
	if err != nil {
		return err
	}
	return f.wrap(name, f.root.Remove(r))
}

// ReadFile reads a whole regular file.
func (f *FS) ReadFile(name string) ([]byte, error) {
	file, err := f.Open(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 0, info.Size()+1)
	for {
		n, err := file.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			if errors.Is(err, io.EOF) {
				return buf, nil
			}
			return nil, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

// WriteFile writes data to name through a temporary file in the same
// folder and a rename, so that name holds either its old or its new
// content, never a part.
func (f *FS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	if err := f.Replaceable(name); err != nil {
		return err
	}
	tmp, err := f.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	tmpName := filepath.Join(filepath.Dir(name), filepath.Base(tmp.Name()))
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = f.Rename(tmpName, name)
	}
	if err != nil {
		f.Remove(tmpName)
		return err
	}
	return nil
}

// CreateTemp creates a new regular file in dir whose name is pattern with
// its last "*" replaced by a random string (like os.CreateTemp). The
// returned file's Name is its path as given through dir.
func (f *FS) CreateTemp(dir, pattern string) (*os.File, error) {
	prefix, suffix := pattern, ""
	if i := strings.LastIndex(pattern, "*"); i >= 0 {
		prefix, suffix = pattern[:i], pattern[i+1:]
	}
	for try := 0; ; try++ {
		name := filepath.Join(dir, fmt.Sprintf("%s%d%s", prefix, rand.Uint32(), suffix))
		file, err := f.openRegular(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil || !errors.Is(err, fs.ErrExist) || try == 100 {
			return file, err
		}
	}
}
