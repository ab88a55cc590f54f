package npy

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRoundTripFloat32AnyRank(t *testing.T) {
	dir := t.TempDir()
	for _, shape := range [][]int{{}, {5}, {2, 3}, {2, 3, 4}} {
		n := 1
		for _, d := range shape {
			n *= d
		}
		data := make([]float32, n)
		for k := range data {
			data[k] = float32(k)*0.5 - 3
		}
		path := filepath.Join(dir, "a.npy")
		if err := WriteFloat32(path, data, shape...); err != nil {
			t.Fatal(err)
		}
		got, gotShape, err := ReadFloat32(path)
		if err != nil {
			t.Fatal(err)
		}
		if shapeString(gotShape) != shapeString(shape) {
			t.Fatalf("shape %v, want %v", gotShape, shape)
		}
		for k := range data {
			if got[k] != data[k] {
				t.Fatalf("element %d = %v, want %v", k, got[k], data[k])
			}
		}
	}
}

func TestRoundTripFloat64(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.npy")
	data := []float64{math.Pi, -1e300, 0, 7}
	if err := WriteFloat64(path, data, 2, 2); err != nil {
		t.Fatal(err)
	}
	got, shape, err := ReadFloat64(path)
	if err != nil || len(shape) != 2 || shape[0] != 2 {
		t.Fatalf("read: %v %v", shape, err)
	}
	for k := range data {
		if got[k] != data[k] {
			t.Fatalf("element %d = %v, want %v", k, got[k], data[k])
		}
	}
	f32, _, err := ReadFloat32(path)
	if err != nil || math.Abs(float64(f32[0])-math.Pi) > 1e-6 {
		t.Fatalf("float64→float32 conversion: %v %v", f32, err)
	}
}

// rawFile writes a .npy file with an arbitrary header dict and data bytes.
func rawFile(t *testing.T, dict string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "raw.npy")
	h := []byte("\x93NUMPY\x01\x00")
	h = binary.LittleEndian.AppendUint16(h, uint16(len(dict)+1))
	h = append(h, dict...)
	h = append(h, '\n')
	if err := os.WriteFile(path, append(h, data...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadIntegerTypes(t *testing.T) {
	i16 := []byte{0xff, 0xff, 0x05, 0x00} // -1, 5
	path := rawFile(t, "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", i16)
	got, _, err := ReadFloat32(path)
	if err != nil || got[0] != -1 || got[1] != 5 {
		t.Fatalf("int16: %v %v", got, err)
	}
	i64 := binary.LittleEndian.AppendUint64(nil, uint64(1<<40))
	path = rawFile(t, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", i64)
	got, _, err = ReadFloat32(path)
	if err != nil || got[0] != float32(1<<40) {
		t.Fatalf("int64: %v %v", got, err)
	}
	path = rawFile(t, "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", []byte{0, 200, 7})
	got, _, err = ReadFloat32(path)
	if err != nil || got[1] != 200 {
		t.Fatalf("uint8: %v %v", got, err)
	}
}

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

func TestReadErrorsNameFileAndProblem(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.npy")
	os.WriteFile(bad, []byte("PK\x03\x04 not numpy at all"), 0o644)
	_, _, err := ReadFloat32(bad)
	expectError(t, err, "bad.npy", "bad magic")

	fortran := rawFile(t, "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", make([]byte, 4))
	_, _, err = ReadFloat32(fortran)
	expectError(t, err, "raw.npy", "fortran_order")

	big := rawFile(t, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", make([]byte, 4))
	_, _, err = ReadFloat32(big)
	expectError(t, err, "raw.npy", "dtype", ">f4")

	short := rawFile(t, "{'descr': '<f4', 'fortran_order': False, 'shape': (10,), }", make([]byte, 8))
	_, _, err = ReadFloat32(short)
	expectError(t, err, "raw.npy", "truncated")

	ok := filepath.Join(dir, "ok.npy")
	WriteFloat32(ok, make([]float32, 6), 2, 3)
	_, _, err = ReadFloat32Shape(ok, 3, 3)
	expectError(t, err, "ok.npy", "expected (3, 3)", "found (2, 3)")
	if _, _, err := ReadFloat32Shape(ok, -1, 3); err != nil {
		t.Fatalf("wildcard shape rejected: %v", err)
	}
	_, _, err = ReadFloat32(filepath.Join(dir, "missing.npy"))
	expectError(t, err, "missing.npy")
}

// TestReferenceParams reads the reference's Fig 2 parameter table, a file
// numpy wrote (copied into testdata from shared/reference/fig2_params.npy).
func TestReferenceParams(t *testing.T) {
	data, shape, err := ReadFloat32(filepath.Join("testdata", "fig2_params.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if shapeString(shape) != "(4, 3)" {
		t.Fatalf("shape %v", shape)
	}
	want := []float32{10, 1, 1, 10, 2, 1, 10, 1, 2, 10, 2, 2}
	for k := range want {
		if data[k] != want[k] {
			t.Fatalf("params = %v, want %v", data, want)
		}
	}
}

func TestRowWriterStreamsAndFixesHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rows.npy")
	w, err := CreateRows(path, 3)
	if err != nil {
		t.Fatal(err)
	}
	for r := 0; r < 1000; r++ {
		if err := w.WriteRow([]float32{float32(r), float32(-r), 0.5}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WriteRow([]float32{1}); err == nil {
		t.Fatal("short row accepted")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data, shape, err := ReadFloat32(path)
	if err != nil || shape[0] != 1000 || shape[1] != 3 {
		t.Fatalf("shape %v err %v", shape, err)
	}
	if data[3*999] != 999 || data[3*999+1] != -999 {
		t.Fatalf("last row %v", data[3*999:])
	}
	m, err := Map(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Data) != 3000 || m.Data[3*500] != 500 || m.Shape[0] != 1000 {
		t.Fatalf("mapped %d values, row 500 = %v", len(m.Data), m.Data[1500])
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestMapRejectsNonFloat32(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.npy")
	WriteFloat64(path, []float64{1, 2}, 2)
	_, err := Map(path)
	expectError(t, err, "d.npy", "<f8")
}

func TestWriteErrorsSurfaceWithFile(t *testing.T) {
	// A device is refused before anything is written to it.
	err := WriteFloat32("/dev/full", make([]float32, 16), 16)
	expectError(t, err, "/dev/full")
	_, err = CreateRows("/dev/full", 1024)
	expectError(t, err, "/dev/full", "a device", "only regular files")
	expectError(t, WriteFloat32(filepath.Join(t.TempDir(), "x.npy"), make([]float32, 5), 2, 3), "needs 6 elements, found 5")
}

// TestDropResidentKeepsData checks that a mapping whose resident pages were
// dropped still reads the file's values (they fault back in from the page
// cache), and that dropping twice and on an empty mapping is harmless.
func TestDropResidentKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "u.npy")
	want := make([]float32, 3*4096)
	for k := range want {
		want[k] = float32(k)*0.5 - 7
	}
	if err := WriteFloat32(path, want, 3, 4096); err != nil {
		t.Fatal(err)
	}
	m, err := Map(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for round := 0; round < 2; round++ {
		if err := m.DropResident(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for k, v := range m.Data {
			if v != want[k] {
				t.Fatalf("round %d: value %d is %v after dropping the resident pages, want %v", round, k, v, want[k])
			}
		}
	}
	if err := (&Mapped{}).DropResident(); err != nil {
		t.Fatalf("empty mapping: %v", err)
	}
}
