// Package shared finds the project's shared reference data (the directory
// ../shared beside the repository, holding reference/*.npy and the
// reference configs) from wherever a test or command runs inside the
// repository.
package shared

import (
	"fmt"
	"os"
	"path/filepath"
)

// Reference returns the path of a file under shared/reference, found by
// walking up from the working directory to the repository root (the
// directory holding go.mod) and looking beside it. The environment variable
// NGS_SHARED, when set, names the shared directory instead.
func Reference(name string) (string, error) {
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "reference", name)
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("shared reference file %s: %w", name, err)
	}
	return path, nil
}

// Dir returns the shared directory.
func Dir() (string, error) {
	if d := os.Getenv("NGS_SHARED"); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(d), "shared"), nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s: cannot locate the shared directory (set NGS_SHARED)", wd)
		}
	}
}

// MustReference is Reference for tests: it fails the test when the file
// is missing.
func MustReference(t interface {
	Helper()
	Fatalf(string, ...any)
}, name string) string {
	t.Helper()
	p, err := Reference(name)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return p
}
