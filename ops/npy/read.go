package npy

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/ngs-lab/ngs/internal/fsys"
	"github.com/ngs-lab/ngs/internal/memory"
)

// Options say where files are opened and how strictly they are read. The
// zero value reads and writes anywhere, refuses torn files and checks
// allocations against the machine's available memory. Its methods are the
// package's functions with these options applied.
type Options struct {
	// FS opens every file; nil is the unconfined file system. Only regular
	// files are opened: a FIFO or a device is refused, never waited on.
	FS *fsys.FS
	// Torn accepts a file whose data section ends before its header says
	// (a recording cut short): the whole leading rows are read, and
	// Array.Note says so. Without it such a file is an error.
	Torn bool
	// MemoryLimit bounds the bytes one read may allocate; 0 means the
	// memory available on this machine.
	MemoryLimit uint64
}

// elementSize returns the byte size of a supported little-endian dtype.
func elementSize(descr string) (int, bool) {
	switch descr {
	case "<f4", "<i4", "<u4":
		return 4, true
	case "<f8", "<i8", "<u8":
		return 8, true
	case "<i2", "<u2":
		return 2, true
	case "|i1", "|u1", "|b1", "<i1", "<u1":
		return 1, true
	}
	return 0, false
}

// file is an opened array whose header was checked against the file size.
type file struct {
	f    *os.File
	path string
	h    Header
	size int    // element size in bytes
	n    int    // elements to read (whole rows only for a torn file)
	note string // what differs between the header and the data, if anything
}

// sizeOf returns the elements and bytes a shape of size-byte elements
// describes, or an error when either overflows 63 bits.
func sizeOf(shape []int, size int) (elems, bytes int64, err error) {
	// Every extent counts, even after a zero one, so that any sub-shape's
	// size (a row) is safe to compute too.
	nonzero, zero := int64(1), false
	for _, d := range shape {
		if d == 0 {
			zero = true
			continue
		}
		if nonzero > math.MaxInt64/int64(d) {
			return 0, 0, fmt.Errorf("shape %s has more elements than any array can hold (the product overflows 64 bits)", shapeString(shape))
		}
		nonzero *= int64(d)
	}
	if nonzero > math.MaxInt64/int64(size) {
		return 0, 0, fmt.Errorf("shape %s of %d-byte elements describes more bytes than any file can hold (%.3g)", shapeString(shape), size, float64(nonzero)*float64(size))
	}
	if zero {
		return 0, 0, nil
	}
	return nonzero, nonzero * int64(size), nil
}

// open opens path, parses its header and checks that it holds a C-order
// array of a supported dtype whose declared size the file holds.
func (o Options) open(path string) (*file, error) {
	f, err := o.FS.Open(path)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	fl, err := o.check(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	return fl, nil
}

func (o Options) check(f *os.File, path string) (*file, error) {
	h, err := ReadHeader(bufio.NewReaderSize(f, 4096))
	if err != nil {
		return nil, fmt.Errorf("npy: %s: %w", path, err)
	}
	if h.FortranOrder {
		return nil, fmt.Errorf("npy: %s: fortran_order is True; only C-order arrays are supported (save with np.ascontiguousarray)", path)
	}
	size, ok := elementSize(h.Descr)
	if !ok {
		return nil, fmt.Errorf("npy: %s: unsupported dtype %q (expected little-endian float32/float64 or an integer type)", path, h.Descr)
	}
	elems, need, err := sizeOf(h.Shape, size)
	if err != nil {
		return nil, fmt.Errorf("npy: %s: %w", path, err)
	}
	if elems > math.MaxInt {
		return nil, fmt.Errorf("npy: %s: shape %s has more elements than this platform can index", path, shapeString(h.Shape))
	}
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("npy: %s: %w", path, err)
	}
	have := st.Size() - h.DataOffset
	if have < 0 {
		have = 0
	}
	fl := &file{f: f, path: path, h: h, size: size, n: int(elems)}
	switch {
	case have > need && len(h.Shape) > 0:
		rowBytes := int64(fl.size)
		for _, d := range h.Shape[1:] {
			rowBytes *= int64(d)
		}
		if rowBytes > 0 {
			fl.note = fmt.Sprintf("%s: %d bytes after the %s data its header declares are ignored (%d whole rows of a recording cut off before its header was updated, and %d bytes)",
				path, have-need, shapeString(h.Shape), (have-need)/rowBytes, (have-need)%rowBytes)
		}
	case have < need:
		if err := o.torn(fl, have, need); err != nil {
			return nil, err
		}
	}
	if _, err := f.Seek(h.DataOffset, io.SeekStart); err != nil {
		return nil, fmt.Errorf("npy: %s: %w", path, err)
	}
	return fl, nil
}

// TruncatedError is a file whose data section ends before its header says:
// a recording cut short by a killed run or a full disk. Its message names
// the file, the sizes and the whole rows that are there.
type TruncatedError struct {
	// Path is the file.
	Path string
	// Shape and Descr are what the header declares.
	Shape []int
	Descr string
	// Need is the data bytes the header declares, Have those the file holds.
	Need, Have int64
	// WholeRows is how many whole rows (first-axis entries) the file holds,
	// TornBytes how many bytes of the next one follow them.
	WholeRows, TornBytes int64
}

func (e *TruncatedError) Error() string {
	msg := fmt.Sprintf("npy: %s: data is truncated: shape %s of %s needs %d bytes after the header, the file holds %d", e.Path, shapeString(e.Shape), e.Descr, e.Need, e.Have)
	switch {
	case len(e.Shape) == 0 || e.Shape[0] == 0:
		return msg
	case e.WholeRows == 0:
		return fmt.Sprintf("%s (not even one whole row of %d bytes)", msg, e.Need/int64(e.Shape[0]))
	}
	return fmt.Sprintf("%s (%d whole rows of %d, then %d bytes of a torn row)", msg, e.WholeRows, e.Shape[0], e.TornBytes)
}

// torn handles a data section shorter than the header declares: with
// Options.Torn and at least one whole row, the whole rows are kept;
// otherwise it returns a *TruncatedError.
func (o Options) torn(fl *file, have, need int64) error {
	h := fl.h
	te := &TruncatedError{Path: fl.path, Shape: append([]int(nil), h.Shape...), Descr: h.Descr, Need: need, Have: have}
	if len(h.Shape) == 0 || h.Shape[0] == 0 {
		return te
	}
	rowBytes := need / int64(h.Shape[0])
	whole := have / rowBytes
	te.WholeRows, te.TornBytes = whole, have%rowBytes
	if whole == 0 || !o.Torn {
		return te
	}
	fl.note = fmt.Sprintf("%s: the header declares %d rows but the file holds %d whole rows and %d bytes of a torn row (a recording cut short): reading the %d whole rows",
		fl.path, h.Shape[0], whole, have%rowBytes, whole)
	fl.h.Shape = append([]int{int(whole)}, h.Shape[1:]...)
	fl.n = int(whole * (rowBytes / int64(fl.size)))
	return nil
}

// decode converts element k of raw data of the given dtype to float64.
func decode(descr string, raw []byte, k int) float64 {
	le := binary.LittleEndian
	switch descr {
	case "<f4":
		return float64(math.Float32frombits(le.Uint32(raw[4*k:])))
	case "<f8":
		return math.Float64frombits(le.Uint64(raw[8*k:]))
	case "<i4":
		return float64(int32(le.Uint32(raw[4*k:])))
	case "<u4":
		return float64(le.Uint32(raw[4*k:]))
	case "<i8":
		return float64(int64(le.Uint64(raw[8*k:])))
	case "<u8":
		return float64(le.Uint64(raw[8*k:]))
	case "<i2":
		return float64(int16(le.Uint16(raw[2*k:])))
	case "<u2":
		return float64(le.Uint16(raw[2*k:]))
	case "|i1", "<i1":
		return float64(int8(raw[k]))
	default: // |u1, |b1
		return float64(raw[k])
	}
}

// chunkElems is how many elements are decoded per read.
const chunkElems = 1 << 16

// each reads the data section in chunks, calling put for every element.
func (fl *file) each(put func(k int, raw []byte, j int)) error {
	raw := make([]byte, chunkElems*fl.size)
	for start := 0; start < fl.n; start += chunkElems {
		m := min(chunkElems, fl.n-start)
		if _, err := io.ReadFull(fl.f, raw[:m*fl.size]); err != nil {
			return fmt.Errorf("npy: %s: reading data of shape %s: %w", fl.path, shapeString(fl.h.Shape), err)
		}
		for j := 0; j < m; j++ {
			put(start+j, raw, j)
		}
	}
	return nil
}

// Array is a .npy array read into float32.
type Array struct {
	// Data holds the elements in C order.
	Data []float32
	// Shape is the shape read (the whole rows only, for a torn file).
	Shape []int
	// Descr is the file's dtype, for example "<f8".
	Descr string
	// Note, when not empty, says how the data differed from the header: a
	// torn final row (Options.Torn) or bytes after the declared data.
	Note string
}

// Read reads a whole .npy file into float32, converting float64 and
// integer dtypes, after checking its declared size against the file and
// the memory it needs against the limit.
func (o Options) Read(path string) (*Array, error) {
	fl, err := o.open(path)
	if err != nil {
		return nil, err
	}
	defer fl.f.Close()
	if err := memory.Check(fmt.Sprintf("reading %s (shape %s as float32)", path, shapeString(fl.h.Shape)), 4*float64(fl.n), o.MemoryLimit,
		"load a smaller array, or a slice of it saved with numpy"); err != nil {
		return nil, err
	}
	out := make([]float32, fl.n)
	le := binary.LittleEndian
	if fl.h.Descr == "<f4" {
		err = fl.each(func(k int, raw []byte, j int) { out[k] = math.Float32frombits(le.Uint32(raw[4*j:])) })
	} else {
		descr := fl.h.Descr
		err = fl.each(func(k int, raw []byte, j int) { out[k] = float32(decode(descr, raw, j)) })
	}
	if err != nil {
		return nil, err
	}
	return &Array{Data: out, Shape: fl.h.Shape, Descr: fl.h.Descr, Note: fl.note}, nil
}

// ReadFloat32 reads a whole .npy file into float32 (see Options.Read). It
// returns the data in C order and the shape.
func (o Options) ReadFloat32(path string) ([]float32, []int, error) {
	a, err := o.Read(path)
	if err != nil {
		return nil, nil, err
	}
	return a.Data, a.Shape, nil
}

// ReadFloat64 reads a whole .npy file into float64, converting float32 and
// integer dtypes. It returns the data in C order and the shape.
func (o Options) ReadFloat64(path string) ([]float64, []int, error) {
	fl, err := o.open(path)
	if err != nil {
		return nil, nil, err
	}
	defer fl.f.Close()
	if err := memory.Check(fmt.Sprintf("reading %s (shape %s as float64)", path, shapeString(fl.h.Shape)), 8*float64(fl.n), o.MemoryLimit,
		"load a smaller array"); err != nil {
		return nil, nil, err
	}
	out := make([]float64, fl.n)
	descr := fl.h.Descr
	if err := fl.each(func(k int, raw []byte, j int) { out[k] = decode(descr, raw, j) }); err != nil {
		return nil, nil, err
	}
	return out, fl.h.Shape, nil
}

// ReadFloat32Shape reads path like ReadFloat32 and checks its shape against
// want, where -1 matches any extent. A mismatch is an error naming both
// shapes; it is found from the header, before the data is read.
func (o Options) ReadFloat32Shape(path string, want ...int) ([]float32, []int, error) {
	h, err := o.ReadHeaderFile(path)
	if err != nil {
		return nil, nil, err
	}
	if err := CheckShape(path, h.Shape, want...); err != nil {
		return nil, nil, err
	}
	data, shape, err := o.ReadFloat32(path)
	if err != nil {
		return nil, nil, err
	}
	if err := CheckShape(path, shape, want...); err != nil {
		return nil, nil, err
	}
	return data, shape, nil
}

// ReadHeaderFile returns the header of the .npy file at path, after the
// same checks as Read (for a torn file under Options.Torn, the shape of
// its whole rows).
func (o Options) ReadHeaderFile(path string) (Header, error) {
	fl, err := o.open(path)
	if err != nil {
		return Header{}, err
	}
	fl.f.Close()
	return fl.h, nil
}

// ReadFloat32 is Options{}.ReadFloat32: a whole file into float32.
func ReadFloat32(path string) ([]float32, []int, error) { return Options{}.ReadFloat32(path) }

// ReadFloat64 is Options{}.ReadFloat64: a whole file into float64.
func ReadFloat64(path string) ([]float64, []int, error) { return Options{}.ReadFloat64(path) }

// ReadFloat32Shape is Options{}.ReadFloat32Shape.
func ReadFloat32Shape(path string, want ...int) ([]float32, []int, error) {
	return Options{}.ReadFloat32Shape(path, want...)
}

// ReadHeaderFile is Options{}.ReadHeaderFile.
func ReadHeaderFile(path string) (Header, error) { return Options{}.ReadHeaderFile(path) }

// CheckShape returns an error naming path when shape does not match want
// (-1 in want matches any extent).
func CheckShape(path string, shape []int, want ...int) error {
	ok := len(shape) == len(want)
	for k := 0; ok && k < len(want); k++ {
		ok = want[k] < 0 || want[k] == shape[k]
	}
	if ok {
		return nil
	}
	wantText := shapeString(want)
	return fmt.Errorf("npy: %s: shape mismatch: expected %s, found %s", path, wantText, shapeString(shape))
}
