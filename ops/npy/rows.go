package npy

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"os"
)

// rowHeaderSize is the fixed header size of a streamed file: large enough for
// any two 20-digit extents, so the header can be rewritten in place at Close.
const rowHeaderSize = 128

// RowWriter streams a 2-D float32 array row by row when the number of rows is
// not known in advance. The header is written padded and fixed at Close.
// A RowWriter is not safe for concurrent use.
type RowWriter struct {
	path string
	file *os.File
	buf  *bufio.Writer
	cols int
	rows int
	raw  []byte
	err  error
}

// CreateRows creates path for a float32 array with cols columns.
func CreateRows(path string, cols int) (*RowWriter, error) {
	if cols < 0 {
		return nil, fmt.Errorf("npy: %s: negative column count %d", path, cols)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	w := &RowWriter{path: path, file: f, buf: bufio.NewWriterSize(f, 1<<20), cols: cols, raw: make([]byte, 4*cols)}
	if _, err := w.buf.Write(encodeHeader("<f4", []int{0, cols}, rowHeaderSize)); err != nil {
		f.Close()
		return nil, fmt.Errorf("npy: writing %s: %w", path, err)
	}
	return w, nil
}

// Path returns the file name being written.
func (w *RowWriter) Path() string { return w.path }

// Rows returns the number of rows written so far.
func (w *RowWriter) Rows() int { return w.rows }

// WriteRow appends one row; it must have exactly the writer's column count.
// The first write error is kept and returned by every later call and by Close.
func (w *RowWriter) WriteRow(row []float32) error {
	if w.err != nil {
		return w.err
	}
	if len(row) != w.cols {
		return fmt.Errorf("npy: %s: row %d has %d values, expected %d", w.path, w.rows, len(row), w.cols)
	}
	for k, v := range row {
		binary.LittleEndian.PutUint32(w.raw[4*k:], math.Float32bits(v))
	}
	if _, err := w.buf.Write(w.raw); err != nil {
		w.err = fmt.Errorf("npy: writing %s at row %d: %w", w.path, w.rows, err)
		return w.err
	}
	w.rows++
	return nil
}

// Close flushes the data, rewrites the header with the final row count and
// closes the file. The file is a valid .npy of the rows written so far even
// when the run that fed it stopped early.
func (w *RowWriter) Close() error {
	if w.file == nil {
		return w.err
	}
	err := w.err
	if ferr := w.buf.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("npy: writing %s: %w", w.path, ferr)
	}
	header := encodeHeader("<f4", []int{w.rows, w.cols}, rowHeaderSize)
	if len(header) != rowHeaderSize && err == nil {
		err = fmt.Errorf("npy: %s: header grew to %d bytes, beyond the reserved %d", w.path, len(header), rowHeaderSize)
	}
	if err == nil {
		if _, herr := w.file.WriteAt(header, 0); herr != nil {
			err = fmt.Errorf("npy: rewriting header of %s: %w", w.path, herr)
		}
	}
	if cerr := w.file.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("npy: closing %s: %w", w.path, cerr)
	}
	w.file = nil
	w.err = err
	return err
}
