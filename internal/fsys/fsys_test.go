package fsys

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func expectError(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error containing %q, got nil", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not mention %q", err, p)
		}
	}
}

// Symbolic links inside the root that point outside it are not followed
// out, for reading, creating, truncating and renaming, even when the folder
// holding them is inside the root.
func TestConfinedSymlinkEscape(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	outside := filepath.Join(base, "outside")
	for _, d := range []string{filepath.Join(root, "out", "sim"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(outside, "secret.npy")
	os.WriteFile(secret, []byte("keep me"), 0o644)
	link := filepath.Join(root, "out", "sim", "u.npy")
	if err := os.Symlink(secret, link); err != nil {
		t.Fatal(err)
	}
	os.Symlink(outside, filepath.Join(root, "out", "away"))
	fs, err := Confine(root)
	if err != nil {
		t.Fatal(err)
	}
	_, err = fs.Create(link)
	expectError(t, err, "u.npy", "outside the allowed root")
	_, err = fs.Open("out/sim/u.npy")
	expectError(t, err, "outside the allowed root")
	_, err = fs.Create("out/away/new.npy")
	expectError(t, err, "outside the allowed root")
	err = fs.MkdirAll("out/away/sub", 0o755)
	expectError(t, err, "outside the allowed root")
	_, err = fs.Open("../outside/secret.npy")
	expectError(t, err, "outside the allowed root")
	_, err = fs.Open(secret)
	expectError(t, err, "outside the allowed root")
	if b, _ := os.ReadFile(secret); string(b) != "keep me" {
		t.Fatalf("the file outside the root was changed: %q", b)
	}
	if _, err := os.Stat(filepath.Join(outside, "new.npy")); err == nil {
		t.Fatal("a file was created outside the root")
	}
	// Inside the root everything works, by relative and absolute paths,
	// and relative links that stay inside are followed (os.Root treats
	// every absolute link as leaving the root).
	if err := fs.WriteFile("out/a.txt", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Symlink("out/a.txt", filepath.Join(root, "in.txt"))
	if b, err := fs.ReadFile(filepath.Join(root, "in.txt")); err != nil || string(b) != "x" {
		t.Fatalf("link inside the root: %q %v", b, err)
	}
	// WriteFile replaces the link itself, never the file outside.
	if err := fs.WriteFile(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(secret); string(b) != "keep me" {
		t.Fatalf("WriteFile wrote through the link: %q", b)
	}
}

// FIFOs and devices are refused at once, confined or not, for reading and
// writing.
func TestSpecialFilesRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.npy")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	confined, err := Confine(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, fs := range []*FS{nil, confined} {
		done := make(chan error, 3)
		go func() { _, err := fs.Open(fifo); done <- err }()
		go func() { _, err := fs.Create(fifo); done <- err }()
		go func() { _, err := fs.ReadFile(fifo); done <- err }()
		for k := 0; k < 3; k++ {
			select {
			case err := <-done:
				expectError(t, err, "fifo.npy", "named pipe (FIFO)", "only regular files")
			case <-time.After(5 * time.Second):
				t.Fatal("a FIFO blocked")
			}
		}
		expectError(t, fs.WriteFile(fifo, []byte("x"), 0o644), "named pipe")
	}
	_, err = (*FS)(nil).Open("/dev/zero")
	expectError(t, err, "/dev/zero", "a device")
	_, err = (*FS)(nil).Open(dir)
	expectError(t, err, "a directory")
}
