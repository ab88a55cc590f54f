// Package npy reads and writes NumPy .npy files: float32 and float64
// little-endian arrays in C order of any rank (integer arrays are read into
// float32), a streaming writer for 2-D float32 arrays whose row count is only
// known at the end, and a memory-mapped float32 reader for files too large to
// copy. Every error names the file and says what was expected and found.
package npy

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// magic is the six bytes every .npy file starts with.
var magic = []byte("\x93NUMPY")

// Header is the parsed header of a .npy file.
type Header struct {
	// Descr is the NumPy dtype string, for example "<f4".
	Descr string
	// FortranOrder reports column-major data (rejected by the readers).
	FortranOrder bool
	// Shape is the array's shape; an empty shape is a scalar.
	Shape []int
	// DataOffset is the byte offset of the first element in the file.
	DataOffset int64
}

// Elements returns the number of elements the shape describes.
func (h Header) Elements() int {
	n := 1
	for _, d := range h.Shape {
		n *= d
	}
	return n
}

// ReadHeader parses the preamble and header dictionary of a .npy stream and
// leaves r positioned at the first data byte.
func ReadHeader(r io.Reader) (Header, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return Header{}, fmt.Errorf("reading preamble: %w", err)
	}
	if !bytes.Equal(pre[:6], magic) {
		return Header{}, fmt.Errorf("bad magic: expected \\x93NUMPY, found %q", pre[:6])
	}
	major := pre[6]
	var headerLen, prefix int
	switch major {
	case 1:
		var l [2]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return Header{}, fmt.Errorf("reading header length: %w", err)
		}
		headerLen, prefix = int(binary.LittleEndian.Uint16(l[:])), 10
	case 2, 3:
		var l [4]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return Header{}, fmt.Errorf("reading header length: %w", err)
		}
		headerLen, prefix = int(binary.LittleEndian.Uint32(l[:])), 12
	default:
		return Header{}, fmt.Errorf("unsupported format version %d.%d (expected 1, 2 or 3)", major, pre[7])
	}
	if headerLen > 1<<24 {
		return Header{}, fmt.Errorf("header length %d is implausibly large", headerLen)
	}
	dict := make([]byte, headerLen)
	if _, err := io.ReadFull(r, dict); err != nil {
		return Header{}, fmt.Errorf("reading header of %d bytes: %w", headerLen, err)
	}
	h, err := parseDict(string(dict))
	if err != nil {
		return Header{}, err
	}
	h.DataOffset = int64(prefix + headerLen)
	return h, nil
}

// parseDict reads the Python dict literal of a .npy header.
func parseDict(s string) (Header, error) {
	var h Header
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
		return h, fmt.Errorf("header is not a dict literal: %q", s)
	}
	descr, err := dictValue(s, "descr")
	if err != nil {
		return h, err
	}
	h.Descr = strings.Trim(descr, "'\"")
	fortran, err := dictValue(s, "fortran_order")
	if err != nil {
		return h, err
	}
	switch fortran {
	case "True":
		h.FortranOrder = true
	case "False":
	default:
		return h, fmt.Errorf("fortran_order: expected True or False, found %q", fortran)
	}
	shape, err := dictValue(s, "shape")
	if err != nil {
		return h, err
	}
	h.Shape, err = parseShape(shape)
	return h, err
}

// dictValue returns the raw text of the value stored under key.
func dictValue(s, key string) (string, error) {
	k := strings.Index(s, "'"+key+"'")
	if k < 0 {
		return "", fmt.Errorf("header has no %q key: %q", key, s)
	}
	rest := strings.TrimSpace(s[k+len(key)+2:])
	if !strings.HasPrefix(rest, ":") {
		return "", fmt.Errorf("header key %q is not followed by ':'", key)
	}
	rest = strings.TrimSpace(rest[1:])
	end := 0
	switch {
	case strings.HasPrefix(rest, "("):
		end = strings.Index(rest, ")") + 1
	case strings.HasPrefix(rest, "'"):
		end = strings.Index(rest[1:], "'") + 2
	default:
		end = strings.IndexAny(rest, ",}")
	}
	if end <= 0 {
		return "", fmt.Errorf("header value of %q is malformed", key)
	}
	return strings.TrimSpace(rest[:end]), nil
}

// parseShape reads a Python tuple of non-negative integers.
func parseShape(s string) ([]int, error) {
	inner := strings.TrimSuffix(strings.TrimPrefix(s, "("), ")")
	shape := []int{}
	for _, f := range strings.Split(inner, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		d, err := strconv.Atoi(strings.TrimSuffix(f, "L"))
		if err != nil || d < 0 {
			return nil, fmt.Errorf("shape %s: expected non-negative integers, found %q", s, f)
		}
		shape = append(shape, d)
	}
	return shape, nil
}

// encodeHeader returns a version 1.0 preamble and header for a C-order array,
// padded with spaces so that the whole is a multiple of 64 bytes and at least
// minTotal bytes long.
func encodeHeader(descr string, shape []int, minTotal int) []byte {
	parts := make([]string, len(shape))
	for k, d := range shape {
		parts[k] = strconv.Itoa(d)
	}
	tuple := strings.Join(parts, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, tuple)
	total := 10 + len(dict) + 1
	if total < minTotal {
		total = minTotal
	}
	total = (total + 63) / 64 * 64
	buf := make([]byte, 0, total)
	buf = append(buf, magic...)
	buf = append(buf, 1, 0)
	buf = binary.LittleEndian.AppendUint16(buf, uint16(total-10))
	buf = append(buf, dict...)
	for len(buf) < total-1 {
		buf = append(buf, ' ')
	}
	return append(buf, '\n')
}

// shapeString formats a shape like NumPy does, for error messages.
func shapeString(shape []int) string {
	parts := make([]string, len(shape))
	for k, d := range shape {
		parts[k] = strconv.Itoa(d)
	}
	if len(shape) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// IndexString formats the flat C-order index k of an array of the given
// shape as a multi-index, "[3, 17]".
func IndexString(shape []int, k int) string {
	if len(shape) == 0 {
		return "[]"
	}
	idx := make([]string, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] == 0 {
			idx[d] = "0"
			continue
		}
		idx[d] = strconv.Itoa(k % shape[d])
		k /= shape[d]
	}
	return "[" + strings.Join(idx, ", ") + "]"
}

// FirstNonFinite returns the index of the first NaN or infinite value of
// data, or -1 when every value is finite.
func FirstNonFinite(data []float32) int {
	for k, v := range data {
		if v != v || v > math.MaxFloat32 || v < -math.MaxFloat32 {
			return k
		}
	}
	return -1
}
