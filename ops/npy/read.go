package npy

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
)

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

// openArray opens path, parses its header and checks that it holds a C-order
// array of a supported dtype.
func openArray(path string) (*os.File, Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Header{}, fmt.Errorf("npy: %w", err)
	}
	h, err := ReadHeader(bufio.NewReaderSize(f, 4096))
	if err != nil {
		f.Close()
		return nil, Header{}, fmt.Errorf("npy: %s: %w", path, err)
	}
	if h.FortranOrder {
		f.Close()
		return nil, Header{}, fmt.Errorf("npy: %s: fortran_order is True; only C-order arrays are supported (save with np.ascontiguousarray)", path)
	}
	if _, ok := elementSize(h.Descr); !ok {
		f.Close()
		return nil, Header{}, fmt.Errorf("npy: %s: unsupported dtype %q (expected little-endian float32/float64 or an integer type)", path, h.Descr)
	}
	if _, err := f.Seek(h.DataOffset, io.SeekStart); err != nil {
		f.Close()
		return nil, Header{}, fmt.Errorf("npy: %s: %w", path, err)
	}
	return f, h, nil
}

// readRaw reads the whole data section of an opened array.
func readRaw(f *os.File, path string, h Header) ([]byte, error) {
	size, _ := elementSize(h.Descr)
	n := h.Elements()
	raw := make([]byte, n*size)
	if _, err := io.ReadFull(f, raw); err != nil {
		return nil, fmt.Errorf("npy: %s: data is truncated: expected %d bytes for shape %s of %s: %w",
			path, len(raw), shapeString(h.Shape), h.Descr, err)
	}
	return raw, nil
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

// ReadFloat32 reads a whole .npy file into float32, converting float64 and
// integer dtypes. It returns the data in C order and the shape.
func ReadFloat32(path string) ([]float32, []int, error) {
	f, h, err := openArray(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	raw, err := readRaw(f, path, h)
	if err != nil {
		return nil, nil, err
	}
	out := make([]float32, h.Elements())
	if h.Descr == "<f4" {
		for k := range out {
			out[k] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*k:]))
		}
		return out, h.Shape, nil
	}
	for k := range out {
		out[k] = float32(decode(h.Descr, raw, k))
	}
	return out, h.Shape, nil
}

// ReadFloat64 reads a whole .npy file into float64, converting float32 and
// integer dtypes. It returns the data in C order and the shape.
func ReadFloat64(path string) ([]float64, []int, error) {
	f, h, err := openArray(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	raw, err := readRaw(f, path, h)
	if err != nil {
		return nil, nil, err
	}
	out := make([]float64, h.Elements())
	for k := range out {
		out[k] = decode(h.Descr, raw, k)
	}
	return out, h.Shape, nil
}

// ReadFloat32Shape reads path like ReadFloat32 and checks its shape against
// want, where -1 matches any extent. A mismatch is an error naming both shapes.
func ReadFloat32Shape(path string, want ...int) ([]float32, []int, error) {
	data, shape, err := ReadFloat32(path)
	if err != nil {
		return nil, nil, err
	}
	if err := CheckShape(path, shape, want...); err != nil {
		return nil, nil, err
	}
	return data, shape, nil
}

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

// ReadHeaderFile returns the header of the .npy file at path.
func ReadHeaderFile(path string) (Header, error) {
	f, h, err := openArray(path)
	if err != nil {
		return Header{}, err
	}
	f.Close()
	return h, nil
}
