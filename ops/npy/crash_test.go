package npy

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fullDisk is a rowStore that accepts limit bytes past the header and then
// fails like a full disk: a short write and ENOSPC. Rewriting bytes that
// already exist (the header) still succeeds, as on a real file system.
type fullDisk struct {
	f     *os.File
	limit int64
	off   int64
}

func (d *fullDisk) Write(p []byte) (int, error) {
	n, err := d.WriteAt(p, d.off)
	d.off += int64(n)
	return n, err
}

func (d *fullDisk) WriteAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) <= d.limit {
		return d.f.WriteAt(p, off)
	}
	n := 0
	if off < d.limit {
		n, _ = d.f.WriteAt(p[:d.limit-off], off)
	}
	return n, &os.PathError{Op: "write", Path: d.f.Name(), Err: syscall.ENOSPC}
}

func (d *fullDisk) Truncate(size int64) error { return d.f.Truncate(size) }
func (d *fullDisk) Close() error              { return d.f.Close() }

// rowValue is the value of column c of row r in the crash tests.
func rowValue(r, c int) float32 { return float32(r)*1000 + float32(c) }

func checkRows(t *testing.T, data []float32, rows, cols int) {
	t.Helper()
	if len(data) != rows*cols {
		t.Fatalf("read %d values, want %d rows × %d", len(data), rows, cols)
	}
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			if got := data[r*cols+c]; got != rowValue(r, c) {
				t.Fatalf("row %d column %d = %v, want %v", r, c, got, rowValue(r, c))
			}
		}
	}
}

// A disk that fills in the middle of a row: the error says how many rows
// the file keeps, the header states exactly those, the torn row is cut off
// and the file reads back strictly (no torn-file tolerance needed).
func TestRowWriterFullDiskKeepsWholeRows(t *testing.T) {
	const cols = 100
	path := filepath.Join(t.TempDir(), "u.npy")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// Room for 2622 whole rows and 150 bytes of the next.
	limit := int64(rowHeaderSize + 2622*4*cols + 150)
	w, err := newRowWriter(path, &fullDisk{f: f, limit: limit}, cols)
	if err != nil {
		t.Fatal(err)
	}
	row := make([]float32, cols)
	var werr error
	r := 0
	for ; r < 20000 && werr == nil; r++ {
		for c := range row {
			row[c] = rowValue(r, c)
		}
		werr = w.WriteRow(row)
	}
	cerr := w.Close()
	if werr == nil || cerr == nil {
		t.Fatalf("a full disk was not reported: write %v, close %v", werr, cerr)
	}
	if !errors.Is(cerr, syscall.ENOSPC) {
		t.Fatalf("close error %v does not wrap ENOSPC", cerr)
	}
	expectError(t, cerr, "u.npy", "keeps the 2622 rows")
	if w.Written() != 2622 {
		t.Fatalf("Written() = %d, want 2622", w.Written())
	}
	data, shape, err := ReadFloat32(path)
	if err != nil {
		t.Fatalf("reading the file after a full disk: %v", err)
	}
	if shape[0] != 2622 || shape[1] != cols {
		t.Fatalf("shape %v, want (2622, %d)", shape, cols)
	}
	checkRows(t, data, 2622, cols)
	st, _ := os.Stat(path)
	if st.Size() != int64(rowHeaderSize+2622*4*cols) {
		t.Fatalf("file is %d bytes: the torn row was not cut off", st.Size())
	}
}

// While rows stream, the file on disk is always valid: after each flush
// its header states the rows flushed.
func TestRowWriterHeaderFollowsFlushes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "u.npy")
	w, err := CreateRows(path, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, shape, err := ReadFloat32(path); err != nil || shape[0] != 0 || shape[1] != 3 {
		t.Fatalf("fresh file: shape %v, %v", shape, err)
	}
	for r := 0; r < 10; r++ {
		if err := w.WriteRow([]float32{rowValue(r, 0), rowValue(r, 1), rowValue(r, 2)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	data, shape, err := ReadFloat32(path)
	if err != nil || shape[0] != 10 {
		t.Fatalf("after flush: shape %v, %v", shape, err)
	}
	checkRows(t, data, 10, 3)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// crashChildEnv makes the test binary act as a child that streams rows
// until it is killed.
const crashChildEnv = "NPY_CRASH_CHILD"

// A process killed with SIGKILL while streaming leaves a file whose header
// states the rows written out, all of them intact and readable.
func TestRowWriterSurvivesSIGKILL(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		streamUntilKilled(path)
		return
	}
	path := filepath.Join(t.TempDir(), "u.npy")
	cmd := exec.Command(os.Args[0], "-test.run=^TestRowWriterSurvivesSIGKILL$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the child says it has flushed a few times, then kill it
	// in the middle of writing more.
	sc := bufio.NewScanner(out)
	flushed := 0
	for sc.Scan() {
		if n, ok := strings.CutPrefix(sc.Text(), "flushed "); ok {
			flushed, _ = strconv.Atoi(n)
			if flushed >= 3000 {
				break
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if flushed < 3000 {
		t.Fatalf("the child stopped before flushing 3000 rows (%d)", flushed)
	}
	a, err := Options{Torn: true}.Read(path)
	if err != nil {
		t.Fatalf("reading the killed child's file: %v", err)
	}
	if a.Shape[0] < flushed || a.Shape[1] != 7 {
		t.Fatalf("shape %v: fewer rows than the %d flushed before the kill", a.Shape, flushed)
	}
	checkRows(t, a.Data, a.Shape[0], 7)
	// The strict reader accepts it too: the header never claims rows the
	// file does not hold.
	if _, _, err := ReadFloat32(path); err != nil {
		t.Fatalf("strict read: %v", err)
	}
}

// streamUntilKilled writes rows of 7 values forever, flushing every 100 rows
// and reporting each flush on stdout.
func streamUntilKilled(path string) {
	w, err := CreateRows(path, 7)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	w.FlushInterval = time.Hour
	row := make([]float32, 7)
	for r := 0; ; r++ {
		for c := range row {
			row[c] = rowValue(r, c)
		}
		if err := w.WriteRow(row); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		if r%100 == 99 {
			w.Flush()
			fmt.Println("flushed", w.Written())
		}
		if r > 10_000_000 {
			os.Exit(1)
		}
	}
}

// A file whose header declares more rows than it holds: strict reading
// says how many whole rows there are; with Torn they are read, and the
// note says so. A header declaring fewer rows than the data ignores the
// rest and says so.
func TestTornFileReadsWholeRows(t *testing.T) {
	data := make([]byte, 0)
	for r := 0; r < 5; r++ {
		for c := 0; c < 4; c++ {
			data = appendF32(data, rowValue(r, c))
		}
	}
	data = append(data, 1, 2, 3, 4, 5, 6) // a torn sixth row
	path := rawFile(t, "{'descr': '<f4', 'fortran_order': False, 'shape': (100, 4), }", data)
	_, _, err := ReadFloat32(path)
	expectError(t, err, "raw.npy", "truncated", "5 whole rows of 100", "6 bytes of a torn row")
	a, err := Options{Torn: true}.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.Shape[0] != 5 || a.Shape[1] != 4 {
		t.Fatalf("shape %v, want (5, 4)", a.Shape)
	}
	checkRows(t, a.Data, 5, 4)
	for _, want := range []string{"raw.npy", "declares 100 rows", "5 whole rows", "torn row"} {
		if !strings.Contains(a.Note, want) {
			t.Fatalf("note %q does not mention %q", a.Note, want)
		}
	}
	m, err := Options{Torn: true}.Map(path)
	if err != nil || len(m.Data) != 20 || m.Data[19] != rowValue(4, 3) {
		t.Fatalf("map of a torn file: %v", err)
	}
	m.Close()

	// The old failure: header (0, 4) followed by rows and a torn one.
	path = rawFile(t, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }", data)
	a, err = Options{Torn: true}.Read(path)
	if err != nil || a.Shape[0] != 0 {
		t.Fatalf("header of 0 rows: %v %v", a, err)
	}
	if !strings.Contains(a.Note, "ignored") {
		t.Fatalf("trailing data not noted: %q", a.Note)
	}
}

func appendF32(b []byte, v float32) []byte {
	u := math.Float32bits(v)
	return append(b, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
}

// Huge declared shapes on a small file are refused from the header and
// the file size, before any allocation, with the numbers in the message.
func TestHugeShapesRefusedBeforeAllocating(t *testing.T) {
	small := make([]byte, 1600)
	cases := []struct {
		shape string
		want  []string
	}{
		{"(100000, 100000)", []string{"truncated", "(100000, 100000)", "40000000000 bytes", "holds 1600"}},
		{"(4294967296, 4294967296)", []string{"(4294967296, 4294967296)", "overflows"}},
		{"(4611686018427387904,)", []string{"(4611686018427387904,)", "more bytes than any file can hold"}},
		{"(3037000500, 3037000500, 2)", []string{"overflows"}},
	}
	for _, c := range cases {
		path := rawFile(t, "{'descr': '<f4', 'fortran_order': False, 'shape': "+c.shape+", }", small)
		for _, o := range []Options{{}, {Torn: true}} {
			_, _, err := o.ReadFloat32(path)
			expectError(t, err, append([]string{"raw.npy"}, c.want...)...)
			_, err = o.Map(path)
			expectError(t, err, "raw.npy")
			_, _, err = o.ReadFloat64(path)
			expectError(t, err, "raw.npy")
		}
	}
	// A shape the file holds, but too large for the memory allowed.
	path := rawFile(t, "{'descr': '<f4', 'fortran_order': False, 'shape': (400,), }", small)
	_, err := Options{MemoryLimit: 1000}.Read(path)
	expectError(t, err, "raw.npy", "1.6 kB", "memory limit of 1.0 kB")
	// Writing a shape whose element count overflows is refused, not
	// written as a corrupt file.
	expectError(t, WriteFloat32(filepath.Join(t.TempDir(), "o.npy"), nil, 1<<32, 1<<32), "overflows")
}

// A FIFO is refused at once, without blocking on a writer.
func TestFIFORefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fifo.npy")
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 2)
	go func() { _, _, err := ReadFloat32(path); done <- err }()
	go func() { _, err := CreateRows(path, 3); done <- err }()
	for k := 0; k < 2; k++ {
		select {
		case err := <-done:
			expectError(t, err, "fifo.npy", "named pipe")
		case <-time.After(5 * time.Second):
			t.Fatal("opening a FIFO blocked")
		}
	}
}
