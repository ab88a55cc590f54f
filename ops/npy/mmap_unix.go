//go:build unix

package npy

import (
	"fmt"
	"syscall"
	"unsafe"
)

// Mapped is a read-only memory-mapped float32 .npy file. Data aliases the
// mapping: it is valid until Close and must not be written.
type Mapped struct {
	// Data holds the elements in C order.
	Data []float32
	// Shape is the array's shape (the whole rows only, for a torn file).
	Shape []int
	// Note says how the data differed from the header (see Array.Note).
	Note string
	raw  []byte
	path string
}

// Map memory-maps a little-endian float32 C-order .npy file without copying it.
func Map(path string) (*Mapped, error) { return Options{}.Map(path) }

// Map memory-maps a little-endian float32 C-order .npy file without
// copying it, after the size checks of Read.
func (o Options) Map(path string) (*Mapped, error) {
	fl, err := o.open(path)
	if err != nil {
		return nil, err
	}
	defer fl.f.Close()
	h := fl.h
	if h.Descr != "<f4" {
		return nil, fmt.Errorf("npy: %s: cannot map dtype %q, expected <f4 (float32)", path, h.Descr)
	}
	m := &Mapped{Shape: h.Shape, Note: fl.note, path: path}
	if fl.n == 0 {
		m.Data = []float32{}
		return m, nil
	}
	if h.DataOffset%4 != 0 {
		return nil, fmt.Errorf("npy: %s: data offset %d is not 4-byte aligned", path, h.DataOffset)
	}
	need := h.DataOffset + int64(4*fl.n)
	raw, err := syscall.Mmap(int(fl.f.Fd()), 0, int(need), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("npy: mapping %s: %w", path, err)
	}
	m.raw = raw
	m.Data = unsafe.Slice((*float32)(unsafe.Pointer(&raw[h.DataOffset])), fl.n)
	return m, nil
}

// DropResident takes the mapping's pages out of the process's resident
// memory (madvise MADV_DONTNEED): the file's pages stay in the kernel's page
// cache, and a later read faults them back in without I/O while they are
// cached. Data stays valid. A long pass over a recording calls it now and
// then, so that the pages it read do not add up to the whole file.
func (m *Mapped) DropResident() error {
	if m.raw == nil {
		return nil
	}
	if err := syscall.Madvise(m.raw, syscall.MADV_DONTNEED); err != nil {
		return fmt.Errorf("npy: dropping the resident pages of %s: %w", m.path, err)
	}
	return nil
}

// Close unmaps the file; Data must not be used afterwards.
func (m *Mapped) Close() error {
	if m.raw == nil {
		return nil
	}
	err := syscall.Munmap(m.raw)
	m.raw, m.Data = nil, nil
	if err != nil {
		return fmt.Errorf("npy: unmapping %s: %w", m.path, err)
	}
	return nil
}
