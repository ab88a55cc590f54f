package npy

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"time"
)

// rowHeaderSize is the fixed header size of a streamed file: large enough for
// any two 20-digit extents, so the header can be rewritten in place.
const rowHeaderSize = 128

// rowBufferBytes is how much a RowWriter keeps before writing to the file.
const rowBufferBytes = 1 << 20

// DefaultFlushInterval is the longest a RowWriter holds rows in memory
// before it writes them out: at most this much recording is lost when the
// process is killed.
const DefaultFlushInterval = time.Second

// rowStore is what a RowWriter writes to: an *os.File, or a test's
// failing stand-in. Data goes through Write, which (unlike os.File's
// WriteAt) reports how much of a short write reached the file; the header
// is rewritten in place with WriteAt.
type rowStore interface {
	io.Writer
	io.WriterAt
	Truncate(size int64) error
	Close() error
}

// RowWriter streams a 2-D float32 array row by row when the number of rows
// is not known in advance. The file on disk is a valid .npy at every moment:
// its header is written at creation and rewritten after each block of rows
// reaches the file, stating only rows wholly written. After a write error
// (a full disk) the header is fixed and a torn row cut off; after a kill
// the file holds every row written out before it (rows are written at least
// every FlushInterval and every megabyte). A RowWriter is not safe for
// concurrent use.
type RowWriter struct {
	path   string
	file   rowStore
	cols   int
	rows   int // rows accepted
	synced int // rows in the file and stated by its header
	buf    []byte
	last   time.Time
	// FlushInterval is the longest rows stay in memory; set it before the
	// first WriteRow. Zero or negative writes out every row.
	FlushInterval time.Duration
	err           error
}

// CreateRows is Options{}.CreateRows.
func CreateRows(path string, cols int) (*RowWriter, error) { return Options{}.CreateRows(path, cols) }

// CreateRows creates path for a float32 array with cols columns and writes
// its header, stating zero rows.
func (o Options) CreateRows(path string, cols int) (*RowWriter, error) {
	if cols < 0 {
		return nil, fmt.Errorf("npy: %s: negative column count %d", path, cols)
	}
	f, err := o.FS.Create(path)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	return newRowWriter(path, f, cols)
}

func newRowWriter(path string, f rowStore, cols int) (*RowWriter, error) {
	rowBytes := 4 * max(cols, 1)
	capacity := max(1, rowBufferBytes/rowBytes) * rowBytes
	w := &RowWriter{path: path, file: f, cols: cols, buf: make([]byte, 0, capacity), last: time.Now(), FlushInterval: DefaultFlushInterval}
	// The first header is written with Write, so that the file offset
	// stands at the first data byte.
	header := encodeHeader("<f4", []int{0, cols}, rowHeaderSize)
	if _, err := f.Write(header); err != nil {
		f.Close()
		return nil, fmt.Errorf("npy: writing the header of %s: %w", path, err)
	}
	return w, nil
}

// Path returns the file name being written.
func (w *RowWriter) Path() string { return w.path }

// Rows returns the number of rows accepted so far.
func (w *RowWriter) Rows() int { return w.rows }

// Written returns the number of rows the file holds and its header states.
func (w *RowWriter) Written() int { return w.synced }

// writeHeader states the synced rows in the reserved header.
func (w *RowWriter) writeHeader() error {
	header := encodeHeader("<f4", []int{w.synced, w.cols}, rowHeaderSize)
	if len(header) != rowHeaderSize {
		return fmt.Errorf("npy: %s: header grew to %d bytes, beyond the reserved %d", w.path, len(header), rowHeaderSize)
	}
	if _, err := w.file.WriteAt(header, 0); err != nil {
		return fmt.Errorf("npy: writing the header of %s: %w", w.path, err)
	}
	return nil
}

// WriteRow appends one row; it must have exactly the writer's column count.
// The first write error is kept and returned by every later call and by Close.
func (w *RowWriter) WriteRow(row []float32) error {
	if w.err != nil {
		return w.err
	}
	if w.file == nil {
		return fmt.Errorf("npy: %s: write after Close", w.path)
	}
	if len(row) != w.cols {
		return fmt.Errorf("npy: %s: row %d has %d values, expected %d", w.path, w.rows, len(row), w.cols)
	}
	for _, v := range row {
		w.buf = binary.LittleEndian.AppendUint32(w.buf, math.Float32bits(v))
	}
	w.rows++
	if len(w.buf)+4*w.cols > cap(w.buf) || w.FlushInterval <= 0 || time.Since(w.last) >= w.FlushInterval {
		return w.Flush()
	}
	return nil
}

// Flush writes the buffered rows to the file and then rewrites the header
// to state them. On a write error (a full disk) the header states the rows
// wholly written, a torn row is cut off, and the error names the file and
// both counts.
func (w *RowWriter) Flush() error {
	if w.err != nil || w.file == nil || len(w.buf) == 0 {
		return w.err
	}
	rowBytes := 4 * w.cols
	n, werr := w.file.Write(w.buf)
	w.last = time.Now()
	whole := len(w.buf) / max(rowBytes, 1)
	if werr != nil && rowBytes > 0 {
		whole = n / rowBytes
	}
	w.synced += whole
	w.buf = w.buf[:0]
	herr := w.writeHeader()
	if werr == nil && herr == nil {
		return nil
	}
	lost := w.rows - w.synced
	if werr != nil {
		// Cut a torn row so that the data ends with the last whole row.
		w.file.Truncate(int64(rowHeaderSize) + int64(w.synced)*int64(rowBytes))
		w.err = fmt.Errorf("npy: writing %s: %w (the file keeps the %d rows written before it; %d rows were not written)", w.path, werr, w.synced, lost)
	} else {
		w.err = herr
	}
	return w.err
}

// Close writes the buffered rows, states them in the header and closes the
// file. The file is a valid .npy of the rows written even when the run that
// fed it stopped early or a write failed.
func (w *RowWriter) Close() error {
	if w.file == nil {
		return w.err
	}
	err := w.Flush()
	if cerr := w.file.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("npy: closing %s: %w", w.path, cerr)
	}
	w.file = nil
	w.err = err
	return err
}
