package ngs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ngs-lab/ngs/internal/fsys"
)

// Root confines file paths to a directory tree. Paths are resolved through
// symbolic links (filepath.EvalSymlinks on the longest existing prefix), so
// a link inside the root that points outside it does not let a script out.
type Root struct {
	dir string // absolute, symlinks resolved
}

// NewRoot makes a Root for dir, which must be an existing directory.
func NewRoot(dir string) (*Root, error) {
	_, real, err := fsys.RootDir(dir)
	if err != nil {
		return nil, err
	}
	return &Root{dir: real}, nil
}

// Dir is the root directory (absolute, symbolic links resolved).
func (r *Root) Dir() string { return r.dir }

// Join returns path inside the root: a relative path is joined to the root
// directory, an absolute one is returned cleaned. It does not check.
func (r *Root) Join(path string) string {
	if path == "" {
		return r.dir
	}
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(r.dir, path)
}

// Resolve returns the real path of path (relative paths are taken relative
// to the root) or an error when it lies outside the root.
func (r *Root) Resolve(path string) (string, error) {
	real, err := resolveExisting(r.Join(path))
	if err != nil {
		return "", fmt.Errorf("path %q: %w", path, err)
	}
	if !within(r.dir, real) {
		return "", fmt.Errorf("path %q is outside the allowed root %s", path, r.dir)
	}
	return real, nil
}

// within reports whether path is dir or lies below it.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		return false
	}
	return rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// resolveExisting resolves symbolic links in the longest existing prefix
// of the clean absolute path p and appends the components that do not
// exist yet (a file about to be created).
func resolveExisting(p string) (string, error) {
	var missing []string
	for {
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			for i := len(missing) - 1; i >= 0; i-- {
				real = filepath.Join(real, missing[i])
			}
			return real, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		if _, lerr := os.Lstat(p); lerr == nil {
			// p exists but does not resolve: a dangling symbolic link,
			// whose target could lie anywhere.
			return "", fmt.Errorf("%s is a symbolic link to a missing target", p)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return "", err
		}
		missing = append(missing, filepath.Base(p))
		p = parent
	}
}
