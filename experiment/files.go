package experiment

import (
	"fmt"

	"github.com/ngs-lab/ngs/ops/npy"
	"github.com/ngs-lab/ngs/runtime"
)

// npyOptions are the .npy options of a run: its file system (confined to
// the host's root, regular files only) and memory limit. torn accepts a
// recording cut short, reading its whole rows.
func npyOptions(in *runtime.Interp, torn bool) npy.Options {
	return npy.Options{FS: in.FS(), Torn: torn, MemoryLimit: in.Limits().Memory}
}

// warnNote prints a reader's note about a file (a torn final row, bytes
// after the declared data) as a warning.
func warnNote(in *runtime.Interp, note string) {
	if note != "" {
		fmt.Fprintf(in.Out(), "warning: %s\n", note)
	}
}

// nonFiniteError names the first NaN or infinite value of data (of the
// given shape) in what, or returns nil when every value is finite.
func nonFiniteError(what string, data []float32, shape []int) error {
	k := npy.FirstNonFinite(data)
	if k < 0 {
		return nil
	}
	return fmt.Errorf("%s holds %v at index %s (the first non-finite value); fix the data or replace such values before using them", what, data[k], npy.IndexString(shape, k))
}
