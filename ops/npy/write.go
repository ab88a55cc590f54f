package npy

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"os"
)

// WriteFloat32 writes data as a C-order float32 array of the given shape.
func WriteFloat32(path string, data []float32, shape ...int) error {
	if err := checkCount(path, len(data), shape); err != nil {
		return err
	}
	return writeFile(path, "<f4", shape, func(w *bufio.Writer) error {
		var b [4]byte
		for _, v := range data {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
			if _, err := w.Write(b[:]); err != nil {
				return err
			}
		}
		return nil
	})
}

// WriteFloat64 writes data as a C-order float64 array of the given shape.
func WriteFloat64(path string, data []float64, shape ...int) error {
	if err := checkCount(path, len(data), shape); err != nil {
		return err
	}
	return writeFile(path, "<f8", shape, func(w *bufio.Writer) error {
		var b [8]byte
		for _, v := range data {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
			if _, err := w.Write(b[:]); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkCount verifies that a shape describes exactly n elements.
func checkCount(path string, n int, shape []int) error {
	want := 1
	for _, d := range shape {
		if d < 0 {
			return fmt.Errorf("npy: %s: negative extent in shape %s", path, shapeString(shape))
		}
		want *= d
	}
	if want != n {
		return fmt.Errorf("npy: %s: shape %s needs %d elements, found %d", path, shapeString(shape), want, n)
	}
	return nil
}

// writeFile creates path, writes the header and lets body write the data.
func writeFile(path, descr string, shape []int, body func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	_, err = w.Write(encodeHeader(descr, shape, 0))
	if err == nil {
		err = body(w)
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("npy: writing %s: %w", path, err)
	}
	return nil
}
